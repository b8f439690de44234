package workflow

import "github.com/sundialdev/sundial/internal/sdk/workflowrt"

// Version identifies a version of workflow code for GetVersion.
type Version = workflowrt.Version

// DefaultVersion is what GetVersion returns for runs that started before the change.
const DefaultVersion = workflowrt.DefaultVersion

// SideEffect runs fn once, records its result in history and returns it; replays return
// the recorded value without calling fn. Use it for random numbers, UUIDs and other
// values workflow code must not compute twice. fn must not fail or block.
func SideEffect(ctx Context, fn func(ctx Context) any) Future {
	return workflowrt.SideEffect(ctx, fn)
}

// SideEffectOf is SideEffect with a typed result.
func SideEffectOf[T any](ctx Context, fn func(ctx Context) T) FutureOf[T] {
	return NewFutureOf[T](workflowrt.SideEffect(ctx, func(ctx Context) any { return fn(ctx) }))
}

// GetVersion lets workflow code change while runs are in flight. New runs get
// maxSupported (recorded in history); runs that started before the change get
// DefaultVersion; either way every replay gets the same answer. Branch on it:
//
//	if workflow.GetVersion(ctx, "send-sms", workflow.DefaultVersion, 1) == 1 { ... }
func GetVersion(ctx Context, changeID string, minSupported, maxSupported Version) Version {
	return workflowrt.GetVersion(ctx, changeID, minSupported, maxSupported)
}

// ContinueAsNewError, returned by a workflow, ends the run and starts a fresh one.
type ContinueAsNewError = workflowrt.ContinueAsNewError

// NewContinueAsNewError returns the error that continues the workflow as a new run of
// workflowType (empty: the same type) with args, keeping its options.
func NewContinueAsNewError(ctx Context, workflowType string, args ...any) *ContinueAsNewError {
	return workflowrt.NewContinueAsNewError(ctx, workflowType, args...)
}

// MutableSideEffect returns fn's value for id, recording it in history only when it
// differs from the last recorded value (compared with equals); replays return the
// recorded values. Use it for rarely changing values such as configuration.
func MutableSideEffect(ctx Context, id string, fn func(ctx Context) any, equals func(a, b any) bool) Future {
	return workflowrt.MutableSideEffect(ctx, id, fn, equals)
}
