// Package sundialtest helps test code written with Sundial's SDK.
//
// ActivityEnvironment runs an activity function without a server, as a worker would
// (arguments and result go through the data converter, panics become
// *sundial.PanicError) while the test sets its Info, captures its heartbeats, cancels it
// with any activity.CancelReason, signals a worker shutdown, and sees asynchronous
// completion as the returned sundial.ErrResultPending. It is the counterpart of the
// Python SDK's temporalio.testing.ActivityEnvironment.
//
// NewWorkflowEnvironment starts a real, in-process Sundial server on an in-memory
// database, optionally with time skipping: whenever no workflow task, activity task or
// query is outstanding, the server's clock jumps to the next timer, so a workflow that
// sleeps for a month finishes in milliseconds. Any client can use it — Sundial's SDK or
// Temporal's official SDKs — through HostPort and Namespace. It is the counterpart of
// the Python SDK's WorkflowEnvironment.start_time_skipping and start_local.
package sundialtest
