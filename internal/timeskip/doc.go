// Package timeskip lets a Sundial server skip time the way Temporal's test server
// does, so that a workflow sleeping for a month finishes in milliseconds.
//
// The engine runs on a clock.Skipping. A Controller watches three things: a lock
// counter that clients raise and lower through the TestService (LockTimeSkipping,
// UnlockTimeSkipping), the engine's count of outstanding workflow tasks, activity
// tasks and queries, and RPCs in progress that change state. While the counter is
// zero and nothing is outstanding or in progress, it jumps the clock to the
// earliest deadline the engine has armed, fires it, and looks again. While
// anything runs, time flows with the wall clock.
//
// RegisterTestService serves temporal.api.testservice.v1.TestService on a gRPC
// server from a descriptor built in Go (go.temporal.io/api has no generated code
// for it), and Client calls it.
package timeskip
