package machine

import (
	"fmt"
	"maps"
	"strings"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// NexusOpState is where a Nexus operation a run scheduled is in its life.
type NexusOpState int8

// Nexus operation states.
const (
	// NexusScheduled waits for a worker of the endpoint's target queue to
	// take its start request.
	NexusScheduled NexusOpState = iota
	// NexusDispatched: a worker took the start request and has not answered.
	NexusDispatched
	// NexusBackoff waits for its next start attempt.
	NexusBackoff
	// NexusStarted: the handler started an asynchronous operation, whose
	// outcome arrives by callback.
	NexusStarted
)

// Nexus limits and timings, Temporal's defaults.
const (
	// MaxPendingNexusOperations bounds the open operations of one run
	// (Temporal's MaxConcurrentOperations).
	MaxPendingNexusOperations = 30
	// NexusRequestTimeout bounds how long one start or cancel request may
	// stay with a worker before it counts as failed and is retried.
	NexusRequestTimeout = 10 * time.Second
	// MaxNexusServiceNameLength and MaxNexusOperationNameLength bound names.
	MaxNexusServiceNameLength   = 1000
	MaxNexusOperationNameLength = 1000
	// MaxNexusHeaderSize bounds the caller's Nexus header (keys and values).
	MaxNexusHeaderSize = 8 * 1024
	// nexusRetryMax caps the wait between attempts.
	nexusRetryMax = time.Minute
)

// NexusTarget is a resolved endpoint: where its requests go.
type NexusTarget struct {
	EndpointID  string
	NamespaceID string
	Namespace   string
	TaskQueue   string
}

// NexusOperation is one Nexus operation the run scheduled, across its start
// attempts.
type NexusOperation struct {
	ScheduledEventID int64        `json:",omitzero"`
	Endpoint         string       `json:",omitzero"`
	EndpointID       string       `json:",omitzero"`
	Service          string       `json:",omitzero"`
	Operation        string       `json:",omitzero"`
	NamespaceID      string       `json:",omitzero"` // the handler's
	Namespace        string       `json:",omitzero"`
	TaskQueue        string       `json:",omitzero"`
	RequestID        string       `json:",omitzero"`
	State            NexusOpState `json:",omitzero"`
	// Attempt counts start requests; a worker's answer names the attempt
	// it answers, so a late answer to an earlier one is stale.
	Attempt       int32     `json:",omitzero"`
	ScheduledTime time.Time `json:",omitzero"`
	// AttemptTime is when the current attempt was scheduled, then when it
	// was dispatched (a request no worker takes within NexusRequestTimeout
	// fails as one no worker answers in that time, as Temporal's request
	// timeout covers the wait for a poller), or, in
	// backoff, when the next one may be.
	AttemptTime     time.Time     `json:",omitzero"`
	StartedTime     time.Time     `json:",omitzero"`
	ScheduleToClose time.Duration `json:",omitzero"`
	ScheduleToStart time.Duration `json:",omitzero"`
	StartToClose    time.Duration `json:",omitzero"`
	OperationToken  string        `json:",omitzero"`
	LastFailure     string        `json:",omitzero"` // message of the last failed attempt
	// LastAttemptTime is when the last start request ended (answered or
	// timed out), LastAttemptFailure (an encoded failurepb.Failure) how it
	// failed, nil once an attempt succeeded.
	LastAttemptTime    time.Time `json:",omitzero"`
	LastAttemptFailure []byte    `json:",omitzero"`
	// Handler is the workflow behind an asynchronous operation, when the
	// handler's start response linked to it.
	Handler *commonpb.WorkflowExecution `json:",omitzero"`
	// HandlerNamespace is the handler workflow's namespace name.
	HandlerNamespace string `json:",omitzero"`
	// Cancel is set once the workflow asked to cancel the operation.
	Cancel *NexusCancel `json:",omitzero"`
}

// NexusCancel is the cancel request of a Nexus operation. Its request goes to
// the handler only once the operation has started (it needs the token).
type NexusCancel struct {
	RequestedEventID int64        `json:",omitzero"`
	State            NexusOpState `json:",omitzero"` // Scheduled, Dispatched or Backoff
	Attempt          int32        `json:",omitzero"`
	AttemptTime      time.Time    `json:",omitzero"`
	// Done is set once the handler answered (completed or failed).
	Done bool `json:",omitzero"`
	// RequestedTime is when the workflow asked to cancel; LastAttemptTime
	// and LastAttemptFailure describe the last cancel request as for the
	// operation's start requests.
	RequestedTime      time.Time `json:",omitzero"`
	LastAttemptTime    time.Time `json:",omitzero"`
	LastAttemptFailure []byte    `json:",omitzero"`
}

// CancelPending reports whether the cancel request waits for a worker.
func (op *NexusOperation) CancelPending() bool {
	c := op.Cancel
	return c != nil && !c.Done && op.State == NexusStarted && c.State == NexusScheduled
}

// scheduleNexusOperation applies a ScheduleNexusOperation command.
func (tx *Tx) scheduleNexusOperation(i int, a *commandpb.ScheduleNexusOperationCommandAttributes, completedID int64, cmd *commandpb.Command) error {
	bad := func(format string, args ...any) error {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES, Message: fmt.Sprintf(format, args...)}
	}
	var target NexusTarget
	ok := false
	if tx.NexusEndpoints != nil {
		target, ok = tx.NexusEndpoints(a.Endpoint)
	}
	if !ok {
		return bad("endpoint %q not found", a.Endpoint)
	}
	if len(a.Service) > MaxNexusServiceNameLength {
		return bad("ScheduleNexusOperationCommandAttributes.Service exceeds length limit of %d", MaxNexusServiceNameLength)
	}
	if len(a.Operation) > MaxNexusOperationNameLength {
		return bad("ScheduleNexusOperationCommandAttributes.Operation exceeds length limit of %d", MaxNexusOperationNameLength)
	}
	for name, d := range map[string]*durationpb.Duration{"ScheduleToCloseTimeout": a.ScheduleToCloseTimeout, "ScheduleToStartTimeout": a.ScheduleToStartTimeout, "StartToCloseTimeout": a.StartToCloseTimeout} {
		if d != nil && (d.CheckValid() != nil || d.AsDuration() < 0) {
			return bad("ScheduleNexusOperationCommandAttributes.%s is invalid: negative or out of range", name)
		}
	}
	header := make(map[string]string, len(a.NexusHeader))
	size := 0
	for k, v := range a.NexusHeader {
		lk := strings.ToLower(k)
		header[lk] = v
		size += len(lk) + len(v)
		if nexusHeaderDisallowed(lk) {
			return bad("ScheduleNexusOperationCommandAttributes.NexusHeader contains a disallowed header key: %q", k)
		}
	}
	if size > MaxNexusHeaderSize {
		return bad("ScheduleNexusOperationCommandAttributes.NexusHeader exceeds size limit")
	}
	if len(tx.S.NexusOperations) >= MaxPendingNexusOperations {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_NEXUS_OPERATIONS_LIMIT_EXCEEDED,
			Message: fmt.Sprintf("workflow has reached the pending nexus operation limit of %d for this namespace", MaxPendingNexusOperations)}
	}
	s2c := a.GetScheduleToCloseTimeout().AsDuration()
	if tx.S.RunTimeout > 0 && (s2c == 0 || s2c > tx.S.RunTimeout) {
		s2c = tx.S.RunTimeout
	}
	s2s := min(a.GetScheduleToStartTimeout().AsDuration(), nonZeroOr(s2c, a.GetScheduleToStartTimeout().AsDuration()))
	st2c := min(a.GetStartToCloseTimeout().AsDuration(), nonZeroOr(s2c, a.GetStartToCloseTimeout().AsDuration()))
	attrs := &historypb.NexusOperationScheduledEventAttributes{
		Endpoint:                     a.Endpoint,
		EndpointId:                   target.EndpointID,
		Service:                      a.Service,
		Operation:                    a.Operation,
		Input:                        a.Input,
		NexusHeader:                  header,
		RequestId:                    fmt.Sprintf("%s-%d", tx.S.RunID, tx.S.NextEventID),
		WorkflowTaskCompletedEventId: completedID,
	}
	if s2c > 0 {
		attrs.ScheduleToCloseTimeout = durationpb.New(s2c)
	}
	if s2s > 0 {
		attrs.ScheduleToStartTimeout = durationpb.New(s2s)
	}
	if st2c > 0 {
		attrs.StartToCloseTimeout = durationpb.New(st2c)
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
		UserMetadata: cmd.UserMetadata,
		Attributes:   &historypb.HistoryEvent_NexusOperationScheduledEventAttributes{NexusOperationScheduledEventAttributes: attrs},
	})
	if tx.S.NexusOperations == nil {
		tx.S.NexusOperations = map[int64]*NexusOperation{}
	}
	tx.S.NexusOperations[ev.EventId] = &NexusOperation{
		ScheduledEventID: ev.EventId,
		Endpoint:         a.Endpoint,
		EndpointID:       target.EndpointID,
		Service:          a.Service,
		Operation:        a.Operation,
		NamespaceID:      target.NamespaceID,
		Namespace:        target.Namespace,
		TaskQueue:        target.TaskQueue,
		RequestID:        attrs.RequestId,
		State:            NexusScheduled,
		Attempt:          1,
		ScheduledTime:    tx.Now,
		AttemptTime:      tx.Now,
		ScheduleToClose:  s2c,
		ScheduleToStart:  s2s,
		StartToClose:     st2c,
	}
	return nil
}

