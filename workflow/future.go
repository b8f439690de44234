package workflow

import "github.com/sundialdev/sundial/internal/sdk/workflowrt"

// Future is the result of an asynchronous workflow call: Get blocks until it is ready
// and decodes the value into a pointer.
type Future = workflowrt.Future

// Settable settles a Future made with NewFuture.
type Settable = workflowrt.Settable

// NewFuture returns a future and the means to settle it, for results produced by
// workflow goroutines.
func NewFuture(ctx Context) (Future, Settable) { return workflowrt.NewFuture(ctx) }

// FutureOf is a Future whose value type is known to the compiler.
type FutureOf[T any] struct{ f Future }

// NewFutureOf wraps an untyped future whose value decodes into T.
func NewFutureOf[T any](f Future) FutureOf[T] { return FutureOf[T]{f: f} }

// Get blocks until the future is ready and returns its value and error.
func (f FutureOf[T]) Get(ctx Context) (T, error) {
	var value T
	err := f.f.Get(ctx, &value)
	return value, err
}

// IsReady reports whether Get would return without blocking.
func (f FutureOf[T]) IsReady() bool { return f.f.IsReady() }

// Untyped returns the underlying Future, for Selector.AddFuture.
func (f FutureOf[T]) Untyped() Future { return f.f }
