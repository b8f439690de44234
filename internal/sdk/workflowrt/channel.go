package workflowrt

import (
	"fmt"
	"reflect"
	"time"

	commonpb "go.temporal.io/api/common/v1"
)

// channel implements Channel. Values are kept in send order; a send completes once its
// value is within the buffer's capacity or has been received.
type channel struct {
	env      *runEnv
	name     string
	capacity int // -1: unbounded
	queue    []*channelItem
	closed   bool
}

type channelItem struct {
	value any
	taken bool
}

func newChannel(env *runEnv, name string, capacity int) *channel {
	return &channel{env: env, name: name, capacity: capacity}
}

// NewChannel returns an unbuffered channel.
func NewChannel(ctx Context) Channel { return newChannel(envFrom(ctx), "", 0) }

// NewNamedChannel returns an unbuffered channel with a name shown in stack traces.
func NewNamedChannel(ctx Context, name string) Channel { return newChannel(envFrom(ctx), name, 0) }

// NewBufferedChannel returns a channel that holds up to size values without a receiver.
func NewBufferedChannel(ctx Context, size int) Channel {
	return newChannel(envFrom(ctx), "", size)
}

func (c *channel) Name() string { return c.name }
func (c *channel) Len() int     { return len(c.queue) }

func (c *channel) Receive(ctx Context, valuePtr any) bool {
	c.env.sched.block("receive on channel "+c.name, func() bool { return len(c.queue) > 0 || c.closed })
	return c.take(valuePtr)
}

func (c *channel) ReceiveAsync(valuePtr any) bool {
	if len(c.queue) == 0 {
		return false
	}
	return c.take(valuePtr)
}

func (c *channel) ReceiveWithTimeout(ctx Context, timeout time.Duration, valuePtr any) (ok, more bool) {
	if len(c.queue) > 0 {
		return true, c.take(valuePtr)
	}
	if c.closed {
		return true, false
	}
	timerCtx, cancel := WithCancel(ctx)
	defer cancel()
	timer := NewTimer(timerCtx, timeout)
	c.env.sched.block("receive on channel "+c.name+" with timeout", func() bool {
		return len(c.queue) > 0 || c.closed || timer.IsReady()
	})
	if len(c.queue) > 0 || c.closed {
		return true, c.take(valuePtr)
	}
	return false, true
}

// take removes the first value into valuePtr; false when closed and empty.
func (c *channel) take(valuePtr any) bool {
	if len(c.queue) == 0 {
		return false
	}
	item := c.queue[0]
	c.queue[0] = nil
	c.queue = c.queue[1:]
	item.taken = true
	if err := c.env.assign(item.value, valuePtr); err != nil {
		panic(fmt.Sprintf("receiving from channel %q: %v", c.name, err))
	}
	return true
}

func (c *channel) Send(ctx Context, value any) {
	if c.closed {
		panic(fmt.Sprintf("send on closed channel %q", c.name))
	}
	item := &channelItem{value: value}
	c.queue = append(c.queue, item)
	c.env.sched.block("send on channel "+c.name, func() bool { return item.taken || c.buffered(item) })
}

func (c *channel) SendAsync(value any) bool {
	if c.closed {
		panic(fmt.Sprintf("send on closed channel %q", c.name))
	}
	if c.capacity >= 0 && len(c.queue) >= c.capacity {
		return false
	}
	c.queue = append(c.queue, &channelItem{value: value})
	return true
}

// deliver appends a value without any waiting; the runtime uses it for signals.
func (c *channel) deliver(value any) { c.queue = append(c.queue, &channelItem{value: value}) }

// buffered reports whether item sits within the channel's capacity.
func (c *channel) buffered(item *channelItem) bool {
	if c.capacity < 0 {
		return true
	}
	for i := 0; i < c.capacity && i < len(c.queue); i++ {
		if c.queue[i] == item {
			return true
		}
	}
	return false
}

func (c *channel) Close() { c.closed = true }

// assign stores value in *valuePtr: payloads are decoded with the run's data converter,
// other values are assigned if their types fit.
func (e *runEnv) assign(value, valuePtr any) error {
	if valuePtr == nil {
		return nil
	}
	switch v := value.(type) {
	case *commonpb.Payloads:
		return e.dataConverter.FromPayloads(v, valuePtr)
	case *commonpb.Payload:
		return e.dataConverter.FromPayload(v, valuePtr)
	}
	ptr := reflect.ValueOf(valuePtr)
	if ptr.Kind() != reflect.Pointer || ptr.IsNil() {
		return fmt.Errorf("value pointer %T is not a non-nil pointer", valuePtr)
	}
	target := ptr.Elem()
	if value == nil {
		target.SetZero()
		return nil
	}
	v := reflect.ValueOf(value)
	if !v.Type().AssignableTo(target.Type()) {
		return fmt.Errorf("cannot assign %T to %s", value, target.Type())
	}
	target.Set(v)
	return nil
}
