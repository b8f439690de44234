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
// the Python SDK's WorkflowEnvironment.start_time_skipping and start_local. On top of a
// real server it offers what Temporal's Go test environment does, typed:
//
//   - NewWorker makes workers on the environment's client, stopped with it;
//   - OnActivity replaces a declared activity on those workers by fixed answers, per
//     call or for every call, or by a function, and counts the calls and records their
//     inputs;
//   - LockTimeSkipping, UnlockTimeSkipping and WithoutTimeSkipping hold the clock;
//   - RegisterDelayedCallback runs a function at a virtual time, with the clock stopped
//     there while it runs, so that a test sends a signal or an update while a workflow
//     waits, deterministically;
//   - the default namespace keeps closed runs for DefaultRetention (100 years) unless
//     WorkflowEnvironmentOptions.Retention says otherwise, so no run a test finished is
//     deleted however far it skips time.
//
// TestLogger sends a logger's records to the test's log; the ActivityEnvironment's
// logger discards them unless the test chooses one.
package sundialtest
