package workflow

import (
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/sundialdev/sundial"
)

// Version identifies a version of workflow code for GetVersion.
type Version int

// DefaultVersion is what GetVersion returns for runs that started before the change.
const DefaultVersion Version = -1

// SideEffect runs fn once, records its result in history and returns it; replays return
// the recorded value without calling fn. Use it for random numbers, UUIDs and other
// values workflow code must not compute twice. fn must not fail or block.
func SideEffect(ctx Context, fn func(ctx Context) any) Future {
	return runtimeOf(ctx).SideEffect(ctx, fn)
}

// SideEffectOf is SideEffect with a typed result.
func SideEffectOf[T any](ctx Context, fn func(ctx Context) T) FutureOf[T] {
	return NewFutureOf[T](runtimeOf(ctx).SideEffect(ctx, func(ctx Context) any { return fn(ctx) }))
}

// GetVersion lets workflow code change while runs are in flight. New runs get
// maxSupported (recorded in history); runs that started before the change get
// DefaultVersion; either way every replay gets the same answer. Branch on it:
//
//	if workflow.GetVersion(ctx, "send-sms", workflow.DefaultVersion, 1) == 1 { ... }
func GetVersion(ctx Context, changeID string, minSupported, maxSupported Version) Version {
	return runtimeOf(ctx).GetVersion(ctx, changeID, minSupported, maxSupported)
}

// ContinueAsNewError, returned by a workflow function, closes the run and starts a new
// run of the same workflow id with fresh history. Make one with ContinueAsNew,
// ContinueAsNewSelf or NewContinueAsNewError; the fields left zero keep the current
// run's values.
type ContinueAsNewError struct {
	// WorkflowType of the new run; empty means the same type.
	WorkflowType string
	// Input is the new run's encoded arguments.
	Input *commonpb.Payloads
	// TaskQueue of the new run; empty means the same queue.
	TaskQueue string
	// WorkflowRunTimeout and WorkflowTaskTimeout of the new run; zero means the same.
	WorkflowRunTimeout  time.Duration
	WorkflowTaskTimeout time.Duration
	// RetryPolicy of the new run; nil means the same.
	RetryPolicy *sundial.RetryPolicy
	// BackoffStartInterval delays the new run's first workflow task.
	BackoffStartInterval time.Duration
}

// Error says which workflow type the run continues as.
func (e *ContinueAsNewError) Error() string {
	return fmt.Sprintf("continue as new (workflow type %q)", e.WorkflowType)
}

// NewContinueAsNewError returns the error that continues the workflow as a new run of
// workflowType (empty: the same type) with args, keeping its options.
func NewContinueAsNewError(ctx Context, workflowType string, args ...any) *ContinueAsNewError {
	return runtimeOf(ctx).NewContinueAsNewError(ctx, workflowType, args...)
}

// MutableSideEffect returns fn's value for id, recording it in history only when it
// differs from the last recorded value (compared with equals); replays return the
// recorded values. Use it for rarely changing values such as configuration.
func MutableSideEffect(ctx Context, id string, fn func(ctx Context) any, equals func(a, b any) bool) Future {
	return runtimeOf(ctx).MutableSideEffect(ctx, id, fn, equals)
}
