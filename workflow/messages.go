package workflow

import ()

// StackTraceQuery is the built-in query answered with the stacks of the workflow's
// goroutines, for finding where a workflow is stuck.
const StackTraceQuery = "__stack_trace"

// GetSignalChannel returns the channel of the signals named name. Signals are kept in
// the channel until received, even those sent before the call.
func GetSignalChannel(ctx Context, name string) ReceiveChannel {
	return runtimeOf(ctx).GetSignalChannel(ctx, name)
}

// Signal declares a signal and the type of its value, for type-checked receiving (and
// sending, with client.Signal). Its Name method returns the signal name on
// the wire.
type Signal[T any] struct{ name string }

// NewSignal declares the signal named name carrying a T.
func NewSignal[T any](name string) Signal[T] { return Signal[T]{name: name} }

// Name is the signal name on the wire.
func (s Signal[T]) Name() string { return s.name }

// SignalType returns a zero value of the signal's value type; typed client calls
// (client.Signal) take a Signal through an interface with this method, which lets the
// compiler check the value sent.
func (s Signal[T]) SignalType() T {
	var v T
	return v
}

// SignalChannel receives the values of one declared signal.
type SignalChannel[T any] struct{ ch ReceiveChannel }

// GetSignal returns the channel of signal s.
func GetSignal[T any](ctx Context, s Signal[T]) SignalChannel[T] {
	return SignalChannel[T]{ch: GetSignalChannel(ctx, s.Name())}
}

// Receive blocks until a signal arrives and returns its value.
func (c SignalChannel[T]) Receive(ctx Context) T {
	var v T
	c.ch.Receive(ctx, &v)
	return v
}

// ReceiveAsync returns a signal value if one is waiting.
func (c SignalChannel[T]) ReceiveAsync() (T, bool) {
	var v T
	ok := c.ch.ReceiveAsync(&v)
	return v, ok
}

// Len is the number of signals waiting.
func (c SignalChannel[T]) Len() int { return c.ch.Len() }

// Channel returns the underlying channel, for Selector.AddReceive.
func (c SignalChannel[T]) Channel() ReceiveChannel { return c.ch }

// SetQueryHandler registers handler for queries named queryType. handler is a function
// with any arguments the data converter can decode, returning (result, error) or error.
// It must only read workflow state and must not block.
func SetQueryHandler(ctx Context, queryType string, handler any) error {
	return runtimeOf(ctx).SetQueryHandler(ctx, queryType, handler)
}

// Query declares a query with its argument and result types, for type-checked
// handlers (and calls, with client.Query). A query without an argument is a
// StateQuery. Its Name method returns the query type on the wire.
type Query[In, Out any] struct{ name string }

// NewQuery declares the query named name.
func NewQuery[In, Out any](name string) Query[In, Out] { return Query[In, Out]{name: name} }

// Name is the query type on the wire.
func (q Query[In, Out]) Name() string { return q.name }

// QueryTypes returns zero values of the query's argument and result types, for typed
// client calls (client.Query).
func (q Query[In, Out]) QueryTypes() (In, Out) {
	var in In
	var out Out
	return in, out
}

// SetQueryHandlerFor registers a handler for the declared query q.
func SetQueryHandlerFor[In, Out any](ctx Context, q Query[In, Out], handler func(In) (Out, error)) error {
	return runtimeOf(ctx).SetQueryHandler(ctx, q.Name(), handler)
}

// StateQuery declares a query without an argument, for type-checked handlers (and
// calls, with client.QueryState): typically a read of the workflow's state. Its Name
// method returns the query type on the wire.
type StateQuery[Out any] struct{ name string }

// NewStateQuery declares the argument-less query named name.
func NewStateQuery[Out any](name string) StateQuery[Out] { return StateQuery[Out]{name: name} }

// Name is the query type on the wire.
func (q StateQuery[Out]) Name() string { return q.name }

// StateQueryType returns a zero value of the query's result type, for typed client calls
// (client.QueryState).
func (q StateQuery[Out]) StateQueryType() Out {
	var out Out
	return out
}

// SetStateQueryHandler registers handler as the answer to the declared query q:
//
//	var Status = workflow.NewStateQuery[string]("status")
//	workflow.SetStateQueryHandler(ctx, Status, func() (string, error) { return status, nil })
func SetStateQueryHandler[Out any](ctx Context, q StateQuery[Out], handler func() (Out, error)) error {
	return runtimeOf(ctx).SetQueryHandler(ctx, q.Name(), handler)
}
