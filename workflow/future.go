package workflow

// Future is the result of an asynchronous workflow call: Get blocks until it is ready
// and decodes the value into a pointer.
type Future interface {
	// Get blocks until the future is ready, then decodes its value into valuePtr (which
	// may be nil) and returns its error.
	Get(ctx Context, valuePtr any) error
	// IsReady reports whether Get would return without blocking.
	IsReady() bool
}

// Settable settles a Future made with NewFuture.
type Settable interface {
	// Set makes the future ready with a value and an error. Setting twice panics.
	Set(value any, err error)
	// SetValue is Set(value, nil).
	SetValue(value any)
	// SetError is Set(nil, err).
	SetError(err error)
	// Chain makes the future ready when other is, with other's outcome.
	Chain(other Future)
}

// NewFuture returns a future and the means to settle it, for results produced by
// workflow goroutines.
func NewFuture(ctx Context) (Future, Settable) { return runtimeOf(ctx).NewFuture(ctx) }

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
