package machine

import (
	"cmp"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"
)

// StartParams describe a new run.
type StartParams struct {
	NamespaceID string
	Namespace   string
	WorkflowID  string
	RunID       string

	WorkflowType        string
	TaskQueue           string
	Input               *commonpb.Payloads
	Header              *commonpb.Header
	ExecutionTimeout    time.Duration
	RunTimeout          time.Duration
	WorkflowTaskTimeout time.Duration
	StartDelay          time.Duration
	Identity            string
	RequestID           string
	RetryPolicy         *commonpb.RetryPolicy
	CronSchedule        string
	Memo                *commonpb.Memo
	SearchAttributes    *commonpb.SearchAttributes
	Priority            *commonpb.Priority
	UserMetadata        *sdkpb.UserMetadata

	// Signal, when set, is delivered in the same transition (signal-with-start).
	Signal *Signal

	// The fields below are set for a run that continues an earlier one
	// (continue-as-new, retry, cron).
	FirstRunID           string
	ContinuedRunID       string
	Initiator            enumspb.ContinueAsNewInitiator
	Attempt              int32
	ContinuedFailure     *failurepb.Failure
	LastCompletionResult *commonpb.Payloads
	// ExecutionDeadline carries the first run's execution timeout deadline.
	ExecutionDeadline time.Time
	// Parent is set when a workflow starts the run as its child.
	Parent *ParentInfo
	// Callbacks are told the run's outcome when it closes (a Nexus
	// operation backed by the run); Links point at what started it.
	Callbacks []*commonpb.Callback
	Links     []*commonpb.Link
}

// Signal is a signal sent to a run.
type Signal struct {
	Name      string
	Input     *commonpb.Payloads
	Header    *commonpb.Header
	Identity  string
	RequestID string
	// External is the workflow that sent the signal, if one did.
	External *commonpb.WorkflowExecution
}

// NewRun creates the state of a new run and the transition that writes its first
// events: WorkflowExecutionStarted, an optional signal, and the first workflow
// task (unless the start is delayed).
func NewRun(p StartParams, now time.Time) *Tx {
	execTimeout, runTimeout, taskTimeout := NormalizeWorkflowTimeouts(p.ExecutionTimeout, p.RunTimeout, p.WorkflowTaskTimeout)
	s := &State{
		NamespaceID:         p.NamespaceID,
		Namespace:           p.Namespace,
		WorkflowID:          p.WorkflowID,
		RunID:               p.RunID,
		FirstRunID:          cmp.Or(p.FirstRunID, p.RunID),
		WorkflowType:        p.WorkflowType,
		TaskQueue:           p.TaskQueue,
		Status:              enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		StartRequest:        p.RequestID,
		Identity:            p.Identity,
		Attempt:             max(p.Attempt, 1),
		CronSchedule:        p.CronSchedule,
		StartTime:           now,
		ExecutionTime:       now.Add(p.StartDelay),
		RunTimeout:          runTimeout,
		ExecutionTimeout:    execTimeout,
		WorkflowTaskTimeout: taskTimeout,
		NextEventID:         1,
		Activities:          map[int64]*Activity{},
		Timers:              map[string]*Timer{},
	}
	if runTimeout > 0 {
		s.RunDeadline = s.ExecutionTime.Add(runTimeout)
	}
	switch {
	case !p.ExecutionDeadline.IsZero():
		s.ExecutionDeadline = p.ExecutionDeadline
	case execTimeout > 0:
		s.ExecutionDeadline = s.ExecutionTime.Add(execTimeout)
	}
	if p.Priority != nil {
		s.Priority, _ = proto.Marshal(p.Priority)
	}
	if p.Parent != nil {
		parent := *p.Parent
		s.Parent = &parent
	}
	if p.RetryPolicy != nil {
		s.RetryPolicy, _ = proto.Marshal(p.RetryPolicy)
	}
	if p.RetryPolicy != nil || p.CronSchedule != "" {
		if p.Input != nil {
			s.Input, _ = proto.Marshal(p.Input)
		}
		if p.Header != nil {
			s.Header, _ = proto.Marshal(p.Header)
		}
	}
	if p.Memo != nil && len(p.Memo.Fields) > 0 {
		s.Memo, _ = proto.Marshal(p.Memo)
	}
	if p.SearchAttributes != nil && len(p.SearchAttributes.IndexedFields) > 0 {
		s.SearchAttributes, _ = proto.Marshal(p.SearchAttributes)
	}
	tx := Begin(s, now)
	started := &historypb.WorkflowExecutionStartedEventAttributes{
		WorkflowType:             &commonpb.WorkflowType{Name: p.WorkflowType},
		TaskQueue:                &taskqueuepb.TaskQueue{Name: p.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:                    p.Input,
		WorkflowExecutionTimeout: durationpb.New(execTimeout),
		WorkflowRunTimeout:       durationpb.New(runTimeout),
		WorkflowTaskTimeout:      durationpb.New(taskTimeout),
		OriginalExecutionRunId:   p.RunID,
		FirstExecutionRunId:      s.FirstRunID,
		ContinuedExecutionRunId:  p.ContinuedRunID,
		Initiator:                p.Initiator,
		ContinuedFailure:         p.ContinuedFailure,
		LastCompletionResult:     p.LastCompletionResult,
		Identity:                 p.Identity,
		RetryPolicy:              p.RetryPolicy,
		Attempt:                  s.Attempt,
		CronSchedule:             p.CronSchedule,
		Memo:                     p.Memo,
		SearchAttributes:         p.SearchAttributes,
		Header:                   p.Header,
		WorkflowId:               p.WorkflowID,
		Priority:                 p.Priority,
	}
	if !s.ExecutionDeadline.IsZero() {
		started.WorkflowExecutionExpirationTime = timestamppb.New(s.ExecutionDeadline)
	}
	if p.StartDelay > 0 {
		started.FirstWorkflowTaskBackoff = durationpb.New(p.StartDelay)
	}
	if pi := p.Parent; pi != nil {
		started.ParentWorkflowNamespace = pi.Namespace
		started.ParentWorkflowNamespaceId = pi.NamespaceID
		started.ParentWorkflowExecution = &commonpb.WorkflowExecution{WorkflowId: pi.WorkflowID, RunId: pi.RunID}
		started.ParentInitiatedEventId = pi.InitiatedEventID
		started.RootWorkflowExecution = &commonpb.WorkflowExecution{WorkflowId: pi.RootWorkflowID, RunId: pi.RootRunID}
	}
	if len(p.Callbacks) > 0 {
		started.CompletionCallbacks = p.Callbacks
		s.Callbacks = CallbacksFrom(p.Callbacks)
	}
	tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
		UserMetadata: p.UserMetadata,
		Links:        p.Links,
		Attributes:   &historypb.HistoryEvent_WorkflowExecutionStartedEventAttributes{WorkflowExecutionStartedEventAttributes: started},
	})
	if p.Signal != nil {
		tx.add(signalEvent(p.Signal))
	}
	if p.StartDelay > 0 {
		s.DelayedStart = true
	} else {
		tx.scheduleWorkflowTask()
	}
	return tx
}

