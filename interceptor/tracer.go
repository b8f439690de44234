// Package interceptor holds the SDK's tracing hook. A Tracer, set on
// client.Options.Tracer, is called by the client around the calls that start or
// message workflows, and by the workers built on that client around workflow runs,
// the signals and queries they receive, activity executions, and the activities and child
// workflows a workflow starts. The
// span context travels between them in Temporal headers (commonpb.Header fields), the
// way Temporal's SDKs carry it, so a trace can cross SDKs. contrib/opentelemetry has
// the OpenTelemetry implementation.
//
// Workflow code is replayed: the SDK calls StartSpan for a workflow's own work only
// when the work happens for the first time, never while replaying history.
package interceptor

import (
	"context"
	"time"

	commonpb "go.temporal.io/api/common/v1"
)

// Operations the SDK starts spans for; the span name is Operation + ":" + Name, as in
// Temporal's SDKs.
const (
	OperationStartWorkflow           = "StartWorkflow"
	OperationSignalWithStartWorkflow = "SignalWithStartWorkflow"
	OperationSignalWorkflow          = "SignalWorkflow"
	OperationQueryWorkflow           = "QueryWorkflow"
	OperationUpdateWorkflow          = "UpdateWorkflow"
	OperationRunWorkflow             = "RunWorkflow"
	OperationHandleSignal            = "HandleSignal"
	OperationHandleQuery             = "HandleQuery"
	OperationStartActivity           = "StartActivity"
	OperationRunActivity             = "RunActivity"
	OperationStartChildWorkflow      = "StartChildWorkflow"
)

// Tag names of span attributes, as Temporal's tracing interceptors name them.
const (
	TagWorkflowID = "temporalWorkflowID"
	TagRunID      = "temporalRunID"
	TagActivityID = "temporalActivityID"
	TagUpdateID   = "temporalUpdateID"
)

// Tracer starts spans for the SDK. Implementations must be safe for concurrent use.
type Tracer interface {
	// StartSpan starts the span opts describes and returns ctx carrying it and the
	// function that ends it (with the error the traced work returned, or nil). The
	// span's parent is the span ctx carries, or else the span context found in
	// opts.ParentHeader. When opts.Header is not nil, the new span's context is
	// written into it for the receiving side.
	StartSpan(ctx context.Context, opts StartSpanOptions) (context.Context, func(err error))
	// ContextFromHeader returns ctx carrying the span context found in header (as the
	// parent of spans started from it), or ctx itself when header has none.
	ContextFromHeader(ctx context.Context, header map[string]*commonpb.Payload) context.Context
}

// StartSpanOptions describe a span.
type StartSpanOptions struct {
	// Operation and Name make the span's name, Operation:Name.
	Operation string
	Name      string
	// Tags become span attributes.
	Tags map[string]string
	// ParentHeader is the header of the incoming work (a workflow start, an activity
	// task), read when ctx has no span.
	ParentHeader map[string]*commonpb.Payload
	// Header, when not nil, receives the new span's context: the span is the sending
	// side of work that continues elsewhere.
	Header map[string]*commonpb.Payload
	// Time is the span's start; zero means now.
	Time time.Time
}