func nonZeroOr(d, fallback time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return fallback
}

// nexusHeaderDisallowed lists the header keys a workflow may not set, as
// Temporal's default configuration does.
func nexusHeaderDisallowed(key string) bool {
	switch key {
	case "request-timeout", "operation-timeout", "temporal-nexus-failure-support":
		return true
	}
	return false
}

// requestCancelNexusOperation applies a RequestCancelNexusOperation command.
func (tx *Tx) requestCancelNexusOperation(i int, scheduledID, completedID int64, cmd *commandpb.Command) error {
	bad := func(format string, args ...any) error {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES, Message: fmt.Sprintf(format, args...)}
	}
	op := tx.S.NexusOperations[scheduledID]
	if op == nil {
		if tx.nexusOutcomeBuffered(scheduledID) {
			return nil // its outcome is buffered: the cancel is moot
		}
		return bad("requested cancelation for a non-existing or already completed operation with scheduled event ID of %d", scheduledID)
	}
	if op.Cancel != nil {
		return bad("cancelation was already requested for an operation with scheduled event ID %d", scheduledID)
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes{NexusOperationCancelRequestedEventAttributes: &historypb.NexusOperationCancelRequestedEventAttributes{
			ScheduledEventId: scheduledID, WorkflowTaskCompletedEventId: completedID,
		}},
	})
	op.Cancel = &NexusCancel{RequestedEventID: ev.EventId, State: NexusScheduled, Attempt: 1, RequestedTime: tx.Now}
	return nil
}

