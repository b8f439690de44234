package engine

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/serviceerror"
	apinexus "go.temporal.io/api/temporalnexus"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
)

// Nexus tasks: a run's pending Nexus start and cancel requests sit in the
// matching queue of the endpoint's target (the handler's namespace and task
// queue) as task refs pointing back at the calling run, like activity tasks.
// A poller that takes one marks the request dispatched in the caller's state
// (in memory) and gets the request; its answer names the caller, the
// operation and the attempt in the task token. A request a worker keeps past
// machine.NexusRequestTimeout fails the attempt, which is retried with
// backoff, as Temporal retries a Nexus call that timed out.

func (k taskKind) nexus() bool { return k == kindNexusStart || k == kindNexusCancel }

func nexusQueue(namespaceID, name string) matching.QueueKey {
	return matching.QueueKey{NamespaceID: namespaceID, Name: name, Kind: matching.Nexus}
}

// appendNexusMarks adds the run's Nexus requests that wait for a worker.
func appendNexusMarks(marks taskMarks, s *machine.State, p matching.Priority) taskMarks {
	for id, op := range s.NexusOperations {
		if op.State == machine.NexusScheduled {
			marks = append(marks, taskMark{kind: kindNexusStart, scheduledEventID: id, attempt: op.Attempt, priority: p})
		}
		if op.CancelPending() {
			marks = append(marks, taskMark{kind: kindNexusCancel, scheduledEventID: id, attempt: op.Cancel.Attempt, priority: p})
		}
	}
	return marks
}

func nexusQueueOf(s *machine.State, m taskMark) matching.QueueKey {
	op := s.NexusOperations[m.scheduledEventID]
	return nexusQueue(op.NamespaceID, op.TaskQueue)
}

// resolveNexusEndpoint finds where an endpoint's requests go.
func (e *Engine) resolveNexusEndpoint(ctx context.Context, name string) (machine.NexusTarget, bool) {
	ep, err := e.NexusEndpointByName(ctx, name)
	if err != nil {
		return machine.NexusTarget{}, false
	}
	w := ep.GetSpec().GetTarget().GetWorker()
	if w == nil {
		return machine.NexusTarget{}, false
	}
	ns, err := e.ns.lookup(ctx, w.GetNamespace())
	if err != nil {
		return machine.NexusTarget{}, false
	}
	return machine.NexusTarget{EndpointID: ep.Id, NamespaceID: ns.id, Namespace: ns.name, TaskQueue: w.GetTaskQueue()}, true
}

// nexusToken is the task token of a Nexus task: the handler's namespace, the
// calling run, the operation and the attempt the task carries.
type nexusToken struct {
	Namespace   string `json:"ns"`
	CallerNS    string `json:"cns"`
	WorkflowID  string `json:"wf"`
	RunID       string `json:"run"`
	ScheduledID int64  `json:"op"`
	Attempt     int32  `json:"att"`
	Cancel      bool   `json:"cancel,omitempty"`
}

func (t nexusToken) caller() runKey { return runKey{t.CallerNS, t.WorkflowID, t.RunID} }

func decodeNexusToken(b []byte, namespaceID string) (nexusToken, error) {
	var t nexusToken
	if err := json.Unmarshal(b, &t); err != nil || t.RunID == "" || t.ScheduledID <= 0 || t.Attempt <= 0 {
		return t, serviceerror.NewInvalidArgument("Error deserializing task token.")
	}
	if t.Namespace != namespaceID {
		return t, serviceerror.NewInvalidArgument("Operation requested with a token from a different namespace.")
	}
	return t, nil
}

