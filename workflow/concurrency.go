package workflow

import (
	"time"

	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
)

// Channel, ReceiveChannel and SendChannel are deterministic channels between workflow
// goroutines. Use them instead of Go channels in workflow code.
type (
	Channel        = workflowrt.Channel
	ReceiveChannel = workflowrt.ReceiveChannel
	SendChannel    = workflowrt.SendChannel
)

// Selector waits on several channels and futures at once, deterministically; use it
// instead of a select statement.
type Selector = workflowrt.Selector

// NewChannel returns an unbuffered channel.
func NewChannel(ctx Context) Channel { return workflowrt.NewChannel(ctx) }

// NewNamedChannel returns an unbuffered channel whose name shows in stack traces.
func NewNamedChannel(ctx Context, name string) Channel { return workflowrt.NewNamedChannel(ctx, name) }

// NewBufferedChannel returns a channel that holds up to size values.
func NewBufferedChannel(ctx Context, size int) Channel {
	return workflowrt.NewBufferedChannel(ctx, size)
}

// NewSelector returns an empty selector.
func NewSelector(ctx Context) Selector { return workflowrt.NewSelector(ctx) }

// Go starts fn as a workflow goroutine; use it instead of the go statement. Workflow
// goroutines never run in parallel: each runs until it blocks on a workflow call, in
// the order they were started.
func Go(ctx Context, fn func(ctx Context)) { workflowrt.Go(ctx, "", fn) }

// GoNamed is Go with a name that shows in stack traces.
func GoNamed(ctx Context, name string, fn func(ctx Context)) { workflowrt.Go(ctx, name, fn) }

// Await blocks until condition returns true or ctx is canceled (returning ctx.Err()).
// The condition must only read workflow state; it is checked whenever that may have
// changed.
func Await(ctx Context, condition func() bool) error { return workflowrt.Await(ctx, condition) }

// AwaitWithTimeout is Await with a durable timeout; ok is false if it expired first.
func AwaitWithTimeout(ctx Context, timeout time.Duration, condition func() bool) (ok bool, err error) {
	return workflowrt.AwaitWithTimeout(ctx, timeout, condition)
}