// nexusOutcomeBuffered reports whether an outcome of the operation waits in
// the buffer (it was removed from the state when it arrived).
func (tx *Tx) nexusOutcomeBuffered(scheduledID int64) bool {
	for _, ev := range tx.S.Buffered {
		if nexusScheduledIDOf(ev) == scheduledID {
			return true
		}
	}
	return false
}

func nexusScheduledIDOf(ev *historypb.HistoryEvent) int64 {
	switch ev.EventType {
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED:
		return ev.GetNexusOperationCompletedEventAttributes().GetScheduledEventId()
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED:
		return ev.GetNexusOperationFailedEventAttributes().GetScheduledEventId()
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED:
		return ev.GetNexusOperationCanceledEventAttributes().GetScheduledEventId()
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT:
		return ev.GetNexusOperationTimedOutEventAttributes().GetScheduledEventId()
	}
	return 0
}

// DispatchNexus records that a worker took the start request (cancel false)
// or the cancel request (cancel true) of attempt of the operation.
func (tx *Tx) DispatchNexus(scheduledID int64, attempt int32, cancel bool) (*NexusOperation, error) {
	op := tx.S.NexusOperations[scheduledID]
	if !tx.S.Open() || op == nil {
		return nil, ErrStale
	}
	if cancel {
		if !op.CancelPending() || op.Cancel.Attempt != attempt {
			return nil, ErrStale
		}
		op.Cancel.State, op.Cancel.AttemptTime = NexusDispatched, tx.Now
		return op, nil
	}
	if op.State != NexusScheduled || op.Attempt != attempt {
		return nil, ErrStale
	}
	op.State, op.AttemptTime = NexusDispatched, tx.Now
	return op, nil
}

