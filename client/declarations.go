package client

// The typed calls take workflow messages declared in the workflow package
// (workflow.NewSignal, NewQuery, NewStateQuery, NewUpdate) through these interfaces:
// their ...Type(s) methods carry the declared types, so the compiler checks every value
// sent and result received, while the client does not import the workflow package.

// SignalDef is a declared signal carrying a T: a workflow.Signal[T].
type SignalDef[T any] interface {
	// Name is the signal name on the wire.
	Name() string
	// SignalType returns a zero T.
	SignalType() T
}

// QueryDef is a declared query with an In argument and an Out result: a
// workflow.Query[In, Out].
type QueryDef[In, Out any] interface {
	// Name is the query type on the wire.
	Name() string
	// QueryTypes returns a zero In and Out.
	QueryTypes() (In, Out)
}

// StateQueryDef is a declared query without an argument: a workflow.StateQuery[Out].
type StateQueryDef[Out any] interface {
	// Name is the query type on the wire.
	Name() string
	// StateQueryType returns a zero Out.
	StateQueryType() Out
}

// UpdateDef is a declared update with an In argument and an Out result: a
// workflow.Update[In, Out].
type UpdateDef[In, Out any] interface {
	// Name is the update name on the wire.
	Name() string
	// UpdateTypes returns a zero In and Out.
	UpdateTypes() (In, Out)
}