// NormalizeWorkflowTimeouts applies Temporal's rules: the run timeout defaults to
// and is capped by the execution timeout; the workflow task timeout defaults to
// 10 s and is capped at 120 s and at the run timeout.
func NormalizeWorkflowTimeouts(execTimeout, runTimeout, taskTimeout time.Duration) (time.Duration, time.Duration, time.Duration) {
	if runTimeout == 0 || (execTimeout > 0 && runTimeout > execTimeout) {
		runTimeout = execTimeout
	}
	if taskTimeout <= 0 {
		taskTimeout = DefaultWorkflowTaskTimeout
	}
	if taskTimeout > MaxWorkflowTaskTimeout {
		taskTimeout = MaxWorkflowTaskTimeout
	}
	if runTimeout > 0 && taskTimeout > runTimeout {
		taskTimeout = runTimeout
	}
	return execTimeout, runTimeout, taskTimeout
}

func signalEvent(sig *Signal) *historypb.HistoryEvent {
	return &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionSignaledEventAttributes{WorkflowExecutionSignaledEventAttributes: &historypb.WorkflowExecutionSignaledEventAttributes{
			SignalName: sig.Name, Input: sig.Input, Identity: sig.Identity, Header: sig.Header, RequestId: sig.RequestID,
		}},
	}
}

// serverIdentity is the identity on events the server writes by itself.
const serverIdentity = "history-service"

// signalMemory is how many signal request ids a run remembers.
const signalMemory = 64

// SignalRun delivers a signal to an open run. A signal whose request id the run
// has seen recently is a retry and is dropped; SignalRun reports whether the
// signal was new.
func (tx *Tx) SignalRun(sig *Signal) bool {
	if sig.RequestID != "" {
		for _, id := range tx.S.SignalRequestIDs {
			if id == sig.RequestID {
				return false
			}
		}
		tx.S.SignalRequestIDs = append(tx.S.SignalRequestIDs, sig.RequestID)
		if n := len(tx.S.SignalRequestIDs); n > signalMemory {
			tx.S.SignalRequestIDs = tx.S.SignalRequestIDs[n-signalMemory:]
		}
	}
	ev := signalEvent(sig)
	if sig.External != nil {
		ev.GetWorkflowExecutionSignaledEventAttributes().ExternalWorkflowExecution = sig.External
	}
	tx.addExternal(ev)
	return true
}

