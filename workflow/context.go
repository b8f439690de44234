package workflow

import "github.com/sundialdev/sundial/internal/sdk/workflowrt"

// Context is the deterministic context workflow code receives and passes to every
// workflow call. It follows the standard context API for values and cancellation but
// has no deadlines: wait with Sleep or NewTimer instead. Never use a context.Context in
// workflow code, nor a workflow.Context outside it.
type Context = workflowrt.Context

// CancelFunc cancels a context and its descendants.
type CancelFunc = workflowrt.CancelFunc

// WithCancel returns a child of parent that is canceled by cancel or with parent.
// Canceling a context cancels the activities and timers started with it.
func WithCancel(parent Context) (ctx Context, cancel CancelFunc) {
	return workflowrt.WithCancel(parent)
}

// WithValue returns a child of parent that carries key=value.
func WithValue(parent Context, key, value any) Context {
	return workflowrt.WithValue(parent, key, value)
}

// NewDisconnectedContext returns a context with parent's values that is not canceled
// when parent is: use it to run cleanup activities after the workflow was canceled.
func NewDisconnectedContext(parent Context) (ctx Context, cancel CancelFunc) {
	return workflowrt.NewDisconnectedContext(parent)
}
