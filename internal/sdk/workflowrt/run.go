package workflowrt

import (
	"context"
	"errors"
	"fmt"
	commonpb "go.temporal.io/api/common/v1"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
)

// workflowRun is a run the runtime keeps between workflow tasks: its environment and
// how far into history it got.
type workflowRun struct {
	cfg *runConfig
	env *runEnv
	// lastEventID is the last history event applied.
	lastEventID int64
	// closeQueued is set once the close command was produced.
	closeQueued bool
	// started is the run's WorkflowExecutionStarted event.
	started *historypb.HistoryEvent
}

// newWorkflowRun prepares a run from its WorkflowExecutionStarted event; the workflow
// function starts running at the first workflow task.
func newWorkflowRun(cfg *runConfig, namespace string, exec Execution, taskQueue string, started *historypb.HistoryEvent) (*workflowRun, error) {
	if started.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED || started.GetEventId() != 1 {
		return nil, fmt.Errorf("history must begin with WorkflowExecutionStarted as event 1, got %s as event %d",
			started.GetEventType(), started.GetEventId())
	}
	info := newInfo(namespace, exec, taskQueue, started)
	fn, err := cfg.registry.lookup(info.WorkflowType)
	if err != nil {
		return nil, err
	}
	env := newRunEnv(cfg.dataConverter, cfg.failureConverter, cfg.logger, info)
	env.tracing.tracer = cfg.tracer
	env.sched.clock, env.sched.deadlockTimeout = cfg.clock, cfg.deadlockTimeout
	input := started.GetWorkflowExecutionStartedEventAttributes().GetInput()
	env.start(func(ctx Context) (*commonpb.Payloads, error) { return fn(ctx, input) })
	return &workflowRun{cfg: cfg, env: env, started: started}, nil
}

// close ends the run's coroutines.
func (r *workflowRun) close() { r.env.sched.close() }

// apply feeds history events to the run. Events up to lastEventID are skipped (a full
// history for a cached run); the rest must follow on without gaps. Workflow code runs at
// the end of each batch; batches whose WorkflowTaskStarted id is at most
// previousStartedEventID are replays. It returns the commands of the last batch that ran
// code, which are the answer to the current task when history ends at its
// WorkflowTaskStarted.
func (r *workflowRun) apply(ctx context.Context, events []*historypb.HistoryEvent, previousStartedEventID int64, taskMessages []*protocolpb.Message) ([]*commandpb.Command, []*protocolpb.Message, error) {
	fresh := make([]*historypb.HistoryEvent, 0, len(events))
	for _, ev := range events {
		if ev.GetEventId() <= r.lastEventID {
			continue
		}
		if want := r.lastEventID + 1 + int64(len(fresh)); ev.GetEventId() != want {
			return nil, nil, fmt.Errorf("history has a gap: expected event %d, got event %d", want, ev.GetEventId())
		}
		fresh = append(fresh, ev)
	}
	batches := splitBatches(fresh)
	var commands []*commandpb.Command
	var messages []*protocolpb.Message
	for i, b := range batches {
		replaying := b.started != nil && b.started.GetEventId() <= previousStartedEventID
		var recordedLocal []*historypb.HistoryEvent
		updates := taskMessages
		if replaying {
			updates = nil
		}
		if i+1 < len(batches) {
			if err := r.preloadMarkers(batches[i+1]); err != nil {
				return nil, nil, err
			}
			recordedLocal = localActivityMarkers(batches[i+1])
			updates = acceptedUpdates(batches[i+1])
		}
		if err := r.applyBatch(b); err != nil {
			return nil, nil, err
		}
		if b.started == nil {
			continue
		}
		var next *batch
		if i+1 < len(batches) {
			next = &batches[i+1]
		}
		r.noteTaskVersion(next, replaying)
		var err error
		commands, err = r.runCode(ctx, b.started, replaying, recordedLocal, updates)
		if err != nil {
			return nil, nil, err
		}
		messages = r.env.takeMessages()
	}
	if n := len(fresh); n > 0 {
		r.lastEventID = fresh[n-1].GetEventId()
	}
	return commands, messages, nil
}

// preloadMarkers makes the marker data of the next batch available to the code that
// runs at the end of this one: on replay that code asks for what it recorded then.
func (r *workflowRun) preloadMarkers(next batch) error {
	clear(r.env.mutableRecorded)
	markers, followers := next.markers()
	for i, m := range markers {
		if err := r.env.preloadMarker(m, followers[i]); err != nil {
			return err
		}
	}
	return nil
}

// applyBatch applies a batch's events in order.
func (r *workflowRun) applyBatch(b batch) error {
	var previous *historypb.HistoryEvent
	for _, ev := range b.events {
		if err := r.applyEvent(ev, previous); err != nil {
			return err
		}
		previous = ev
	}
	return nil
}

