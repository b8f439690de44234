package workflowrt

import (
	"errors"
	"log/slog"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/wfapi"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
)

// runEnv is the state of one workflow run inside the runtime: its coroutines, the
// commands its code produced, the calls waiting for events, and its message handlers.
// Everything in it is touched by one goroutine at a time: the task handler's, or the
// coroutine that holds the baton.
type runEnv struct {
	sched            *scheduler
	dataConverter    converter.DataConverter
	failureConverter converter.FailureConverter
	logger           *slog.Logger
	info             *Info
	now              time.Time
	replaying        bool
	tracing          runTracing

	nextEventID        int64
	outgoing           []*command
	awaiting           []*command
	versionMarkerSpans map[int64]int64

	activities              map[string]*activityCall
	activitiesByScheduledID map[int64]*activityCall
	timers                  map[string]*timerCall
	children                map[string]*childCall
	externalByControl       map[string]*externalCall
	externalByInitiated     map[int64]*externalCall
	nexus                   *nexusCalls // made by the first Nexus operation
	signalChannels          map[string]*channel
	queryHandlers           map[string]QueryHandler
	sideEffectResults       map[int64]*commonpb.Payloads
	nextSideEffectID        int64
	changeVersions          map[string]Version
	mutableSideEffects      map[string]map[int]*commonpb.Payloads
	mutableCallCounts       map[string]int
	mutableRecorded         map[string]bool
	localActivities         map[string]*localActivityCall
	unstartedLocal          []*localActivityCall
	nextLocalActivityID     int64
	values                  map[any]any
	updateHandlers          map[string]*updateHandler
	unhandledUpdates        []*updateRequest
	runningUpdates          int
	outgoingMessages        []*protocolpb.Message

	root            *cancelCtx
	cancelRequested bool
	finished        bool
	result          *commonpb.Payloads
	resultErr       error
}

func newRunEnv(dc converter.DataConverter, fc converter.FailureConverter, baseLogger *slog.Logger, info *Info) *runEnv {
	e := &runEnv{
		sched:                   newScheduler(),
		dataConverter:           dc,
		failureConverter:        fc,
		info:                    info,
		versionMarkerSpans:      make(map[int64]int64),
		activities:              make(map[string]*activityCall),
		activitiesByScheduledID: make(map[int64]*activityCall),
		timers:                  make(map[string]*timerCall),
		children:                make(map[string]*childCall),
		externalByControl:       make(map[string]*externalCall),
		externalByInitiated:     make(map[int64]*externalCall),
		signalChannels:          make(map[string]*channel),
		queryHandlers:           make(map[string]QueryHandler),
		sideEffectResults:       make(map[int64]*commonpb.Payloads),
		changeVersions:          make(map[string]Version),
		mutableSideEffects:      make(map[string]map[int]*commonpb.Payloads),
		mutableCallCounts:       make(map[string]int),
		mutableRecorded:         make(map[string]bool),
		localActivities:         make(map[string]*localActivityCall),
		values:                  make(map[any]any),
		updateHandlers:          make(map[string]*updateHandler),
	}
	e.logger = newReplaySafeLogger(baseLogger, e, info)
	e.root = newCancelCtx(&envCtx{env: e}, e)
	return e
}

// envCtx is the base of every context of a run: it holds the environment and is never
// canceled itself.
type envCtx struct{ env *runEnv }

func (c *envCtx) Done() ReceiveChannel { return nil }
func (c *envCtx) Err() error           { return nil }
func (c *envCtx) Value(key any) any {
	switch key {
	case envKey{}:
		return c.env
	case wfapi.RuntimeKey{}:
		return api{}
	}
	return nil
}

// start runs the workflow function in the root coroutine once the scheduler runs.
func (e *runEnv) start(fn func(ctx Context) (*commonpb.Payloads, error)) {
	e.sched.spawn("root", func() {
		result, err := fn(e.root)
		e.finished, e.result, e.resultErr = true, result, err
	})
}

