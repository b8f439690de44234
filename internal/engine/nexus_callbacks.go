package engine

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// Completion callbacks: the start request of an asynchronous Nexus operation
// carries Temporal's system callback URL and a header whose token names the
// calling run and operation. A handler that starts a workflow for the
// operation (the SDKs' workflow-run operations) attaches that callback to
// the workflow; when the workflow closes for good, Sundial delivers its
// outcome to the caller inside the process, as Temporal's server does for
// callbacks addressed to temporal://system. Callbacks to any other URL are
// recorded but not delivered: Sundial makes no outbound HTTP calls.
const (
	nexusSystemCallbackURL   = "temporal://system"
	nexusCallbackTokenHeader = "Temporal-Callback-Token"
)

// nexusCallbackToken names the caller's operation an outcome is for.
type nexusCallbackToken struct {
	CallerNS    string `json:"cns"`
	WorkflowID  string `json:"wf"`
	RunID       string `json:"run"`
	ScheduledID int64  `json:"op"`
}

func encodeCallbackToken(t nexusCallbackToken) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encoding a Nexus callback token: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func decodeCallbackToken(s string) (nexusCallbackToken, bool) {
	var t nexusCallbackToken
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil || json.Unmarshal(b, &t) != nil || t.RunID == "" || t.ScheduledID <= 0 {
		return t, false
	}
	return t, true
}

// callbackHeader looks a header up without regard to case.
func callbackHeader(h map[string]string, key string) string {
	if v, ok := h[key]; ok {
		return v
	}
	for k, v := range h {
		if len(k) == len(key) && equalFoldASCII(k, key) {
			return v
		}
	}
	return ""
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}

// scheduleNexusEffects sets off the delivery of a closed run's callbacks
// and, for a caller loaded from the store, a check of each started
// operation's handler workflow: one that closed while its callback was in
// flight (a crash) is delivered from there.
func (e *Engine) scheduleNexusEffects(r *run, tx *machine.Tx) {
	s := r.state
	key := r.key
	if tx == nil && s.Open() {
		for id, op := range s.NexusOperations {
			if op.State == machine.NexusStarted && op.Handler != nil {
				e.effects.add(effectKey("nexus-check-handler", key, id), func(ctx context.Context) error { return e.checkNexusHandler(ctx, key, id) })
			}
		}
	}
	if len(s.Callbacks) > 0 {
		e.scheduleCallbacks(r, tx)
	}
}

// checkNexusHandler delivers the outcome of a started operation whose
// handler workflow closed without its callback having been delivered.
func (e *Engine) checkNexusHandler(ctx context.Context, caller runKey, scheduledID int64) error {
	r, err := e.lockRun(ctx, caller)
	if err != nil {
		return ignoreNotFound(err)
	}
	op := r.state.NexusOperations[scheduledID]
	if !r.state.Open() || op == nil || op.Handler == nil {
		r.mu.Unlock()
		return nil
	}
	nsName, handler := op.HandlerNamespace, op.Handler
	r.mu.Unlock()
	ns, err := e.ns.lookup(ctx, nsName)
	if err != nil {
		return ignoreNotFound(err)
	}
	runID := handler.GetRunId()
	if runID == "" {
		return nil
	}
	hkey := runKey{ns.id, handler.GetWorkflowId(), runID}
	h, err := e.lockRun(ctx, hkey)
	if err != nil {
		return ignoreNotFound(err)
	}
	index := -1
	if !h.state.Open() {
		for i, cb := range h.state.Callbacks {
			t, ok := decodeCallbackToken(callbackHeader(cb.Header, nexusCallbackTokenHeader))
			if !cb.Delivered && ok && t.ScheduledID == scheduledID && t.RunID == caller.runID && t.WorkflowID == caller.workflowID {
				index = i
				break
			}
		}
	}
	h.mu.Unlock()
	if index < 0 {
		return nil
	}
	return e.deliverCallback(ctx, hkey, index)
}

// scheduleCallbacks sets off the delivery of a closed run's callbacks.
func (e *Engine) scheduleCallbacks(r *run, tx *machine.Tx) {
	s := r.state
	// A run that continued as new or is retried handed its callbacks to
	// its successor (they are marked handed on); a cron run's close fires
	// them although another run follows, as in Temporal.
	if s.Open() || s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW {
		return
	}
	key := r.key
	for i, cb := range s.Callbacks {
		if cb.Delivered || cb.HandedOn || cb.URL != nexusSystemCallbackURL {
			continue
		}
		e.effects.add(effectKey("nexus-callback", key, int64(i)), func(ctx context.Context) error { return e.deliverCallback(ctx, key, i) })
	}
}

