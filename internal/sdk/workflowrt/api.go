package workflowrt

import (
	"log/slog"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	sdkpb "go.temporal.io/api/sdk/v1"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/wfapi"
)

// api is what the public workflow package calls: every workflow context holds it under
// wfapi.RuntimeKey. It carries no state; each call finds its run through ctx.
type api struct{}

func (api) NewChannel(ctx Context) Channel                   { return NewChannel(ctx) }
func (api) NewNamedChannel(ctx Context, name string) Channel { return NewNamedChannel(ctx, name) }
func (api) NewBufferedChannel(ctx Context, size int) Channel { return NewBufferedChannel(ctx, size) }
func (api) NewSelector(ctx Context) Selector                 { return NewSelector(ctx) }
func (api) Go(ctx Context, name string, fn func(ctx Context)) {
	Go(ctx, name, fn)
}
func (api) Await(ctx Context, condition func() bool) error { return Await(ctx, condition) }
func (api) AwaitWithTimeout(ctx Context, timeout time.Duration, condition func() bool) (bool, error) {
	return AwaitWithTimeout(ctx, timeout, condition)
}
func (api) WithCancel(parent Context) (Context, CancelFunc) { return WithCancel(parent) }
func (api) WithValue(parent Context, key, value any) Context {
	return WithValue(parent, key, value)
}
func (api) NewDisconnectedContext(parent Context) (Context, CancelFunc) {
	return NewDisconnectedContext(parent)
}
func (api) NewFuture(ctx Context) (Future, Settable)          { return NewFuture(ctx) }
func (api) GetInfo(ctx Context) *Info                         { return GetInfo(ctx) }
func (api) GetLogger(ctx Context) *slog.Logger                { return GetLogger(ctx) }
func (api) IsReplaying(ctx Context) bool                      { return IsReplaying(ctx) }
func (api) DataConverter(ctx Context) converter.DataConverter { return DataConverter(ctx) }
func (api) Now(ctx Context) time.Time                         { return Now(ctx) }
func (api) NewTimer(ctx Context, d time.Duration) Future      { return NewTimer(ctx, d) }
func (api) Sleep(ctx Context, d time.Duration) error          { return Sleep(ctx, d) }
func (api) GetSignalChannel(ctx Context, name string) ReceiveChannel {
	return GetSignalChannel(ctx, name)
}
func (api) RunValue(ctx Context, key any, create func() any) any {
	return RunValue(ctx, key, create)
}
func (api) SetQueryHandler(ctx Context, queryType string, handler any) error {
	return SetQueryHandler(ctx, queryType, handler)
}
func (api) SetUpdateHandler(ctx Context, name string, handler, validator any) error {
	return SetUpdateHandler(ctx, name, handler, validator)
}
func (api) AllHandlersFinished(ctx Context) bool { return AllHandlersFinished(ctx) }
func (api) SideEffect(ctx Context, fn func(ctx Context) any) Future {
	return SideEffect(ctx, fn)
}
func (api) MutableSideEffect(ctx Context, id string, fn func(ctx Context) any, equals func(a, b any) bool) Future {
	return MutableSideEffect(ctx, id, fn, equals)
}
func (api) GetVersion(ctx Context, changeID string, minSupported, maxSupported Version) Version {
	return GetVersion(ctx, changeID, minSupported, maxSupported)
}
func (api) NewContinueAsNewError(ctx Context, workflowType string, args ...any) *ContinueAsNewError {
	return NewContinueAsNewError(ctx, workflowType, args...)
}
func (api) ScheduleActivity(ctx Context, attrs *commandpb.ScheduleActivityTaskCommandAttributes, cancelType ActivityCancellationType) Future {
	return ScheduleActivity(ctx, attrs, cancelType)
}
func (api) ExecuteLocalActivity(ctx Context, params wfapi.LocalActivityParams) Future {
	return ExecuteLocalActivity(ctx, params)
}
func (api) StartChildWorkflow(ctx Context, attrs *commandpb.StartChildWorkflowExecutionCommandAttributes) (started, result Future) {
	return StartChildWorkflow(ctx, attrs)
}
func (api) ScheduleNexusOperation(ctx Context, attrs *commandpb.ScheduleNexusOperationCommandAttributes, metadata *sdkpb.UserMetadata, cancelType NexusOperationCancellationType) (started, result Future) {
	return ScheduleNexusOperation(ctx, attrs, metadata, cancelType)
}
func (api) UpsertSearchAttributes(ctx Context, attrs *commandpb.UpsertWorkflowSearchAttributesCommandAttributes) {
	UpsertSearchAttributes(ctx, attrs)
}
func (api) UpsertMemo(ctx Context, attrs *commandpb.ModifyWorkflowPropertiesCommandAttributes) {
	UpsertMemo(ctx, attrs)
}
func (api) SignalExternalWorkflow(ctx Context, namespace, workflowID, runID, signalName string, input *commonpb.Payloads, childWorkflowOnly bool) Future {
	return SignalExternalWorkflow(ctx, namespace, workflowID, runID, signalName, input, childWorkflowOnly)
}
func (api) RequestCancelExternalWorkflow(ctx Context, namespace, workflowID, runID string) Future {
	return RequestCancelExternalWorkflow(ctx, namespace, workflowID, runID)
}
