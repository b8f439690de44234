package workflow

import (
	"errors"
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/funcname"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// ActivityCancellationType says what happens when an activity's context is canceled.
type ActivityCancellationType int

const (
	// ActivityCancelTry asks the server to cancel the activity and fails its future
	// with a *sundial.CanceledError at once (the default).
	ActivityCancelTry ActivityCancellationType = iota
	// ActivityCancelWaitCompleted asks the server to cancel the activity and waits
	// until the activity reports how it ended.
	ActivityCancelWaitCompleted
	// ActivityCancelAbandon fails the future at once and leaves the activity running
	// without telling the server.
	ActivityCancelAbandon
)

// ActivityOptions shape how an activity is scheduled. At least one of
// StartToCloseTimeout and ScheduleToCloseTimeout is required.
type ActivityOptions struct {
	// TaskQueue the activity is scheduled on; empty means the workflow's task queue.
	TaskQueue string
	// ScheduleToCloseTimeout bounds the whole activity, retries included.
	ScheduleToCloseTimeout time.Duration
	// ScheduleToStartTimeout bounds the time an attempt waits in the task queue.
	ScheduleToStartTimeout time.Duration
	// StartToCloseTimeout bounds one attempt; defaults to ScheduleToCloseTimeout.
	StartToCloseTimeout time.Duration
	// HeartbeatTimeout is the longest silence between heartbeats of a running attempt.
	HeartbeatTimeout time.Duration
	// RetryPolicy says how failed attempts are retried; nil means the server default
	// (retry forever with exponential backoff).
	RetryPolicy *sundial.RetryPolicy
	// CancellationType says what canceling the activity's context does.
	CancellationType ActivityCancellationType
	// ActivityID overrides the generated id, which is unique within the workflow. Use
	// it only for one activity call.
	ActivityID string
	// Priority orders the activity's tasks within the task queue.
	Priority *sundial.Priority
}

type activityOptionsKey struct{}

// WithActivityOptions returns a child of ctx whose activities are scheduled with opts.
func WithActivityOptions(ctx Context, opts ActivityOptions) Context {
	return WithValue(ctx, activityOptionsKey{}, opts)
}

// GetActivityOptions returns the activity options ctx carries.
func GetActivityOptions(ctx Context) ActivityOptions {
	opts, _ := ctx.Value(activityOptionsKey{}).(ActivityOptions)
	return opts
}

// ExecuteActivity schedules an activity and returns the future of its result. The
// activity is a registered type name (a string, for activities implemented in any
// language), an activity function (called by its function name), or an activity.Func.
// args are encoded with the workflow's data converter. Options come from
// WithActivityOptions.
//
// A failed activity's future returns a *sundial.ActivityError whose cause says why: an
// *sundial.ApplicationError, *sundial.TimeoutError or *sundial.CanceledError.
func ExecuteActivity(ctx Context, activityType any, args ...any) Future {
	name, err := activityName(activityType)
	if err != nil {
		return failedFuture(ctx, err)
	}
	return scheduleActivity(ctx, name, args)
}

// ExecuteActivityFunc schedules the declared activity act with input in; the compiler
// checks both the input and the result type:
//
//	var ChargeCard = activity.Define(chargeCard) // func(context.Context, Order) (string, error)
//	txID, err := workflow.ExecuteActivityFunc(ctx, ChargeCard, order).Get(ctx)
func ExecuteActivityFunc[In, Out any](ctx Context, act activity.Func[In, Out], in In) FutureOf[Out] {
	return NewFutureOf[Out](scheduleActivity(ctx, act.Name(), []any{in}))
}

func scheduleActivity(ctx Context, name string, args []any) Future {
	opts := GetActivityOptions(ctx)
	attrs, err := activityCommand(ctx, name, opts, args)
	if err != nil {
		return failedFuture(ctx, err)
	}
	return runtimeOf(ctx).ScheduleActivity(ctx, attrs, opts.CancellationType)
}

// activityCommand builds and validates the ScheduleActivityTask attributes.
func activityCommand(ctx Context, name string, opts ActivityOptions, args []any) (*commandpb.ScheduleActivityTaskCommandAttributes, error) {
	if opts.StartToCloseTimeout < 0 || opts.ScheduleToCloseTimeout < 0 || opts.ScheduleToStartTimeout < 0 || opts.HeartbeatTimeout < 0 {
		return nil, fmt.Errorf("activity %s: timeouts must not be negative", name)
	}
	if opts.StartToCloseTimeout == 0 && opts.ScheduleToCloseTimeout == 0 {
		return nil, fmt.Errorf("activity %s: at least one of StartToCloseTimeout and ScheduleToCloseTimeout is required (set them with workflow.WithActivityOptions)", name)
	}
	if opts.StartToCloseTimeout == 0 {
		opts.StartToCloseTimeout = opts.ScheduleToCloseTimeout
	}
	input, err := DataConverter(ctx).ToPayloads(args...)
	if err != nil {
		return nil, fmt.Errorf("encoding arguments of activity %s: %w", name, err)
	}
	taskQueue := opts.TaskQueue
	if taskQueue == "" {
		taskQueue = GetInfo(ctx).TaskQueue
	}
	return &commandpb.ScheduleActivityTaskCommandAttributes{
		ActivityId:             opts.ActivityID,
		ActivityType:           &commonpb.ActivityType{Name: name},
		TaskQueue:              &taskqueuepb.TaskQueue{Name: taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:                  input,
		ScheduleToCloseTimeout: durationpb.New(opts.ScheduleToCloseTimeout),
		ScheduleToStartTimeout: durationpb.New(opts.ScheduleToStartTimeout),
		StartToCloseTimeout:    durationpb.New(opts.StartToCloseTimeout),
		HeartbeatTimeout:       durationpb.New(opts.HeartbeatTimeout),
		RetryPolicy:            opts.RetryPolicy.ToProto(),
		Priority:               opts.Priority.ToProto(),
	}, nil
}

// namedActivity is satisfied by activity.Func values of any type.
type namedActivity interface{ Name() string }

func activityName(activityType any) (string, error) {
	switch a := activityType.(type) {
	case string:
		if a == "" {
			return "", errors.New("activity type name is empty")
		}
		return a, nil
	case namedActivity:
		return a.Name(), nil
	default:
		name, err := funcname.Of(activityType)
		if err != nil {
			return "", fmt.Errorf("activity: %w", err)
		}
		return name, nil
	}
}

func failedFuture(ctx Context, err error) Future {
	f, s := NewFuture(ctx)
	s.SetError(err)
	return f
}
