package workflowrt

import (
	"time"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
)

// Execution identifies one run of a workflow.
type Execution struct {
	WorkflowID string
	RunID      string
}

// Info describes the running workflow. Its fields come from the
// WorkflowExecutionStarted event and the current workflow task.
type Info struct {
	Namespace    string
	WorkflowType string
	TaskQueue    string
	Execution    Execution
	// FirstRunID is the run id of the first run in the chain of retries and
	// continue-as-new; OriginalRunID is this run's id as assigned at start.
	FirstRunID    string
	OriginalRunID string
	// ContinuedRunID is the run this one continued from (continue-as-new, retry or cron).
	ContinuedRunID string
	// Attempt is 1 for the first attempt, incremented by workflow retries.
	Attempt                  int32
	CronSchedule             string
	WorkflowExecutionTimeout time.Duration
	WorkflowRunTimeout       time.Duration
	WorkflowTaskTimeout      time.Duration
	// StartTime is when the run started (the WorkflowExecutionStarted event's time).
	StartTime time.Time
	// Parent is set for child workflows; ParentNamespace with it.
	Parent          *Execution
	ParentNamespace string
	// Root is the root of the tree of child workflows this run belongs to, if any.
	Root             *Execution
	RetryPolicy      *sundial.RetryPolicy
	Priority         *sundial.Priority
	SearchAttributes *commonpb.SearchAttributes
	Memo             *commonpb.Memo
	// HistoryLength is the id of the current workflow task's started event.
	HistoryLength int64
	// ContinueAsNewSuggested is the server's hint that history is getting large.
	ContinueAsNewSuggested bool
}

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