// deliverCallback records the closed run's outcome in the operation its
// callback i names, then marks the callback delivered.
func (e *Engine) deliverCallback(ctx context.Context, handler runKey, i int) error {
	r, err := e.lockRun(ctx, handler)
	if err != nil {
		return ignoreNotFound(err)
	}
	s := r.state
	if s.Open() || i >= len(s.Callbacks) || s.Callbacks[i].Delivered || s.Callbacks[i].HandedOn {
		r.mu.Unlock()
		return nil
	}
	cb := s.Callbacks[i]
	closeID := s.CloseEventID
	startLink := &commonpb.Link{Variant: &commonpb.Link_WorkflowEvent_{WorkflowEvent: &commonpb.Link_WorkflowEvent{
		Namespace: s.Namespace, WorkflowId: s.WorkflowID, RunId: s.FirstRunID,
		Reference: &commonpb.Link_WorkflowEvent_EventRef{EventRef: &commonpb.Link_WorkflowEvent_EventReference{EventId: 1, EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED}},
	}}}
	r.mu.Unlock()

	token, ok := decodeCallbackToken(callbackHeader(cb.Header, nexusCallbackTokenHeader))
	if ok {
		closeEvent, err := e.readEvent(ctx, handler, closeID)
		if err != nil {
			return err
		}
		out := nexusOutcomeOf(closeEvent)
		out.Links = []*commonpb.Link{startLink}
		caller := runKey{token.CallerNS, token.WorkflowID, token.RunID}
		err = e.update(ctx, caller, func(r *run, tx *machine.Tx) error { return tx.NexusCompleted(token.ScheduledID, out) })
		if err != nil && !isStaleOrGone(err) {
			return fmt.Errorf("delivering the outcome of %s to operation %d of %s: %w", handler.workflowID, token.ScheduledID, caller.workflowID, err)
		}
	}
	err = e.update(ctx, handler, func(r *run, tx *machine.Tx) error { return tx.CallbackDelivered(i) })
	if err != nil && !isStaleOrGone(err) {
		return err
	}
	return nil
}

func isStaleOrGone(err error) bool {
	return errors.Is(err, machine.ErrStale) || isNotFoundErr(err)
}

// nexusOutcomeOf turns a workflow's close event into an operation outcome.
func nexusOutcomeOf(ev *historypb.HistoryEvent) machine.NexusOutcome {
	switch ev.EventType {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		var result *commonpb.Payload
		if ps := ev.GetWorkflowExecutionCompletedEventAttributes().GetResult().GetPayloads(); len(ps) > 0 {
			result = ps[0]
		}
		return machine.NexusOutcome{Result: result}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		return machine.NexusOutcome{Failure: ev.GetWorkflowExecutionFailedEventAttributes().GetFailure()}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		return machine.NexusOutcome{Failure: &failurepb.Failure{
			Message: "operation canceled",
			FailureInfo: &failurepb.Failure_CanceledFailureInfo{CanceledFailureInfo: &failurepb.CanceledFailureInfo{
				Details: ev.GetWorkflowExecutionCanceledEventAttributes().GetDetails(),
			}},
		}}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		return machine.NexusOutcome{Failure: &failurepb.Failure{
			Message:     "operation terminated",
			FailureInfo: &failurepb.Failure_TerminatedFailureInfo{TerminatedFailureInfo: &failurepb.TerminatedFailureInfo{}},
		}}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		return machine.NexusOutcome{Failure: &failurepb.Failure{
			Message:     "operation exceeded internal timeout",
			FailureInfo: &failurepb.Failure_TimeoutFailureInfo{TimeoutFailureInfo: &failurepb.TimeoutFailureInfo{TimeoutType: enumspb.TIMEOUT_TYPE_START_TO_CLOSE}},
		}}
	}
	return machine.NexusOutcome{Failure: &failurepb.Failure{Message: "workflow closed with event type " + strconv.Itoa(int(ev.EventType))}}
}
