package workflowrt

import commonpb "go.temporal.io/api/common/v1"

// future implements Future and Settable.
type future struct {
	env       *runEnv
	ready     bool
	value     any
	err       error
	callbacks []func()
}

func newFuture(env *runEnv) *future { return &future{env: env} }

// NewFuture returns a future and the means to settle it.
func NewFuture(ctx Context) (Future, Settable) {
	f := newFuture(envFrom(ctx))
	return f, f
}

func (f *future) Get(ctx Context, valuePtr any) error {
	f.env.sched.block("future", func() bool { return f.ready })
	if f.err != nil {
		// A value may come with an error (a failed child with partial results); decode it
		// only when there is one.
		if f.value != nil {
			_ = f.env.assign(f.value, valuePtr)
		}
		return f.err
	}
	return f.env.assign(f.value, valuePtr)
}

func (f *future) IsReady() bool { return f.ready }

func (f *future) Set(value any, err error) {
	if f.ready {
		panic("workflowrt: future set twice")
	}
	f.ready, f.value, f.err = true, value, err
	callbacks := f.callbacks
	f.callbacks = nil
	for _, cb := range callbacks {
		cb()
	}
}

func (f *future) SetValue(value any) { f.Set(value, nil) }
func (f *future) SetError(err error) { f.Set(nil, err) }

func (f *future) Chain(other Future) {
	o, ok := other.(*future)
	if !ok {
		panic("workflowrt: Chain needs a future made by the workflow runtime")
	}
	if o.ready {
		f.Set(o.value, o.err)
		return
	}
	o.callbacks = append(o.callbacks, func() { f.Set(o.value, o.err) })
}

// setPayloads settles f with an encoded result, decoded lazily by Get.
func (f *future) setPayloads(result *commonpb.Payloads, err error) {
	if result == nil {
		f.Set(nil, err)
		return
	}
	f.Set(result, err)
}
