// Package worker runs workflows and activities: a Worker long-polls one task queue of a
// Temporal WorkflowService (Sundial's engine or any Temporal cluster), runs the workflow
// and activity functions registered with it, heartbeats for activities, and reports
// outcomes.
//
//	w := worker.New(c, "orders", worker.Options{})
//	if err := worker.RegisterWorkflowFunc(w, OrderWorkflow); err != nil { ... }
//	if err := w.RegisterActivity(ChargeCard); err != nil { ... }
//	if err := w.Run(ctx); err != nil { ... } // until ctx is cancelled
//
// # Workflows
//
// Workflow tasks are polled only when workflows are registered (activity tasks only when
// activities are). MaxConcurrentWorkflowTaskPollers long polls are split between the
// task queue and the worker's own sticky queue ("host:instance key"): after each task
// the run stays in a cache of StickyWorkflowCacheSize runs (least recently used evicted
// first), and the server sends its next task to the sticky queue with only the new
// events, so it continues without replaying history. A run missing from the cache, or
// a task that arrives on the normal queue, is rebuilt by replaying its full history:
// completed activities, timers and side effects come from history and are not run
// again. A completion the server refuses evicts the run. Local activities run inside
// the workflow task with the activities registered here. Workflow code that panics,
// fails replay (nondeterminism) or names an unregistered type fails the workflow task;
// the server retries it, so a fixed worker can continue the run. The worker's metrics
// carry the names of Temporal's SDKs: temporal_workflow_task_execution_latency,
// temporal_workflow_task_execution_failed, temporal_workflow_task_schedule_to_start_latency,
// temporal_sticky_cache_size, temporal_activity_execution_latency,
// temporal_activity_execution_failed, temporal_activity_schedule_to_start_latency and
// temporal_local_activity_execution_latency / _failed.
//
// # Polling
//
// MaxConcurrentActivityTaskPollers goroutines long-poll PollActivityTaskQueue (70-second
// deadline), each only while an execution slot is free, so no more than
// MaxConcurrentActivityExecutionSize activities run at once and no task is taken that
// cannot start. WorkerActivitiesPerSecond spaces polls on this worker;
// TaskQueueActivitiesPerSecond is passed to the server, which applies it to the whole
// task queue. The client already resends calls that fail transiently (Unavailable,
// ResourceExhausted, ...) within the poll's deadline; any other poll error is retried by
// the poller after an exponential, jittered backoff (200ms doubling to 10s), and a
// ResourceExhausted that still gets through starts the backoff at 1s.
//
// # Outcomes
//
// An activity's return is reported as follows:
//   - a result (nil error): RespondActivityTaskCompleted;
//   - sundial.ErrResultPending: nothing; the activity stays open until a client completes
//     it by task token or by id (asynchronous completion);
//   - context.Canceled or a *sundial.CanceledError after the workflow requested
//     cancellation: RespondActivityTaskCanceled, with the CanceledError's details;
//   - anything after the attempt timed out, or after a heartbeat found the attempt gone
//     (NotFound): nothing, the server has already closed the attempt;
//   - any other error: RespondActivityTaskFailed with the error converted by the client's
//     FailureConverter (ApplicationError fields such as non-retryable, next retry delay,
//     category and details included), and the latest heartbeat details not yet sent.
//     A panic is reported as a *sundial.PanicError with its stack trace.
//
// # Heartbeats
//
// activity.RecordHeartbeat never waits for the network. The worker sends a heartbeat at
// once if none was sent within the throttle interval (80% of the heartbeat timeout, or
// DefaultHeartbeatThrottleInterval without one, capped by MaxHeartbeatThrottleInterval),
// else it keeps the latest details and sends them when the interval ends. A response
// saying the cancellation was requested, the activity was paused or reset, or a NotFound
// error, cancels the activity's context with the matching activity.CancelReason.
//
// # Stopping
//
// Stop (or the end of Run's context) stops polling, closes activity.WorkerStopChannel for
// the running activities, gives them and the workflow tasks in progress
// GracefulShutdownTimeout to return, then cancels their contexts with reason
// activity.WorkerShutdown, waits for them to return and be reported, and finally tells
// the server with ShutdownWorker, naming the sticky queue so that the runs cached here
// go to other workers at once, and drops the cache.
package worker
