package machine

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	updatepb "go.temporal.io/api/update/v1"
)

// UpdateRecord is what the run keeps of an accepted update.
type UpdateRecord struct {
	AcceptedEventID  int64 `json:",omitzero"`
	CompletedEventID int64 `json:",omitzero"`
}

// UpdateResult tells the engine what a workflow task completion did to one
// update, so it can answer the callers waiting on it.
type UpdateResult struct {
	UpdateID string `json:",omitzero"`
	Accepted bool   `json:",omitzero"`
	// Outcome is set when the update completed or was rejected.
	Outcome *updatepb.Outcome `json:",omitzero"`
}

// RequestWorkflowTask makes sure a workflow task will run soon, so that
// something held in memory (an update) reaches the worker. It reports whether
// the state changed.
func (tx *Tx) RequestWorkflowTask() bool {
	s := tx.S
	if !s.Open() {
		return false
	}
	switch {
	case s.WorkflowTask == nil:
		tx.scheduleWorkflowTask()
		return true
	case s.WorkflowTask.StartedEventID != 0 && !s.WorkflowTaskNeeded:
		s.WorkflowTaskNeeded = true
		return true
	}
	return false
}

// applyMessage applies one protocol message of a workflow task completion.
func (tx *Tx) applyMessage(i int, m *protocolpb.Message, completedID int64) error {
	bad := func(format string, args ...any) error {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE, Message: fmt.Sprintf(format, args...)}
	}
	body, err := m.GetBody().UnmarshalNew()
	if err != nil {
		return bad("message %q has an unreadable body: %v", m.GetId(), err)
	}
	updateID := m.GetProtocolInstanceId()
	if tx.S.Updates == nil {
		tx.S.Updates = map[string]*UpdateRecord{}
	}
	rec := tx.S.Updates[updateID]
	switch b := body.(type) {
	case *updatepb.Acceptance:
		if rec != nil {
			return bad("update %q was already accepted", updateID)
		}
		ev := tx.add(&historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_ACCEPTED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionUpdateAcceptedEventAttributes{WorkflowExecutionUpdateAcceptedEventAttributes: &historypb.WorkflowExecutionUpdateAcceptedEventAttributes{
				ProtocolInstanceId:               updateID,
				AcceptedRequestMessageId:         b.AcceptedRequestMessageId,
				AcceptedRequestSequencingEventId: b.AcceptedRequestSequencingEventId,
				AcceptedRequest:                  b.AcceptedRequest,
			}},
		})
		tx.S.Updates[updateID] = &UpdateRecord{AcceptedEventID: ev.EventId}
		tx.UpdateResults = append(tx.UpdateResults, UpdateResult{UpdateID: updateID, Accepted: true})
	case *updatepb.Rejection:
		if rec != nil {
			return bad("update %q was accepted and cannot be rejected", updateID)
		}
		tx.UpdateResults = append(tx.UpdateResults, UpdateResult{UpdateID: updateID,
			Outcome: &updatepb.Outcome{Value: &updatepb.Outcome_Failure{Failure: b.Failure}}})
	case *updatepb.Response:
		if rec == nil || rec.CompletedEventID != 0 {
			return bad("update %q completed without being accepted first, or twice", updateID)
		}
		ev := tx.add(&historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UPDATE_COMPLETED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionUpdateCompletedEventAttributes{WorkflowExecutionUpdateCompletedEventAttributes: &historypb.WorkflowExecutionUpdateCompletedEventAttributes{
				Meta: b.Meta, AcceptedEventId: rec.AcceptedEventID, Outcome: b.Outcome,
			}},
		})
		rec.CompletedEventID = ev.EventId
		tx.UpdateResults = append(tx.UpdateResults, UpdateResult{UpdateID: updateID, Accepted: true, Outcome: b.Outcome})
	default:
		return bad("message %q has an unsupported body %T", m.GetId(), body)
	}
	return nil
}
