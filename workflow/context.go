package workflow

// Context is the deterministic context workflow code receives and passes to every
// workflow call. It follows the standard context API for values and cancellation but
// has no deadlines: wait with Sleep or NewTimer instead. Never use a context.Context in
// workflow code, nor a workflow.Context outside it.
type Context interface {
	// Done is closed when the context is canceled. It never closes for a context that
	// cannot be canceled.
	Done() ReceiveChannel
	// Err is nil until the context is canceled, then a *sundial.CanceledError.
	Err() error
	// Value returns the value stored under key in this context or an ancestor.
	Value(key any) any
}

// CancelFunc cancels a context and its descendants. Calling it again does nothing.
type CancelFunc func()

// WithCancel returns a child of parent that is canceled by cancel or with parent.
// Canceling a context cancels the activities and timers started with it.
func WithCancel(parent Context) (ctx Context, cancel CancelFunc) {
	return runtimeOf(parent).WithCancel(parent)
}

// WithValue returns a child of parent that carries key=value.
func WithValue(parent Context, key, value any) Context {
	return runtimeOf(parent).WithValue(parent, key, value)
}

// NewDisconnectedContext returns a context with parent's values that is not canceled
// when parent is: use it to run cleanup activities after the workflow was canceled.
func NewDisconnectedContext(parent Context) (ctx Context, cancel CancelFunc) {
	return runtimeOf(parent).NewDisconnectedContext(parent)
}
