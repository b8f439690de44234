package sundialtest

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/activityreg"
	"github.com/sundialdev/sundial/internal/sdk/activityrun"
	"github.com/sundialdev/sundial/internal/sdk/funcname"
	commonpb "go.temporal.io/api/common/v1"
)

// ActivityEnvironmentOptions configure an ActivityEnvironment. Every field is optional.
type ActivityEnvironmentOptions struct {
	// Info is what activity.GetInfo returns. Unset fields get test values: ActivityID
	// "test", ActivityType the function's name, Attempt 1, TaskQueue "test", the
	// workflow fields "test"/"test-run", namespace "default", TaskToken "test", and the
	// times the moment Run starts. A Deadline (or, without one, a StartToCloseTimeout)
	// makes the activity's context time out with reason activity.TimedOut.
	Info activity.Info
	// HeartbeatDetails are the details "the previous attempt" recorded, read back with
	// activity.GetHeartbeatDetails; they are encoded with the data converter.
	HeartbeatDetails []any
	// OnHeartbeat is called with the details of every activity.RecordHeartbeat.
	OnHeartbeat func(details ...any)
	// Client is what activity.Client returns; nil if unset.
	Client *client.Client
	// DataConverter encodes arguments, results and details; default the default converter.
	DataConverter converter.DataConverter
	// Logger is the base of activity.Logger; default a logger that discards
	// everything, so that tests stay quiet. TestLogger(t) sends the records to the
	// test's log instead.
	Logger *slog.Logger
	// MetricMeter is what activity.GetMetricMeter returns; default a meter that records
	// nothing.
	MetricMeter activity.MetricMeter
}

// ActivityEnvironment runs activity functions for tests. Its methods are safe to call
// from other goroutines while an activity runs, which is how a test cancels it or signals
// a worker shutdown.
type ActivityEnvironment struct {
	opts ActivityEnvironmentOptions

	stopOnce sync.Once
	stopCh   chan struct{}

	mu         sync.Mutex
	heartbeats [][]any
	running    map[*envRun]struct{}
	preCancel  activity.CancelReason
}

type envRun = activityrun.Run[activity.Info, activity.MetricMeter]

// NewActivityEnvironment returns an environment with the given options.
func NewActivityEnvironment(opts ActivityEnvironmentOptions) *ActivityEnvironment {
	if opts.DataConverter == nil {
		opts.DataConverter = converter.GetDefaultDataConverter()
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	if opts.MetricMeter == nil {
		opts.MetricMeter = activity.NopMetricMeter()
	}
	return &ActivityEnvironment{
		opts:    opts,
		stopCh:  make(chan struct{}),
		running: make(map[*envRun]struct{}),
	}
}

// Run runs fn with args and returns its result, still encoded, and its error exactly as
// fn returned it (sundial.ErrResultPending included). fn is any activity function a
// worker accepts, or an activity.DynamicFunc. The result is nil when fn returns only an
// error or fails. ctx is the parent of the activity's context.
func (e *ActivityEnvironment) Run(ctx context.Context, fn any, args ...any) (*converter.EncodedValue, error) {
	return e.run(ctx, "", fn, args)
}

// run runs fn under activityType, or under the name register picks when it is empty.
func (e *ActivityEnvironment) run(ctx context.Context, activityType string, fn any, args []any) (*converter.EncodedValue, error) {
	act, name, err := e.register(fn, activityType)
	if err != nil {
		return nil, err
	}
	input, err := e.opts.DataConverter.ToPayloads(args...)
	if err != nil {
		return nil, fmt.Errorf("encoding activity arguments: %w", err)
	}
	heartbeatDetails, err := e.opts.DataConverter.ToPayloads(e.opts.HeartbeatDetails...)
	if err != nil {
		return nil, fmt.Errorf("encoding heartbeat details: %w", err)
	}
	info := e.info(name, time.Now())
	actx, run := activityrun.Start(ctx, activityrun.Config[activity.Info, activity.MetricMeter]{
		Info:             info,
		Meter:            e.opts.MetricMeter,
		Client:           e.opts.Client,
		DataConverter:    e.opts.DataConverter,
		Logger:           e.opts.Logger,
		HeartbeatDetails: heartbeatDetails,
		Heartbeat:        e.recordHeartbeat,
		WorkerStop:       e.stopCh,
		Deadline:         info.Deadline,
		DeadlineCause:    activity.TimedOut,
	})
	e.track(run)
	defer e.untrack(run)
	defer run.Finish()

	result, err := act.Invoke(actx, input, e.opts.DataConverter)
	return encodedResult(result, e.opts.DataConverter), err
}

// RunFunc runs a typed activity declaration and returns its decoded result.
func RunFunc[In, Out any](ctx context.Context, env *ActivityEnvironment, f activity.Func[In, Out], in In) (Out, error) {
	var out Out
	value, err := env.run(ctx, f.Name(), f.Function(), []any{in})
	if err != nil {
		return out, err
	}
	if err := value.Get(&out); err != nil {
		return out, fmt.Errorf("decoding activity result: %w", err)
	}
	return out, nil
}

// Cancel cancels the running activities' contexts with reason, which
// activity.CancellationReason then reports. Called before Run, it makes the next Run
// start with its context already cancelled, as if cancellation arrived at once.
func (e *ActivityEnvironment) Cancel(reason activity.CancelReason) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if len(e.running) == 0 {
		e.preCancel = reason
		return
	}
	for run := range e.running {
		run.Cancel(reason)
	}
}