// nexusDispatched finds the operation whose request of attempt is with a
// worker.
func (tx *Tx) nexusDispatched(scheduledID int64, attempt int32, cancel bool) (*NexusOperation, error) {
	op := tx.S.NexusOperations[scheduledID]
	if !tx.S.Open() || op == nil {
		return nil, ErrStale
	}
	if cancel {
		if op.Cancel == nil || op.Cancel.Done || op.Cancel.State != NexusDispatched || op.Cancel.Attempt != attempt {
			return nil, ErrStale
		}
		return op, nil
	}
	if op.State != NexusDispatched || op.Attempt != attempt {
		return nil, ErrStale
	}
	return op, nil
}

// NexusStartCompleted records a synchronous result.
func (tx *Tx) NexusStartCompleted(scheduledID int64, attempt int32, result *commonpb.Payload, links []*commonpb.Link) error {
	op, err := tx.nexusDispatched(scheduledID, attempt, false)
	if err != nil {
		return err
	}
	tx.closeNexus(op, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED,
		Links:     links,
		Attributes: &historypb.HistoryEvent_NexusOperationCompletedEventAttributes{NexusOperationCompletedEventAttributes: &historypb.NexusOperationCompletedEventAttributes{
			ScheduledEventId: scheduledID, Result: result, RequestId: op.RequestID,
		}},
	})
	return nil
}

// NexusStartAsync records that the handler started an asynchronous operation.
func (tx *Tx) NexusStartAsync(scheduledID int64, attempt int32, token string, links []*commonpb.Link) error {
	op, err := tx.nexusDispatched(scheduledID, attempt, false)
	if err != nil {
		return err
	}
	tx.startNexus(op, token, links)
	return nil
}

func (tx *Tx) startNexus(op *NexusOperation, token string, links []*commonpb.Link) {
	tx.addExternal(tx.nexusStartedEvent(op, token, links))
}

// startNexusQuietly records the start without scheduling a workflow task
// (one is scheduled by the event that follows).
func (tx *Tx) startNexusQuietly(op *NexusOperation, token string, links []*commonpb.Link) {
	ev := tx.nexusStartedEvent(op, token, links)
	if tx.S.WorkflowTaskStarted() {
		tx.addExternal(ev)
		return
	}
	tx.add(ev)
}

func (tx *Tx) nexusStartedEvent(op *NexusOperation, token string, links []*commonpb.Link) *historypb.HistoryEvent {
	op.State, op.StartedTime, op.OperationToken = NexusStarted, tx.Now, token
	op.LastAttemptTime, op.LastAttemptFailure = tx.Now, nil
	for _, l := range links {
		if we := l.GetWorkflowEvent(); we != nil && we.GetWorkflowId() != "" {
			op.Handler = &commonpb.WorkflowExecution{WorkflowId: we.GetWorkflowId(), RunId: we.GetRunId()}
			op.HandlerNamespace = we.GetNamespace()
			break
		}
	}
	return &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED,
		Links:     links,
		Attributes: &historypb.HistoryEvent_NexusOperationStartedEventAttributes{NexusOperationStartedEventAttributes: &historypb.NexusOperationStartedEventAttributes{
			ScheduledEventId: op.ScheduledEventID, OperationId: token, OperationToken: token, RequestId: op.RequestID,
		}},
	}
}

