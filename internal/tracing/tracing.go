// Package tracing is the engine's view of distributed tracing: spans with
// string attributes, behind an interface so that the server and the store
// never import a tracing library. A nil Tracer traces nothing.
package tracing

import "context"

// Attribute keys, the ones Temporal's OpenTelemetry interceptors use where
// they have one.
const (
	KeyNamespace = "temporalNamespace"
	// KeyNamespaceID is the namespace id, where the store knows no name.
	KeyNamespaceID = "temporalNamespaceID"
	KeyWorkflowID  = "temporalWorkflowID"
	KeyRunID       = "temporalRunID"
	KeyOperation   = "operation"
)

// Attr is one span attribute.
type Attr struct {
	Key, Value string
}

// Span is a started span.
type Span interface {
	// End ends the span, marking it failed when err is not nil.
	End(err error)
}

// Tracer starts spans and annotates the span of a context.
type Tracer interface {
	// Start starts a span named name, a child of ctx's span if any, and
	// returns a context that carries it.
	Start(ctx context.Context, name string, attrs ...Attr) (context.Context, Span)
	// Annotate adds attributes to ctx's span, if it has one that records.
	Annotate(ctx context.Context, attrs ...Attr)
}
