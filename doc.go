// Package sundial holds the small vocabulary shared by Sundial's Go SDK packages
// (activity, worker, client, converter, sundialtest): retry policies, task priorities
// and the error types that travel between workers, the engine and clients.
//
// # Errors
//
// Every error that crosses the wire is carried as a Temporal Failure
// (go.temporal.io/api/failure/v1). The types here are the Go face of those
// failures; a converter.FailureConverter turns one into the other:
//
//   - [ApplicationError]: an error raised by user code in an activity or workflow.
//     It has a free-form type name (used by RetryPolicy.NonRetryableErrorTypes), a
//     non-retryable flag, optional encoded details, an optional next retry delay that
//     overrides the retry policy for the next attempt, and a category. Any other Go
//     error returned by an activity is sent as an ApplicationError whose type is the
//     Go type name of the error (for example "wrapError" for fmt.Errorf with %w, or
//     "MyError" for a *MyError), as Temporal's Go SDK does.
//   - [CanceledError]: the activity or workflow was canceled.
//   - [TimeoutError]: a timeout fired; it names the timeout and may carry the last
//     heartbeat details an activity recorded.
//   - [TerminatedError]: the workflow was terminated.
//   - [ServerError]: a failure produced by the server itself.
//   - [ActivityError]: wraps the cause of an activity failure as seen by the workflow
//     that scheduled the activity.
//   - [ChildWorkflowError]: the same for a child workflow.
//   - [NexusOperationError]: the same for a Nexus operation a workflow called; its
//     cause may be a [NexusHandlerError] when the handler refused the request.
//   - [WorkflowExecutionError]: what a client receives when a workflow it waits for
//     did not complete successfully; its cause says why.
//   - [PanicError]: user code panicked.
//
// # Which error arrives where
//
//   - An activity returns any error: the worker reports the activity failed, as an
//     ApplicationError (retried per the RetryPolicy unless non-retryable or its type is
//     listed in NonRetryableErrorTypes). A *CanceledError returned after cancellation was
//     requested reports it canceled instead. A panic is reported as a *PanicError.
//   - A workflow that scheduled the activity sees an *ActivityError whose cause is the
//     *ApplicationError, *CanceledError, or a *TimeoutError (with the last heartbeat
//     details) when a timeout fired.
//   - A client waiting with client.WorkflowRun.Get sees a *WorkflowExecutionError whose
//     cause is the workflow's failure, or a *CanceledError, *TerminatedError or
//     *TimeoutError.
//   - A heartbeat sent from outside the worker (client.Client.RecordActivityHeartbeat)
//     returns a *CanceledError when cancellation was requested, [ErrActivityPaused] or
//     [ErrActivityReset].
//
// All of them implement Unwrap, so errors.Is and errors.As see the whole chain. To
// find an application error by its type, use [FindApplicationError] (or
// [HasApplicationError]) rather than errors.As: errors.As stops at the first
// ApplicationError, and a workflow that wraps an activity's failure
// (fmt.Errorf("charging: %w", err)) puts one of its own, of type "wrapError", in
// front of it:
//
//	if appErr, ok := sundial.FindApplicationError(err, "CardDeclined"); ok { ... }
//
// [ErrResultPending] is the sentinel an activity returns when it will be completed
// later through client.Client.CompleteActivity.
package sundial
