// Package engine advances workflow runs. For every request it serializes work on
// the run, loads its mutable state (from memory, or from the store on a miss),
// applies a transition from package machine, commits the result in one store
// transaction, and only then hands out tasks, wakes waiters and arms the run's
// next deadline.
//
// Pending tasks and deadlines live in each run's persisted state, so on start the
// engine rebuilds its in-memory task queues and timer heap from the open runs in
// the store: a crash at any moment loses no acknowledged work.
package engine