// NexusStartFailed records a start request that failed. A retryable failure
// backs the operation off for another attempt; otherwise the operation ends:
// canceled when the handler said so, failed if not.
func (tx *Tx) NexusStartFailed(scheduledID int64, attempt int32, cause *failurepb.Failure, retryable bool) error {
	op, err := tx.nexusDispatched(scheduledID, attempt, false)
	if err != nil {
		return err
	}
	if retryable {
		tx.backoffNexus(op, cause)
		return nil
	}
	tx.finishNexusUnsuccessfully(op, cause)
	return nil
}

// finishNexusUnsuccessfully closes the operation as canceled when cause is a
// cancellation, else as failed.
func (tx *Tx) finishNexusUnsuccessfully(op *NexusOperation, cause *failurepb.Failure) {
	failure := tx.nexusFailure(op, cause)
	if cause.GetCanceledFailureInfo() != nil {
		tx.closeNexus(op, &historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED,
			Attributes: &historypb.HistoryEvent_NexusOperationCanceledEventAttributes{NexusOperationCanceledEventAttributes: &historypb.NexusOperationCanceledEventAttributes{
				ScheduledEventId: op.ScheduledEventID, Failure: failure, RequestId: op.RequestID,
			}},
		})
		return
	}
	tx.closeNexus(op, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED,
		Attributes: &historypb.HistoryEvent_NexusOperationFailedEventAttributes{NexusOperationFailedEventAttributes: &historypb.NexusOperationFailedEventAttributes{
			ScheduledEventId: op.ScheduledEventID, Failure: failure, RequestId: op.RequestID,
		}},
	})
}

// NexusDispatchTimedOut fails a start or cancel attempt whose worker did not
// answer in time.
func (tx *Tx) backoffNexus(op *NexusOperation, cause *failurepb.Failure) {
	op.LastFailure = cause.GetMessage()
	op.LastAttemptTime, op.LastAttemptFailure = tx.Now, encodeFailure(cause)
	op.State = NexusBackoff
	op.AttemptTime = tx.Now.Add(nexusRetryDelay(op.Attempt))
	op.Attempt++
}

func nexusRetryDelay(attempt int32) time.Duration {
	d := time.Second
	for i := int32(1); i < attempt && d < nexusRetryMax; i++ {
		d *= 2
	}
	return min(d, nexusRetryMax)
}

// nexusFailure wraps the handler's failure the way the caller's SDK expects
// it: a NexusOperationFailureInfo failure whose cause is the handler's.
func (tx *Tx) nexusFailure(op *NexusOperation, cause *failurepb.Failure) *failurepb.Failure {
	return &failurepb.Failure{
		Message: "nexus operation completed unsuccessfully",
		FailureInfo: &failurepb.Failure_NexusOperationExecutionFailureInfo{NexusOperationExecutionFailureInfo: &failurepb.NexusOperationFailureInfo{
			Endpoint: op.Endpoint, Service: op.Service, Operation: op.Operation,
			OperationId: op.OperationToken, OperationToken: op.OperationToken, ScheduledEventId: op.ScheduledEventID,
		}},
		Cause: cause,
	}
}

// closeNexus writes the operation's final event and forgets it.
func (tx *Tx) closeNexus(op *NexusOperation, ev *historypb.HistoryEvent) {
	tx.keepStandaloneNexus(op)
	delete(tx.S.NexusOperations, op.ScheduledEventID)
	tx.addExternal(ev)
}