// requestCancel handles a cancellation request for the whole workflow: the root
// context is canceled, which cancels everything derived from it.
func (e *runEnv) requestCancel() {
	e.cancelRequested = true
	e.root.cancel(nil)
}

// closeCommand is the command that ends the run, once the workflow function returned.
func (e *runEnv) closeCommand() *commandpb.Command {
	var canceled *sundial.CanceledError
	var continueAsNew *ContinueAsNewError
	switch {
	case e.resultErr == nil:
		return &commandpb.Command{
			CommandType: commandTypeComplete,
			Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{
				CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{Result: e.result},
			},
		}
	case errors.As(e.resultErr, &continueAsNew):
		return e.continueAsNewCommand(continueAsNew)
	case errors.As(e.resultErr, &canceled):
		var details *commonpb.Payloads
		if failure := e.failureConverter.ErrorToFailure(canceled); failure != nil {
			details = failure.GetCanceledFailureInfo().GetDetails()
		}
		return &commandpb.Command{
			CommandType: commandTypeCancel,
			Attributes: &commandpb.Command_CancelWorkflowExecutionCommandAttributes{
				CancelWorkflowExecutionCommandAttributes: &commandpb.CancelWorkflowExecutionCommandAttributes{Details: details},
			},
		}
	default:
		return &commandpb.Command{
			CommandType: commandTypeFail,
			Attributes: &commandpb.Command_FailWorkflowExecutionCommandAttributes{
				FailWorkflowExecutionCommandAttributes: &commandpb.FailWorkflowExecutionCommandAttributes{
					Failure: e.failureConverter.ErrorToFailure(e.resultErr),
				},
			},
		}
	}
}

// GetInfo returns the Info of the workflow ctx belongs to.
func GetInfo(ctx Context) *Info { return envFrom(ctx).info }

// GetLogger returns a logger that drops records while the workflow replays, with the
// workflow's identity attached.
func GetLogger(ctx Context) *slog.Logger { return envFrom(ctx).logger }

// Now is the workflow's deterministic time: the start time of the current workflow task.
func Now(ctx Context) time.Time { return envFrom(ctx).now }

// IsReplaying reports whether the code runs to rebuild state from history.
func IsReplaying(ctx Context) bool { return envFrom(ctx).replaying }

// DataConverter returns the converter the workflow encodes values with.
func DataConverter(ctx Context) converter.DataConverter { return envFrom(ctx).dataConverter }

// Go starts fn in a new workflow coroutine. It runs after the current coroutine blocks,
// in the deterministic order of creation.
func Go(ctx Context, name string, fn func(ctx Context)) {
	env := envFrom(ctx)
	env.sched.spawn(name, func() { fn(ctx) })
}

// Await blocks until condition returns true or ctx is canceled (then it returns
// ctx.Err()). condition is evaluated each time any coroutine could have changed state,
// and no more once it returned true.
func Await(ctx Context, condition func() bool) error {
	env := envFrom(ctx)
	satisfied := false
	env.sched.block("await", func() bool {
		satisfied = condition()
		return satisfied || ctx.Err() != nil
	})
	if satisfied {
		return nil
	}
	return ctx.Err()
}

// AwaitWithTimeout is Await that gives up after timeout (a durable timer), returning
// ok=false then.
func AwaitWithTimeout(ctx Context, timeout time.Duration, condition func() bool) (ok bool, err error) {
	if condition() {
		return true, nil
	}
	env := envFrom(ctx)
	timerCtx, cancel := WithCancel(ctx)
	defer cancel()
	timer := NewTimer(timerCtx, timeout)
	satisfied := false
	env.sched.block("await with timeout", func() bool {
		satisfied = condition()
		return satisfied || ctx.Err() != nil || timer.IsReady()
	})
	if satisfied {
		return true, nil
	}
	return false, ctx.Err()
}

// RunValue returns the value the run keeps under key, creating it with create on first
// use. It lets package workflow keep per-run state such as the random generator.
func RunValue(ctx Context, key any, create func() any) any {
	env := envFrom(ctx)
	if v, ok := env.values[key]; ok {
		return v
	}
	v := create()
	env.values[key] = v
	return v
}