// PollNexusTaskQueue hands a worker the next Nexus request of its queue.
func (e *Engine) PollNexusTaskQueue(ctx context.Context, req *workflowservice.PollNexusTaskQueueRequest) (*workflowservice.PollNexusTaskQueueResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q := nexusQueue(ns.id, req.GetTaskQueue().GetName())
	poller := matching.PollerInfo{Identity: req.Identity}
	until := e.longPollDeadline(ctx, taskLongPoll)
	for {
		wait := until.Sub(wallNow())
		if wait <= 0 {
			return &workflowservice.PollNexusTaskQueueResponse{}, nil
		}
		ref, ok := e.tasks.Poll(ctx, q, poller, wait)
		if !ok {
			return &workflowservice.PollNexusTaskQueueResponse{}, nil
		}
		resp, err := e.startNexusTask(ctx, ns.id, ref)
		if errors.Is(err, machine.ErrStale) || isNotFoundErr(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		return resp, nil
	}
}

// startNexusTask marks the request ref points at dispatched and builds it.
func (e *Engine) startNexusTask(ctx context.Context, namespaceID string, ref taskRef) (*workflowservice.PollNexusTaskQueueResponse, error) {
	cancel := ref.kind == kindNexusCancel
	var op machine.NexusOperation
	r, err := e.updateInMemory(ctx, ref.run, func(r *run, tx *machine.Tx) error {
		o, err := tx.DispatchNexus(ref.scheduledEventID, ref.attempt, cancel)
		if err == nil {
			op = *o
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	callerNS := r.state.Namespace
	r.mu.Unlock()
	token, err := json.Marshal(nexusToken{Namespace: namespaceID, CallerNS: ref.run.namespaceID, WorkflowID: ref.run.workflowID, RunID: ref.run.runID,
		ScheduledID: ref.scheduledEventID, Attempt: ref.attempt, Cancel: cancel})
	if err != nil {
		return nil, fmt.Errorf("encoding a Nexus task token: %w", err)
	}
	request := &nexuspb.Request{
		ScheduledTime: timestamppb.New(op.ScheduledTime),
		Endpoint:      op.Endpoint,
		Capabilities:  &nexuspb.Request_Capabilities{TemporalFailureResponses: true},
	}
	header := map[string]string{"request-timeout": formatNexusDuration(machine.NexusRequestTimeout)}
	if cancel {
		request.Variant = &nexuspb.Request_CancelOperation{CancelOperation: &nexuspb.CancelOperationRequest{
			Service: op.Service, Operation: op.Operation, OperationId: op.OperationToken, OperationToken: op.OperationToken,
		}}
		request.Header = header
		return &workflowservice.PollNexusTaskQueueResponse{TaskToken: token, Request: request}, nil
	}
	ev, err := e.readEvent(ctx, ref.run, ref.scheduledEventID)
	if err != nil {
		return nil, err
	}
	a := ev.GetNexusOperationScheduledEventAttributes()
	if a == nil {
		return nil, fmt.Errorf("event %d of run %s is not NexusOperationScheduled", ref.scheduledEventID, ref.run.runID)
	}
	for k, v := range a.GetNexusHeader() {
		header[k] = v
	}
	if remaining := nexusOperationTimeout(op, e.clock.Now()); remaining > 0 {
		header["operation-timeout"] = formatNexusDuration(remaining)
	}
	request.Header = header
	callbackToken, err := encodeCallbackToken(nexusCallbackToken{CallerNS: ref.run.namespaceID, WorkflowID: ref.run.workflowID, RunID: ref.run.runID, ScheduledID: ref.scheduledEventID})
	if err != nil {
		return nil, err
	}
	scheduledLink := &commonpb.Link{Variant: &commonpb.Link_WorkflowEvent_{WorkflowEvent: &commonpb.Link_WorkflowEvent{
		Namespace: callerNS, WorkflowId: ref.run.workflowID, RunId: ref.run.runID,
		Reference: &commonpb.Link_WorkflowEvent_EventRef{EventRef: &commonpb.Link_WorkflowEvent_EventReference{
			EventId: ref.scheduledEventID, EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
		}},
	}}}
	if isStandaloneNexusRun(ref.run) {
		scheduledLink = standaloneNexusLink(callerNS, ref.run)
	}
	start := &nexuspb.StartOperationRequest{
		Service:        op.Service,
		Operation:      op.Operation,
		RequestId:      op.RequestID,
		Callback:       nexusSystemCallbackURL,
		Payload:        a.GetInput(),
		CallbackHeader: map[string]string{nexusCallbackTokenHeader: callbackToken},
	}
	if l, ok := apinexus.CommonLinkToNexusLink(scheduledLink); ok {
		start.Links = []*nexuspb.Link{l}
	}
	request.Variant = &nexuspb.Request_StartOperation{StartOperation: start}
	return &workflowservice.PollNexusTaskQueueResponse{TaskToken: token, Request: request}, nil
}

// nexusOperationTimeout is how long the operation may still run, 0 if unbounded.
func nexusOperationTimeout(op machine.NexusOperation, now time.Time) time.Duration {
	var out time.Duration
	if op.ScheduleToClose > 0 {
		out = op.ScheduledTime.Add(op.ScheduleToClose).Sub(now)
	}
	if op.StartToClose > 0 && (out == 0 || op.StartToClose < out) {
		out = op.StartToClose
	}
	return max(out, 0)
}

// formatNexusDuration writes a duration as Nexus headers carry it.
func formatNexusDuration(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

// RespondNexusTaskCompleted records a worker's answer to a Nexus request.
func (e *Engine) RespondNexusTaskCompleted(ctx context.Context, req *workflowservice.RespondNexusTaskCompletedRequest) (*workflowservice.RespondNexusTaskCompletedResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	t, err := decodeNexusToken(req.GetTaskToken(), ns.id)
	if err != nil {
		return nil, err
	}
	err = e.update(ctx, t.caller(), func(r *run, tx *machine.Tx) error {
		if t.Cancel {
			if req.GetResponse().GetCancelOperation() == nil {
				return serviceerror.NewInvalidArgument("Response to a cancel request must be a CancelOperation response.")
			}
			return tx.NexusCancelAnswered(t.ScheduledID, t.Attempt, nil, false)
		}
		start := req.GetResponse().GetStartOperation()
		if start == nil {
			return serviceerror.NewInvalidArgument("Response to a start request must be a StartOperation response.")
		}
		switch v := start.GetVariant().(type) {
		case *nexuspb.StartOperationResponse_SyncSuccess:
			return tx.NexusStartCompleted(t.ScheduledID, t.Attempt, v.SyncSuccess.GetPayload(), commonLinks(v.SyncSuccess.GetLinks()))
		case *nexuspb.StartOperationResponse_AsyncSuccess:
			token := v.AsyncSuccess.GetOperationToken()
			if token == "" {
				token = v.AsyncSuccess.GetOperationId()
			}
			return tx.NexusStartAsync(t.ScheduledID, t.Attempt, token, commonLinks(v.AsyncSuccess.GetLinks()))
		case *nexuspb.StartOperationResponse_Failure:
			return tx.NexusStartFailed(t.ScheduledID, t.Attempt, v.Failure, false)
		case *nexuspb.StartOperationResponse_OperationError:
			return tx.NexusStartFailed(t.ScheduledID, t.Attempt, operationErrorFailure(v.OperationError), false)
		default:
			return serviceerror.NewInvalidArgument("StartOperation response is not set.")
		}
	})
	if err != nil {
		return nil, nexusRespondError(err)
	}
	return &workflowservice.RespondNexusTaskCompletedResponse{}, nil
}

// RespondNexusTaskFailed records a handler error: retried unless the error
// says it must not be.
func (e *Engine) RespondNexusTaskFailed(ctx context.Context, req *workflowservice.RespondNexusTaskFailedRequest) (*workflowservice.RespondNexusTaskFailedResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	t, err := decodeNexusToken(req.GetTaskToken(), ns.id)
	if err != nil {
		return nil, err
	}
	failure, retryable := handlerErrorFailure(req)
	err = e.update(ctx, t.caller(), func(r *run, tx *machine.Tx) error {
		if t.Cancel {
			return tx.NexusCancelAnswered(t.ScheduledID, t.Attempt, failure, retryable)
		}
		return tx.NexusStartFailed(t.ScheduledID, t.Attempt, failure, retryable)
	})
	if err != nil {
		return nil, nexusRespondError(err)
	}
	return &workflowservice.RespondNexusTaskFailedResponse{}, nil
}

// nexusRespondError turns a stale answer into Temporal's NotFound.
func nexusRespondError(err error) error {
	if errors.Is(err, machine.ErrStale) || isNotFoundErr(err) {
		return serviceerror.NewNotFound("Nexus task not found or already expired")
	}
	return err
}

// commonLinks converts the links a handler returned, dropping those that
// are not Temporal links.
func commonLinks(links []*nexuspb.Link) []*commonpb.Link {
	var out []*commonpb.Link
	for _, l := range links {
		if c, ok := apinexus.NexusLinkToCommonLink(l); ok {
			out = append(out, c)
		}
	}
	return out
}

// operationErrorFailure converts an old-style operation error.
func operationErrorFailure(oe *nexuspb.UnsuccessfulOperationError) *failurepb.Failure {
	msg := oe.GetFailure().GetMessage()
	if oe.GetOperationState() == "canceled" {
		return &failurepb.Failure{Message: msg, FailureInfo: &failurepb.Failure_CanceledFailureInfo{CanceledFailureInfo: &failurepb.CanceledFailureInfo{}}}
	}
	return &failurepb.Failure{Message: msg, FailureInfo: &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{Type: "OperationError", NonRetryable: true}}}
}

// handlerErrorFailure converts a worker's handler error to the failure the
// caller sees, and says whether the request should be retried: Temporal
// retries every handler error type except bad request, unauthenticated,
// unauthorized, not found, not implemented and a request the worker marks
// non-retryable.
func handlerErrorFailure(req *workflowservice.RespondNexusTaskFailedRequest) (*failurepb.Failure, bool) {
	if f := req.GetFailure(); f != nil {
		info := f.GetNexusHandlerFailureInfo()
		return f, handlerErrorRetryable(info.GetType(), info.GetRetryBehavior())
	}
	he := req.GetError()
	f := &failurepb.Failure{
		Message: he.GetFailure().GetMessage(),
		FailureInfo: &failurepb.Failure_NexusHandlerFailureInfo{NexusHandlerFailureInfo: &failurepb.NexusHandlerFailureInfo{
			Type: he.GetErrorType(), RetryBehavior: he.GetRetryBehavior(),
		}},
	}
	return f, handlerErrorRetryable(he.GetErrorType(), he.GetRetryBehavior())
}

func handlerErrorRetryable(typ string, behavior enumspb.NexusHandlerErrorRetryBehavior) bool {
	switch behavior {
	case enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_RETRYABLE:
		return true
	case enumspb.NEXUS_HANDLER_ERROR_RETRY_BEHAVIOR_NON_RETRYABLE:
		return false
	}
	switch typ {
	case "BAD_REQUEST", "UNAUTHENTICATED", "UNAUTHORIZED", "NOT_FOUND", "NOT_IMPLEMENTED", "CONFLICT":
		return false
	}
	return true
}