// NexusOutcome is how an asynchronous operation ended, as its callback says.
type NexusOutcome struct {
	// Result is set when it completed; Failure when it failed or was
	// canceled (a CanceledFailureInfo failure).
	Result  *commonpb.Payload
	Failure *failurepb.Failure
	// Token and Links describe the operation when the callback arrives
	// before the start response did.
	Token string
	Links []*commonpb.Link
}

// NexusCompleted records the outcome a callback delivered. A callback may
// beat the start response: the operation is then recorded as started first.
func (tx *Tx) NexusCompleted(scheduledID int64, out NexusOutcome) error {
	op := tx.S.NexusOperations[scheduledID]
	if !tx.S.Open() || op == nil {
		return ErrStale
	}
	if op.State != NexusStarted {
		// Started, then the outcome, in one batch: the outcome's write
		// schedules the workflow task.
		tx.startNexusQuietly(op, out.Token, out.Links)
	}
	if out.Failure != nil {
		tx.finishNexusUnsuccessfully(op, out.Failure)
		return nil
	}
	tx.closeNexus(op, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED,
		Attributes: &historypb.HistoryEvent_NexusOperationCompletedEventAttributes{NexusOperationCompletedEventAttributes: &historypb.NexusOperationCompletedEventAttributes{
			ScheduledEventId: scheduledID, Result: out.Result, RequestId: op.RequestID,
		}},
	})
	return nil
}

// NexusCancelAnswered records the handler's answer to a cancel request: nil
// failure for accepted; a retryable failure backs the request off.
func (tx *Tx) NexusCancelAnswered(scheduledID int64, attempt int32, failure *failurepb.Failure, retryable bool) error {
	op, err := tx.nexusDispatched(scheduledID, attempt, true)
	if err != nil {
		return err
	}
	c := op.Cancel
	c.LastAttemptTime, c.LastAttemptFailure = tx.Now, encodeFailure(failure)
	if failure != nil && retryable {
		c.State = NexusBackoff
		c.AttemptTime = tx.Now.Add(nexusRetryDelay(c.Attempt))
		c.Attempt++
		return nil
	}
	c.Done = true
	if failure == nil {
		tx.addExternal(&historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED,
			Attributes: &historypb.HistoryEvent_NexusOperationCancelRequestCompletedEventAttributes{NexusOperationCancelRequestCompletedEventAttributes: &historypb.NexusOperationCancelRequestCompletedEventAttributes{
				RequestedEventId: c.RequestedEventID, ScheduledEventId: scheduledID,
			}},
		})
		return nil
	}
	tx.addExternal(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_FAILED,
		Attributes: &historypb.HistoryEvent_NexusOperationCancelRequestFailedEventAttributes{NexusOperationCancelRequestFailedEventAttributes: &historypb.NexusOperationCancelRequestFailedEventAttributes{
			RequestedEventId: c.RequestedEventID, ScheduledEventId: scheduledID, Failure: failure,
		}},
	})
	return nil
}

// nexusDeadline is one thing about an operation that falls due.
type nexusDeadline struct {
	at      time.Time
	timeout enumspb.TimeoutType // UNSPECIFIED: a request or backoff deadline
}

// deadlines lists what falls due for the operation.
func (op *NexusOperation) deadlines() []nexusDeadline {
	var out []nexusDeadline
	if op.ScheduleToClose > 0 {
		out = append(out, nexusDeadline{op.ScheduledTime.Add(op.ScheduleToClose), enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE})
	}
	if op.State != NexusStarted && op.ScheduleToStart > 0 {
		out = append(out, nexusDeadline{op.ScheduledTime.Add(op.ScheduleToStart), enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START})
	}
	if op.State == NexusStarted && op.StartToClose > 0 {
		out = append(out, nexusDeadline{op.StartedTime.Add(op.StartToClose), enumspb.TIMEOUT_TYPE_START_TO_CLOSE})
	}
	switch op.State {
	case NexusScheduled:
		if !op.AttemptTime.IsZero() {
			out = append(out, nexusDeadline{at: op.AttemptTime.Add(NexusRequestTimeout)})
		}
	case NexusDispatched:
		out = append(out, nexusDeadline{at: op.AttemptTime.Add(NexusRequestTimeout)})
	case NexusBackoff:
		out = append(out, nexusDeadline{at: op.AttemptTime})
	}
	if c := op.Cancel; c != nil && !c.Done {
		switch c.State {
		case NexusDispatched:
			out = append(out, nexusDeadline{at: c.AttemptTime.Add(NexusRequestTimeout)})
		case NexusBackoff:
			out = append(out, nexusDeadline{at: c.AttemptTime})
		}
	}
	return out
}

