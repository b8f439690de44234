package workflowrt

import (
	"github.com/sundialdev/sundial"
	historypb "go.temporal.io/api/history/v1"
)

// newInfo fills an Info from the start event.
func newInfo(namespace string, exec Execution, taskQueue string, started *historypb.HistoryEvent) *Info {
	attrs := started.GetWorkflowExecutionStartedEventAttributes()
	if tq := attrs.GetTaskQueue().GetName(); tq != "" {
		taskQueue = tq
	}
	info := &Info{
		Namespace:                namespace,
		WorkflowType:             attrs.GetWorkflowType().GetName(),
		TaskQueue:                taskQueue,
		Execution:                exec,
		FirstRunID:               attrs.GetFirstExecutionRunId(),
		OriginalRunID:            attrs.GetOriginalExecutionRunId(),
		ContinuedRunID:           attrs.GetContinuedExecutionRunId(),
		Attempt:                  attrs.GetAttempt(),
		CronSchedule:             attrs.GetCronSchedule(),
		WorkflowExecutionTimeout: attrs.GetWorkflowExecutionTimeout().AsDuration(),
		WorkflowRunTimeout:       attrs.GetWorkflowRunTimeout().AsDuration(),
		WorkflowTaskTimeout:      attrs.GetWorkflowTaskTimeout().AsDuration(),
		StartTime:                started.GetEventTime().AsTime(),
		ParentNamespace:          attrs.GetParentWorkflowNamespace(),
		RetryPolicy:              sundial.RetryPolicyFromProto(attrs.GetRetryPolicy()),
		Priority:                 sundial.PriorityFromProto(attrs.GetPriority()),
		SearchAttributes:         attrs.GetSearchAttributes(),
		Memo:                     attrs.GetMemo(),
	}
	if info.Attempt < 1 {
		info.Attempt = 1
	}
	if info.OriginalRunID == "" {
		info.OriginalRunID = exec.RunID
	}
	if p := attrs.GetParentWorkflowExecution(); p != nil {
		info.Parent = &Execution{WorkflowID: p.GetWorkflowId(), RunID: p.GetRunId()}
	}
	if r := attrs.GetRootWorkflowExecution(); r != nil {
		info.Root = &Execution{WorkflowID: r.GetWorkflowId(), RunID: r.GetRunId()}
	}
	return info
}
