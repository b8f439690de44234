// Package machine holds the state transitions of a workflow run: it turns requests
// (start, workflow task completions with their commands, activity outcomes, signals,
// timeouts) into history events and changes of the run's mutable state.
//
// It is pure: no I/O, no clock reads, no goroutines. The caller passes the current
// time in, persists what a transition produced (State plus NewEvents) in one store
// transaction, and then dispatches tasks and arms the run's next deadline.
package machine
