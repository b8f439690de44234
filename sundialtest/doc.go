// Package sundialtest runs Sundial code in tests without a server.
//
// ActivityEnvironment runs an activity function as a worker would (arguments and result
// go through the data converter, panics become *sundial.PanicError) while the test sets
// its Info, captures its heartbeats, cancels it with any activity.CancelReason, signals a
// worker shutdown, and sees asynchronous completion as the returned
// sundial.ErrResultPending. It is the counterpart of the Python SDK's
// temporalio.testing.ActivityEnvironment.
package sundialtest
