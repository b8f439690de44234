package workflow

import (
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/wfapi"
)

// LocalActivityOptions shape a local activity. StartToCloseTimeout or
// ScheduleToCloseTimeout is required.
type LocalActivityOptions struct {
	// ScheduleToCloseTimeout bounds the local activity, retries included.
	ScheduleToCloseTimeout time.Duration
	// StartToCloseTimeout bounds one attempt; defaults to ScheduleToCloseTimeout.
	StartToCloseTimeout time.Duration
	// RetryPolicy says how failed attempts are retried (inside the workflow task).
	RetryPolicy *sundial.RetryPolicy
}

type localActivityOptionsKey struct{}

// WithLocalActivityOptions returns a child of ctx whose local activities use opts.
func WithLocalActivityOptions(ctx Context, opts LocalActivityOptions) Context {
	return WithValue(ctx, localActivityOptionsKey{}, opts)
}

// GetLocalActivityOptions returns the local activity options ctx carries.
func GetLocalActivityOptions(ctx Context) LocalActivityOptions {
	opts, _ := ctx.Value(localActivityOptionsKey{}).(LocalActivityOptions)
	return opts
}

// ExecuteLocalActivity runs a short activity registered with the worker inside the
// workflow task, skipping the server's activity queues, and records its result in
// history; replays reuse the recorded result. activityType is a name, an activity
// function or an activity.Func. Use it for work of a few seconds at most: it must
// finish within the workflow task timeout.
func ExecuteLocalActivity(ctx Context, activityType any, args ...any) Future {
	name, err := activityName(activityType)
	if err != nil {
		return failedFuture(ctx, fmt.Errorf("local %w", err))
	}
	return executeLocal(ctx, name, args)
}

// ExecuteLocalActivityFunc runs the declared activity act locally with input in; the
// compiler checks input and result types.
func ExecuteLocalActivityFunc[In, Out any](ctx Context, act activity.Func[In, Out], in In) FutureOf[Out] {
	return NewFutureOf[Out](executeLocal(ctx, act.Name(), []any{in}))
}

func executeLocal(ctx Context, name string, args []any) Future {
	opts := GetLocalActivityOptions(ctx)
	if opts.StartToCloseTimeout < 0 || opts.ScheduleToCloseTimeout < 0 {
		return failedFuture(ctx, fmt.Errorf("local activity %s: timeouts must not be negative", name))
	}
	if opts.StartToCloseTimeout == 0 && opts.ScheduleToCloseTimeout == 0 {
		return failedFuture(ctx, fmt.Errorf("local activity %s: at least one of StartToCloseTimeout and ScheduleToCloseTimeout is required (set them with workflow.WithLocalActivityOptions)", name))
	}
	input, err := DataConverter(ctx).ToPayloads(args...)
	if err != nil {
		return failedFuture(ctx, fmt.Errorf("encoding arguments of local activity %s: %w", name, err))
	}
	return runtimeOf(ctx).ExecuteLocalActivity(ctx, wfapi.LocalActivityParams{
		ActivityType: name, Input: input, ScheduleToCloseTimeout: opts.ScheduleToCloseTimeout,
		StartToCloseTimeout: opts.StartToCloseTimeout, RetryPolicy: opts.RetryPolicy,
	})
}