// RequestCancelRun records a request to cancel the run; a repeated request is a
// no-op.
func (tx *Tx) RequestCancelRun(reason, identity string) {
	tx.RequestCancelRunFrom(reason, identity, nil, 0)
}

// RequestCancelRunFrom is RequestCancelRun for a request another workflow sent
// (external names it, initiatedID is its initiated event).
func (tx *Tx) RequestCancelRunFrom(reason, identity string, external *commonpb.WorkflowExecution, initiatedID int64) {
	if tx.S.CancelRequested {
		return
	}
	tx.S.CancelRequested = true
	tx.addExternal(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionCancelRequestedEventAttributes{WorkflowExecutionCancelRequestedEventAttributes: &historypb.WorkflowExecutionCancelRequestedEventAttributes{
			Cause: reason, Identity: identity, ExternalWorkflowExecution: external, ExternalInitiatedEventId: initiatedID,
		}},
	})
}

// TerminateRun closes the run at once, whatever it is doing.
func (tx *Tx) TerminateRun(reason string, details *commonpb.Payloads, identity string) {
	tx.forceClose(enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionTerminatedEventAttributes{WorkflowExecutionTerminatedEventAttributes: &historypb.WorkflowExecutionTerminatedEventAttributes{
			Reason: reason, Details: details, Identity: identity,
		}},
	})
}

// timeoutRun closes the run because its run or execution timeout expired.
// retryState says why no new run follows: the execution timeout ends every
// retry, a run timeout ends this run when no retry policy is set. It fails,
// changing nothing, if the state needed for a following run does not decode.
func (tx *Tx) timeoutRun(retryState enumspb.RetryState) error {
	attrs := &historypb.WorkflowExecutionTimedOutEventAttributes{RetryState: retryState}
	var next *StartParams
	if retryState != enumspb.RETRY_STATE_TIMEOUT {
		// A run timeout may be retried (or followed by the next cron run).
		failure := &failurepb.Failure{
			Message: "workflow run timed out",
			Source:  "Server",
			FailureInfo: &failurepb.Failure_TimeoutFailureInfo{TimeoutFailureInfo: &failurepb.TimeoutFailureInfo{
				TimeoutType: enumspb.TIMEOUT_TYPE_START_TO_CLOSE,
			}},
		}
		var err error
		next, attrs.RetryState, err = tx.nextRun(failure, nil)
		if err != nil {
			return err
		}
		if next != nil {
			attrs.NewExecutionRunId = next.RunID
		}
	}
	tx.forceClose(enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT, &historypb.HistoryEvent{
		EventType:  enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionTimedOutEventAttributes{WorkflowExecutionTimedOutEventAttributes: attrs},
	})
	if next != nil {
		tx.startNext(*next)
	}
	return nil
}

// forceClose closes the run from outside its code. As in Temporal, a started
// workflow task is failed first (its completion will get NotFound), and
// buffered events are written before the close event.
func (tx *Tx) forceClose(status enumspb.WorkflowExecutionStatus, ev *historypb.HistoryEvent) {
	s := tx.S
	if wt := s.WorkflowTask; wt != nil && wt.StartedEventID != 0 {
		tx.add(&historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
			Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{
				ScheduledEventId: wt.ScheduledEventID,
				StartedEventId:   wt.StartedEventID,
				Cause:            enumspb.WORKFLOW_TASK_FAILED_CAUSE_FORCE_CLOSE_COMMAND,
				Identity:         serverIdentity,
			}},
		})
	}
	s.WorkflowTask = nil
	tx.flushBuffered()
	tx.closeRun(status, ev)
}

// closeRun writes the close event and drops everything pending.
func (tx *Tx) closeRun(status enumspb.WorkflowExecutionStatus, ev *historypb.HistoryEvent) {
	s := tx.S
	e := tx.add(ev)
	s.Status = status
	s.CloseTime = tx.Now
	s.CloseEventID = e.EventId
	s.WorkflowTask = nil
	s.WorkflowTaskNeeded = false
	s.StickyQueue = ""
	s.StickyTimeout = 0
	s.Activities = map[int64]*Activity{}
	s.Timers = map[string]*Timer{}
	for _, c := range sortedChildren(s.Children) {
		if c.RunID != "" {
			tx.ClosedChildren = append(tx.ClosedChildren, c)
		}
	}
	s.Children = nil
	s.ExternalSignals = nil
	s.ExternalCancels = nil
}
