package workflow

import (
	"log/slog"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	sdkpb "go.temporal.io/api/sdk/v1"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/wfapi"
)

// runtime is the machinery behind the workflow calls: the worker's workflow runtime
// (internal/sdk/workflowrt) implements it and puts it in every Context it makes.
type runtime interface {
	NewChannel(ctx Context) Channel
	NewNamedChannel(ctx Context, name string) Channel
	NewBufferedChannel(ctx Context, size int) Channel
	NewSelector(ctx Context) Selector
	Go(ctx Context, name string, fn func(ctx Context))
	Await(ctx Context, condition func() bool) error
	AwaitWithTimeout(ctx Context, timeout time.Duration, condition func() bool) (bool, error)
	WithCancel(parent Context) (Context, CancelFunc)
	WithValue(parent Context, key, value any) Context
	NewDisconnectedContext(parent Context) (Context, CancelFunc)
	NewFuture(ctx Context) (Future, Settable)
	GetInfo(ctx Context) *Info
	GetLogger(ctx Context) *slog.Logger
	IsReplaying(ctx Context) bool
	DataConverter(ctx Context) converter.DataConverter
	Now(ctx Context) time.Time
	NewTimer(ctx Context, d time.Duration) Future
	Sleep(ctx Context, d time.Duration) error
	RunValue(ctx Context, key any, create func() any) any
	GetSignalChannel(ctx Context, name string) ReceiveChannel
	SetQueryHandler(ctx Context, queryType string, handler any) error
	SetUpdateHandler(ctx Context, name string, handler, validator any) error
	AllHandlersFinished(ctx Context) bool
	SideEffect(ctx Context, fn func(ctx Context) any) Future
	MutableSideEffect(ctx Context, id string, fn func(ctx Context) any, equals func(a, b any) bool) Future
	GetVersion(ctx Context, changeID string, minSupported, maxSupported Version) Version
	NewContinueAsNewError(ctx Context, workflowType string, args ...any) *ContinueAsNewError
	ScheduleActivity(ctx Context, attrs *commandpb.ScheduleActivityTaskCommandAttributes, cancelType ActivityCancellationType) Future
	ExecuteLocalActivity(ctx Context, params wfapi.LocalActivityParams) Future
	StartChildWorkflow(ctx Context, attrs *commandpb.StartChildWorkflowExecutionCommandAttributes) (started, result Future)
	ScheduleNexusOperation(ctx Context, attrs *commandpb.ScheduleNexusOperationCommandAttributes, metadata *sdkpb.UserMetadata, cancelType NexusOperationCancellationType) (started, result Future)
	UpsertSearchAttributes(ctx Context, attrs *commandpb.UpsertWorkflowSearchAttributesCommandAttributes)
	UpsertMemo(ctx Context, attrs *commandpb.ModifyWorkflowPropertiesCommandAttributes)
	SignalExternalWorkflow(ctx Context, namespace, workflowID, runID, signalName string, input *commonpb.Payloads, childWorkflowOnly bool) Future
	RequestCancelExternalWorkflow(ctx Context, namespace, workflowID, runID string) Future
}

// runtimeOf returns the runtime ctx belongs to. A context that did not come from a
// running workflow is a programming error.
func runtimeOf(ctx Context) runtime {
	if ctx == nil {
		panic("workflow: nil workflow.Context")
	}
	rt, ok := ctx.Value(wfapi.RuntimeKey{}).(runtime)
	if !ok {
		panic("workflow: the context does not belong to a running workflow; use the workflow.Context the workflow function received")
	}
	return rt
}
