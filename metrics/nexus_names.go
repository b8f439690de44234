package metrics

// Names of the Nexus task metrics, as Temporal's SDKs record them: polls that returned
// no task and the time tasks waited (tag task_queue), and each task's execution time,
// failures (by failure_reason) and time from the caller's request to the reply (tags
// nexus_service, nexus_operation, task_queue).
const (
	NexusPollNoTask                 = "temporal_nexus_poll_no_task"
	NexusTaskScheduleToStartLatency = "temporal_nexus_task_schedule_to_start_latency"
	NexusTaskExecutionLatency       = "temporal_nexus_task_execution_latency"
	NexusTaskExecutionFailed        = "temporal_nexus_task_execution_failed"
	NexusTaskEndToEndLatency        = "temporal_nexus_task_endtoend_latency"
)

// Nexus tag names and the worker_type of Nexus workers.
const (
	TagNexusService   = "nexus_service"
	TagNexusOperation = "nexus_operation"
	WorkerTypeNexus   = "NexusWorker"
)
