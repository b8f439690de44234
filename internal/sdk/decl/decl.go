// Package decl holds the typed declarations of workflow messages (signals, queries and
// updates) that both workflow code and clients use. The workflow package re-exports
// them as workflow.Signal, workflow.Query and workflow.Update; the client package
// accepts them for type-checked calls. They live here because the client cannot import
// the workflow package (which depends on the client through the activity package).
package decl

// Signal declares a signal and the type of the value it carries.
type Signal[T any] struct{ name string }

// NewSignal declares the signal named name carrying a T.
func NewSignal[T any](name string) Signal[T] { return Signal[T]{name: name} }

// Name is the signal name on the wire.
func (s Signal[T]) Name() string { return s.name }

// Query declares a query with its argument and result types; StateQuery declares one
// without an argument.
type Query[In, Out any] struct{ name string }

// NewQuery declares the query named name.
func NewQuery[In, Out any](name string) Query[In, Out] { return Query[In, Out]{name: name} }

// Name is the query type on the wire.
func (q Query[In, Out]) Name() string { return q.name }

// Update declares an update with its argument and result types.
type Update[In, Out any] struct{ name string }

// NewUpdate declares the update named name.
func NewUpdate[In, Out any](name string) Update[In, Out] { return Update[In, Out]{name: name} }

// Name is the update name on the wire.
func (u Update[In, Out]) Name() string { return u.name }

// StateQuery declares a query that takes no argument and returns an Out, typically a
// read of the workflow's state.
type StateQuery[Out any] struct{ name string }

// NewStateQuery declares the argument-less query named name.
func NewStateQuery[Out any](name string) StateQuery[Out] { return StateQuery[Out]{name: name} }

// Name is the query type on the wire.
func (q StateQuery[Out]) Name() string { return q.name }