// ShutdownWorker signals a worker shutdown: activity.WorkerStopChannel closes and
// activity.IsWorkerShutdown turns true, for running and later activities. It does not
// cancel them; call Cancel(activity.WorkerShutdown) for the end of the grace period.
func (e *ActivityEnvironment) ShutdownWorker() {
	e.stopOnce.Do(func() { close(e.stopCh) })
}

// Heartbeats returns the details of every heartbeat recorded so far, in order.
func (e *ActivityEnvironment) Heartbeats() [][]any {
	e.mu.Lock()
	defer e.mu.Unlock()
	out := make([][]any, len(e.heartbeats))
	copy(out, e.heartbeats)
	return out
}

func (e *ActivityEnvironment) recordHeartbeat(details []any) {
	e.mu.Lock()
	e.heartbeats = append(e.heartbeats, append([]any(nil), details...))
	e.mu.Unlock()
	if e.opts.OnHeartbeat != nil {
		e.opts.OnHeartbeat(details...)
	}
}

func (e *ActivityEnvironment) track(run *envRun) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.running[run] = struct{}{}
	if e.preCancel != activity.NotCanceled {
		run.Cancel(e.preCancel)
		e.preCancel = activity.NotCanceled
	}
}

func (e *ActivityEnvironment) untrack(run *envRun) {
	e.mu.Lock()
	defer e.mu.Unlock()
	delete(e.running, run)
}

// register checks fn and names it: activityType, else Info.ActivityType, else its function
// name, else "TestActivity" for a function literal.
func (e *ActivityEnvironment) register(fn any, activityType string) (*activityreg.Activity, string, error) {
	reg := activityreg.New()
	if dynamic, ok := asDynamic(fn); ok {
		if err := reg.RegisterDynamic(dynamic); err != nil {
			return nil, "", err
		}
		name := firstNonEmpty(activityType, e.opts.Info.ActivityType, "TestActivity")
		act, _ := reg.Lookup(name)
		return act, name, nil
	}
	name := firstNonEmpty(activityType, e.opts.Info.ActivityType)
	if name == "" {
		var err error
		if name, err = funcname.Of(fn); err != nil {
			name = "TestActivity"
		}
	}
	if err := reg.Register(fn, name); err != nil {
		return nil, "", err
	}
	act, _ := reg.Lookup(name)
	return act, name, nil
}

func asDynamic(fn any) (activity.DynamicFunc, bool) {
	switch f := fn.(type) {
	case activity.DynamicFunc:
		return f, true
	case func(context.Context, activity.DynamicArgs) (any, error):
		return f, true
	default:
		return nil, false
	}
}

// info fills the unset fields of the configured Info with test values.
func (e *ActivityEnvironment) info(activityType string, now time.Time) activity.Info {
	info := e.opts.Info
	info.ActivityType = activityType
	info.ActivityID = firstNonEmpty(info.ActivityID, "test")
	info.TaskQueue = firstNonEmpty(info.TaskQueue, "test")
	info.WorkflowNamespace = firstNonEmpty(info.WorkflowNamespace, "default")
	info.WorkflowID = firstNonEmpty(info.WorkflowID, "test")
	info.WorkflowRunID = firstNonEmpty(info.WorkflowRunID, "test-run")
	info.WorkflowType = firstNonEmpty(info.WorkflowType, "test")
	if info.Attempt == 0 {
		info.Attempt = 1
	}
	if len(info.TaskToken) == 0 {
		info.TaskToken = []byte("test")
	}
	for _, t := range []*time.Time{&info.ScheduledTime, &info.CurrentAttemptScheduledTime, &info.StartedTime} {
		if t.IsZero() {
			*t = now
		}
	}
	if info.Deadline.IsZero() && info.StartToCloseTimeout > 0 {
		info.Deadline = now.Add(info.StartToCloseTimeout)
	}
	return info
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// encodedResult wraps the single result payload, nil when there is none.
func encodedResult(payloads *commonpb.Payloads, dc converter.DataConverter) *converter.EncodedValue {
	if len(payloads.GetPayloads()) == 0 {
		return nil
	}
	return converter.NewEncodedValue(payloads.GetPayloads()[0], dc)
}
