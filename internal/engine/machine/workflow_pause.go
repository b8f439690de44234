package machine

import (
	"errors"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// Pausing a run: while paused it gets no workflow task and none of its
// activities is dispatched; signals, cancel requests and activity outcomes are
// still recorded. A workflow task or activity attempt already running may
// finish. Unpausing schedules a workflow task, so the run sees what happened
// meanwhile. Both write an event, marked WorkerMayIgnore as Temporal marks
// them, so SDKs that do not know the event types replay past them.

// Errors of pause requests the run's state refuses.
var (
	ErrRunAlreadyPaused = errors.New("workflow is already paused")
	ErrRunNotPaused     = errors.New("workflow is not paused")
)

// RunPause says who paused a run, when and why.
type RunPause struct {
	Time      time.Time `json:",omitzero"`
	Identity  string    `json:",omitzero"`
	Reason    string    `json:",omitzero"`
	RequestID string    `json:",omitzero"`
}

// PauseRun pauses the open run. It reports false, changing nothing, when the
// run is already paused by the same request (same non-empty request id).
func (tx *Tx) PauseRun(identity, reason, requestID string) (bool, error) {
	s := tx.S
	if s.Paused() {
		if requestID != "" && s.Pause != nil && s.Pause.RequestID == requestID {
			return false, nil
		}
		return false, ErrRunAlreadyPaused
	}
	s.Status = enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
	s.Pause = &RunPause{Time: tx.Now, Identity: identity, Reason: reason, RequestID: requestID}
	tx.addQuiet(&historypb.HistoryEvent{
		EventType:       enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_PAUSED,
		WorkerMayIgnore: true,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionPausedEventAttributes{WorkflowExecutionPausedEventAttributes: &historypb.WorkflowExecutionPausedEventAttributes{
			Identity: identity, Reason: reason, RequestId: requestID,
		}},
	})
	return true, nil
}

// UnpauseRun resumes a paused run and schedules a workflow task for it.
func (tx *Tx) UnpauseRun(identity, reason, requestID string) error {
	s := tx.S
	if !s.Paused() {
		return ErrRunNotPaused
	}
	s.Status = enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
	s.Pause = nil
	tx.addQuiet(&historypb.HistoryEvent{
		EventType:       enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_UNPAUSED,
		WorkerMayIgnore: true,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionUnpausedEventAttributes{WorkflowExecutionUnpausedEventAttributes: &historypb.WorkflowExecutionUnpausedEventAttributes{
			Identity: identity, Reason: reason, RequestId: requestID,
		}},
	})
	if s.WorkflowTask == nil {
		tx.scheduleWorkflowTaskAttempt(1)
	} else if s.WorkflowTask.StartedEventID != 0 {
		s.WorkflowTaskNeeded = true
	}
	return nil
}

// addQuiet writes an event that asks for no workflow task of its own: at
// once, or buffered while a workflow task is running.
func (tx *Tx) addQuiet(ev *historypb.HistoryEvent) {
	if tx.S.WorkflowTaskStarted() {
		ev.EventTime = tsOf(tx.Now)
		tx.S.Buffered = append(tx.S.Buffered, ev)
		return
	}
	tx.add(ev)
}