// applyEvent checks a command event against the commands of the code, then lets the
// event resolve whatever waits for it.
func (r *workflowRun) applyEvent(ev, previous *historypb.HistoryEvent) error {
	e := r.env
	if isCommandEvent(ev.GetEventType()) {
		if err := e.matchEvent(ev, previous); err != nil {
			return err
		}
	}
	switch ev.GetEventType() {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ADMITTED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_REJECTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCEL_REQUESTED,
		enumspb.EVENT_TYPE_TIMER_STARTED,
		enumspb.EVENT_TYPE_MARKER_RECORDED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
		enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		return nil
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
		return e.onActivityScheduled(ev)
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED:
		return e.onActivityClosed(ev, ev.GetActivityTaskCompletedEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_FAILED:
		return e.onActivityClosed(ev, ev.GetActivityTaskFailedEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_TIMED_OUT:
		return e.onActivityClosed(ev, ev.GetActivityTaskTimedOutEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_ACTIVITY_TASK_CANCELED:
		return e.onActivityClosed(ev, ev.GetActivityTaskCanceledEventAttributes().GetScheduledEventId())
	case enumspb.EVENT_TYPE_TIMER_FIRED:
		return e.onTimerFired(ev)
	case enumspb.EVENT_TYPE_TIMER_CANCELED:
		e.onTimerCanceled(ev)
		return nil
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED:
		attrs := ev.GetWorkflowExecutionSignaledEventAttributes()
		e.signalChannel(attrs.GetSignalName()).deliver(attrs.GetInput())
		e.tracing.signaled(attrs.GetSignalName(), attrs.GetHeader().GetFields())
		return nil
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED:
		e.requestCancel()
		return nil
	case enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
		enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED:
		return e.onChildEvent(ev)
	case enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
		enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
		enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
		enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED:
		e.onExternalEvent(ev)
		return nil
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED,
		enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_FAILED:
		return e.onNexusEvent(ev)
	case enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		e.info.SearchAttributes = mergeSearchAttributes(e.info.SearchAttributes, ev.GetUpsertWorkflowSearchAttributesEventAttributes().GetSearchAttributes())
		return nil
	case enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED:
		e.info.Memo = mergeMemo(e.info.Memo, ev.GetWorkflowPropertiesModifiedEventAttributes().GetUpsertedMemo())
		return nil
	}
	if ev.GetWorkerMayIgnore() {
		return nil
	}
	return fmt.Errorf("history event %d has type %s, which this SDK does not support", ev.GetEventId(), ev.GetEventType())
}

// runCode runs the workflow's coroutines for the workflow task that started with
// started, and returns the commands they produced. Local activities are resolved from
// their recorded markers on replay, and executed otherwise; each result lets the code
// run on.
func (r *workflowRun) runCode(ctx context.Context, started *historypb.HistoryEvent, replaying bool, recordedLocal []*historypb.HistoryEvent, updates []*protocolpb.Message) ([]*commandpb.Command, error) {
	e := r.env
	if len(e.awaiting) > 0 {
		return nil, &NondeterminismError{Command: e.awaiting[0].proto, Reason: "history moved on to the next workflow task without recording it"}
	}
	e.replaying = replaying
	if t := started.GetEventTime().AsTime(); t.After(e.now) {
		e.now = t
	}
	e.info.HistoryLength = started.GetEventId()
	e.info.ContinueAsNewSuggested = started.GetWorkflowTaskStartedEventAttributes().GetSuggestContinueAsNew()
	e.nextEventID = started.GetEventId() + 2 + int64(len(e.outgoing))
	if r.closeQueued {
		return e.takeCommands(), nil
	}
	e.tracing.beginRun(e.info, r.started, replaying)
	e.tracing.handleSignals(replaying, e.info)
	defer func() { e.tracing.endFirstTask(e.resultErr) }()
	if err := e.deliverUpdates(updates); err != nil {
		return nil, err
	}
	if err := r.step(); err != nil {
		return nil, err
	}
	if len(e.unhandledUpdates) > 0 {
		e.rejectUnhandledUpdates()
	}
	for _, m := range recordedLocal {
		attrs := m.GetMarkerRecordedEventAttributes()
		resolved, err := e.applyLocalActivityMarker(attrs.GetDetails(), attrs.GetFailure())
		if err != nil {
			return nil, err
		}
		if resolved {
			if err := r.step(); err != nil {
				return nil, err
			}
		}
	}
	for !replaying && !e.finished && len(e.unstartedLocal) > 0 && r.cfg.localActivities != nil {
		call := e.unstartedLocal[0]
		details, failure := e.runLocalActivity(ctx, r.cfg.localActivities, r.cfg.clock, call)
		if err := ctx.Err(); err != nil {
			return nil, fmt.Errorf("running local activity %s: %w", call.params.ActivityType, err)
		}
		if _, err := e.applyLocalActivityMarker(details, failure); err != nil {
			return nil, err
		}
		if err := r.step(); err != nil {
			return nil, err
		}
	}
	if e.finished {
		e.addCommand(e.closeCommand(), false)
		r.closeQueued = true
	}
	return e.takeCommands(), nil
}

// step runs the coroutines until they all block, turning a panic that carries a
// nondeterminism error back into that error.
func (r *workflowRun) step() error {
	if r.env.finished {
		return nil
	}
	err := r.env.sched.runUntilBlocked()
	var p *workflowPanic
	if errors.As(err, &p) {
		if nd, ok := p.value.(*NondeterminismError); ok {
			return nd
		}
	}
	return err
}

// pendingCommandsError reports commands that replayed code produced but history does
// not hold, for a history that is complete (not ending at an in-flight task).
func (r *workflowRun) pendingCommandsError() error {
	if len(r.env.awaiting) == 0 {
		return nil
	}
	return &NondeterminismError{Command: r.env.awaiting[0].proto, Reason: "history ends without recording it"}
}
