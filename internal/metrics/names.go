package metrics

// Metric and label names. Where Temporal's server has a metric for the same
// thing, the name and labels are Temporal's, so that dashboards built for
// Temporal work; Sundial's own metrics start with "sundial_".
const (
	ServiceRequests = "service_requests"
	ServiceErrors   = "service_errors"
	// ServiceErrorWithType counts every failed request by its gRPC code.
	ServiceErrorWithType = "service_error_with_type"
	ServiceLatency       = "service_latency"

	PersistenceRequests = "persistence_requests"
	PersistenceErrors   = "persistence_errors"
	PersistenceLatency  = "persistence_latency"

	TaskScheduleToStartLatency = "task_schedule_to_start_latency"

	WorkflowSuccess         = "workflow_success"
	WorkflowFailed          = "workflow_failed"
	WorkflowTimeout         = "workflow_timeout"
	WorkflowCancel          = "workflow_cancel"
	WorkflowTerminate       = "workflow_terminate"
	WorkflowContinuedAsNew  = "workflow_continued_as_new"
	SundialCommits          = "sundial_commits"
	SundialCommittedWrites  = "sundial_committed_writes"
	SundialWritesPerCommit  = "sundial_writes_per_commit"
	SundialCommitLatency    = "sundial_commit_latency"
	SundialCommitErrors     = "sundial_commit_errors"
	SundialOpenRuns         = "sundial_open_runs"
	SundialCachedRuns       = "sundial_cached_runs"
	SundialTaskQueueBacklog = "sundial_task_queue_backlog"
	SundialTimerLag         = "sundial_timer_lag"
	SundialPollsWaiting     = "sundial_long_polls_waiting"
)

// Label names, Temporal's where it has them.
const (
	LabelOperation = "operation"
	LabelNamespace = "namespace"
	LabelTaskQueue = "taskqueue"
	LabelTaskType  = "task_type"
	LabelErrorType = "error_type"
)

// Task types, as Temporal's task_type label spells them.
const (
	TaskTypeWorkflow = "Workflow"
	TaskTypeActivity = "Activity"
)