// fireNexusDeadlines handles the operations' due deadlines; it reports
// whether anything changed.
func (tx *Tx) fireNexusDeadlines() bool {
	changed := false
	due := func(t time.Time) bool { return !t.IsZero() && !tx.Now.Before(t) }
	for _, id := range sortedKeys(tx.S.NexusOperations) {
		op := tx.S.NexusOperations[id]
		timedOut := false
		for _, d := range op.deadlines() {
			if d.timeout != enumspb.TIMEOUT_TYPE_UNSPECIFIED && due(d.at) {
				tx.timeoutNexus(op, d.timeout)
				timedOut, changed = true, true
				break
			}
		}
		if timedOut {
			continue
		}
		switch {
		case (op.State == NexusDispatched || op.State == NexusScheduled && !op.AttemptTime.IsZero()) && due(op.AttemptTime.Add(NexusRequestTimeout)):
			tx.backoffNexus(op, nexusUpstreamTimeout())
			changed = true
		case op.State == NexusBackoff && due(op.AttemptTime):
			tx.retargetNexus(op)
			changed = true
		}
		if c := op.Cancel; c != nil && !c.Done {
			switch {
			case c.State == NexusDispatched && due(c.AttemptTime.Add(NexusRequestTimeout)):
				c.State, c.AttemptTime = NexusBackoff, tx.Now.Add(nexusRetryDelay(c.Attempt))
				c.LastAttemptTime, c.LastAttemptFailure = tx.Now, encodeFailure(nexusUpstreamTimeout())
				c.Attempt++
				changed = true
			case c.State == NexusBackoff && due(c.AttemptTime):
				c.State = NexusScheduled
				changed = true
			}
		}
	}
	return changed
}

func (tx *Tx) timeoutNexus(op *NexusOperation, kind enumspb.TimeoutType) {
	tx.closeNexus(op, &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT,
		Attributes: &historypb.HistoryEvent_NexusOperationTimedOutEventAttributes{NexusOperationTimedOutEventAttributes: &historypb.NexusOperationTimedOutEventAttributes{
			ScheduledEventId: op.ScheduledEventID,
			RequestId:        op.RequestID,
			Failure: tx.nexusFailure(op, &failurepb.Failure{
				Message:     "operation timed out",
				FailureInfo: &failurepb.Failure_TimeoutFailureInfo{TimeoutFailureInfo: &failurepb.TimeoutFailureInfo{TimeoutType: kind}},
			}),
		}},
	})
}

// nextNexusDeadline is the earliest deadline of the run's operations.
func (s *State) nextNexusDeadline(consider func(time.Time)) {
	for _, op := range s.NexusOperations {
		for _, d := range op.deadlines() {
			consider(d.at)
		}
	}
}

func sortedKeys[V any](m map[int64]V) []int64 {
	keys := make([]int64, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// cloneNexusOperations deep-copies the run's operations.
func cloneNexusOperations(m map[int64]*NexusOperation) map[int64]*NexusOperation {
	if m == nil {
		return nil
	}
	out := maps.Clone(m)
	for k, op := range m {
		c := *op
		// Handler is never changed in place: sharing it is safe.
		if op.Cancel != nil {
			cc := *op.Cancel
			c.Cancel = &cc
		}
		out[k] = &c
	}
	return out
}
