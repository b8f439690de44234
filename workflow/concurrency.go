package workflow

import "time"

// ReceiveChannel is the receiving side of a workflow channel.
type ReceiveChannel interface {
	// Name is the channel's name (the signal name for signal channels).
	Name() string
	// Receive blocks until a value arrives or the channel is closed and drained. It
	// stores the value in *valuePtr (valuePtr may be nil to drop it) and reports false
	// when the channel was closed instead.
	Receive(ctx Context, valuePtr any) (more bool)
	// ReceiveAsync takes a value if one is ready, without blocking.
	ReceiveAsync(valuePtr any) (ok bool)
	// ReceiveWithTimeout is Receive that gives up after timeout (a durable timer),
	// reporting ok=false then.
	ReceiveWithTimeout(ctx Context, timeout time.Duration, valuePtr any) (ok, more bool)
	// Len is the number of values ready to be received.
	Len() int
}

// SendChannel is the sending side of a workflow channel.
type SendChannel interface {
	// Send blocks until the value is buffered or taken by a receiver.
	Send(ctx Context, value any)
	// SendAsync sends only if that needs no waiting.
	SendAsync(value any) (ok bool)
	// Close marks the channel closed: receivers drain what is left, then get more=false.
	Close()
}

// Channel is a deterministic channel between workflow goroutines. Use it instead of a
// Go channel in workflow code.
type Channel interface {
	ReceiveChannel
	SendChannel
}

// Selector waits for the first of several channels and futures to be ready,
// deterministically; use it instead of a select statement. Cases are checked in the
// order they were added. AddSignal and AddFutureOf add typed cases.
type Selector interface {
	// AddReceive adds a case that is ready when c has a value or is closed. fn must
	// receive from c (Select does not).
	AddReceive(c ReceiveChannel, fn func(c ReceiveChannel, more bool)) Selector
	// AddSend adds a case that sends v on c when c can take it without waiting.
	AddSend(c SendChannel, v any, fn func()) Selector
	// AddFuture adds a case that is ready when f is. Each future case fires at most once
	// per selector.
	AddFuture(f Future, fn func(f Future)) Selector
	// AddDefault adds a case chosen when no other case is ready.
	AddDefault(fn func())
	// Select blocks until a case is ready, then runs its function.
	Select(ctx Context)
	// HasPending reports whether a case is ready now.
	HasPending() bool
}

// NewChannel returns an unbuffered channel.
func NewChannel(ctx Context) Channel { return runtimeOf(ctx).NewChannel(ctx) }

// NewNamedChannel returns an unbuffered channel whose name shows in stack traces.
func NewNamedChannel(ctx Context, name string) Channel {
	return runtimeOf(ctx).NewNamedChannel(ctx, name)
}

// NewBufferedChannel returns a channel that holds up to size values.
func NewBufferedChannel(ctx Context, size int) Channel {
	return runtimeOf(ctx).NewBufferedChannel(ctx, size)
}

// NewSelector returns an empty selector.
func NewSelector(ctx Context) Selector { return runtimeOf(ctx).NewSelector(ctx) }

// Go starts fn as a workflow goroutine; use it instead of the go statement. Workflow
// goroutines never run in parallel: each runs until it blocks on a workflow call, in
// the order they were started.
func Go(ctx Context, fn func(ctx Context)) { runtimeOf(ctx).Go(ctx, "", fn) }

// GoNamed is Go with a name that shows in stack traces.
func GoNamed(ctx Context, name string, fn func(ctx Context)) { runtimeOf(ctx).Go(ctx, name, fn) }

// Await blocks until condition returns true or ctx is canceled (returning ctx.Err()).
// The condition must only read workflow state; it is checked whenever that may have
// changed.
func Await(ctx Context, condition func() bool) error { return runtimeOf(ctx).Await(ctx, condition) }

// AwaitWithTimeout is Await with a durable timeout; ok is false if it expired first.
func AwaitWithTimeout(ctx Context, timeout time.Duration, condition func() bool) (ok bool, err error) {
	return runtimeOf(ctx).AwaitWithTimeout(ctx, timeout, condition)
}
