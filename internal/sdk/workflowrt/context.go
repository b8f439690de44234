package workflowrt

import (
	"github.com/sundialdev/sundial"
)

// envKey stores the run's environment in the root context.
type envKey struct{}

// envFrom returns the environment of the run ctx belongs to. Using a context that did
// not come from the runtime is a programming error.
func envFrom(ctx Context) *runEnv {
	if ctx == nil {
		panic("workflowrt: nil workflow.Context")
	}
	env, ok := ctx.Value(envKey{}).(*runEnv)
	if !ok {
		panic("workflowrt: the context does not belong to a running workflow")
	}
	return env
}

// cancelCtx is a context that can be canceled, with its own callbacks and children in
// the order they were registered (so cancellation side effects are deterministic).
type cancelCtx struct {
	parent    Context
	env       *runEnv
	done      *channel
	err       error
	listeners []*cancelListener
	detach    func() // stops listening to the parent once canceled
}

// cancelListener is a callback run when its context is canceled.
type cancelListener struct{ fn func() }

func newCancelCtx(parent Context, env *runEnv) *cancelCtx {
	c := &cancelCtx{parent: parent, env: env}
	c.done = newChannel(env, "context done", 0)
	if p := nearestCancelable(parent); p != nil {
		if p.err != nil {
			c.cancel(p.err)
		} else {
			c.detach = p.listen(func() { c.cancel(p.err) })
		}
	}
	return c
}

func (c *cancelCtx) Done() ReceiveChannel { return c.done }
func (c *cancelCtx) Err() error           { return c.err }
func (c *cancelCtx) Value(key any) any {
	if c.parent == nil {
		return nil
	}
	return c.parent.Value(key)
}

// listen registers fn to run when c is canceled and returns a function that removes
// it. If c is already canceled fn is not registered and nothing runs.
func (c *cancelCtx) listen(fn func()) (remove func()) {
	l := &cancelListener{fn: fn}
	c.listeners = append(c.listeners, l)
	return func() {
		for i, other := range c.listeners {
			if other == l {
				c.listeners = append(c.listeners[:i], c.listeners[i+1:]...)
				return
			}
		}
	}
}

func (c *cancelCtx) cancel(err error) {
	if c.err != nil {
		return
	}
	if err == nil {
		err = sundial.NewCanceledError()
	}
	c.err = err
	if c.detach != nil {
		c.detach()
		c.detach = nil
	}
	c.done.Close()
	listeners := c.listeners
	c.listeners = nil
	for _, l := range listeners {
		l.fn()
	}
}

// valueCtx adds one value to its parent.
type valueCtx struct {
	Context
	key, value any
}

func (v *valueCtx) Value(key any) any {
	if key == v.key {
		return v.value
	}
	return v.Context.Value(key)
}

// detachedCtx keeps its parent's values but never inherits its cancellation.
type detachedCtx struct {
	values Context
	done   *channel
}

func (d *detachedCtx) Done() ReceiveChannel { return d.done }
func (d *detachedCtx) Err() error           { return nil }
func (d *detachedCtx) Value(key any) any    { return d.values.Value(key) }

// nearestCancelable finds the closest cancelable ancestor of ctx, stopping at a
// disconnected context.
func nearestCancelable(ctx Context) *cancelCtx {
	for ctx != nil {
		switch c := ctx.(type) {
		case *cancelCtx:
			return c
		case *valueCtx:
			ctx = c.Context
		default:
			return nil
		}
	}
	return nil
}

// WithCancel returns a child of parent that is canceled when cancel is called or when
// parent is canceled, whichever happens first.
func WithCancel(parent Context) (Context, CancelFunc) {
	c := newCancelCtx(parent, envFrom(parent))
	return c, func() { c.cancel(nil) }
}

// WithValue returns a child of parent that carries key=value.
func WithValue(parent Context, key, value any) Context {
	if parent == nil {
		panic("workflowrt: WithValue on a nil context")
	}
	return &valueCtx{Context: parent, key: key, value: value}
}

// NewDisconnectedContext returns a context with parent's values that is not canceled
// when parent is, for cleanup work after a cancellation.
func NewDisconnectedContext(parent Context) (Context, CancelFunc) {
	env := envFrom(parent)
	return WithCancel(&detachedCtx{values: parent, done: newChannel(env, "never done", 0)})
}

// onCancel runs fn when ctx is canceled (at once if it already is) and returns a
// function that unregisters it. Contexts that cannot be canceled never run fn.
func onCancel(ctx Context, fn func()) (remove func()) {
	c := nearestCancelable(ctx)
	if c == nil {
		return func() {}
	}
	if c.err != nil {
		fn()
		return func() {}
	}
	return c.listen(fn)
}
