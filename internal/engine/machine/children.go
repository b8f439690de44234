package machine

import (
	"fmt"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
)

// Child is a child workflow the run initiated.
type Child struct {
	InitiatedEventID int64  `json:",omitzero"`
	NamespaceID      string `json:",omitzero"`
	Namespace        string `json:",omitzero"`
	WorkflowID       string `json:",omitzero"`
	WorkflowType     string `json:",omitzero"`
	// RunID and StartedEventID are set once the child has started.
	RunID             string                    `json:",omitzero"`
	StartedEventID    int64                     `json:",omitzero"`
	ParentClosePolicy enumspb.ParentClosePolicy `json:",omitzero"`
}

// ExternalRequest is a signal or cancel request the run sent to another
// workflow and whose delivery is not yet recorded.
type ExternalRequest struct {
	InitiatedEventID int64  `json:",omitzero"`
	NamespaceID      string `json:",omitzero"`
	Namespace        string `json:",omitzero"`
	WorkflowID       string `json:",omitzero"`
	RunID            string `json:",omitzero"`
	Control          string `json:",omitzero"`
	ChildOnly        bool   `json:",omitzero"`
}

// ParentInfo is the parent of a child workflow run.
type ParentInfo struct {
	NamespaceID      string                    `json:",omitzero"`
	Namespace        string                    `json:",omitzero"`
	WorkflowID       string                    `json:",omitzero"`
	RunID            string                    `json:",omitzero"`
	InitiatedEventID int64                     `json:",omitzero"`
	ClosePolicy      enumspb.ParentClosePolicy `json:",omitzero"`
	// Root is the first workflow of the tree.
	RootWorkflowID string `json:",omitzero"`
	RootRunID      string `json:",omitzero"`
}

// Target names the namespace a command addresses; the engine resolves names to
// ids before applying commands.
type Target struct {
	NamespaceID string `json:",omitzero"`
	Namespace   string `json:",omitzero"`
}

// startChild applies a StartChildWorkflowExecution command: it records the
// child as initiated. The engine starts it after the transition commits.
func (tx *Tx) startChild(i int, a *commandpb.StartChildWorkflowExecutionCommandAttributes, completedID int64, cmd *commandpb.Command, ns Target) error {
	bad := func(format string, args ...any) error {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, Message: fmt.Sprintf(format, args...)}
	}
	if a.WorkflowId == "" {
		return bad("WorkflowId is not set on StartChildWorkflowExecution command")
	}
	if a.GetWorkflowType().GetName() == "" {
		return bad("WorkflowType is not set on StartChildWorkflowExecution command")
	}
	if err := checkPending(i, len(tx.S.Children), tx.Limits.Children, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED, "pending child workflow executions"); err != nil {
		return err
	}
	if a.CronSchedule != "" {
		if _, err := CronDelay(a.CronSchedule, tx.Now, tx.Now); err != nil {
			return bad("%v", err)
		}
	}
	taskQueue := a.GetTaskQueue().GetName()
	if taskQueue == "" {
		taskQueue = tx.S.TaskQueue
	}
	policy := a.ParentClosePolicy
	if policy == enumspb.PARENT_CLOSE_POLICY_UNSPECIFIED {
		policy = enumspb.PARENT_CLOSE_POLICY_TERMINATE
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_StartChildWorkflowExecutionInitiatedEventAttributes{StartChildWorkflowExecutionInitiatedEventAttributes: &historypb.StartChildWorkflowExecutionInitiatedEventAttributes{
			Namespace:                    ns.Namespace,
			NamespaceId:                  ns.NamespaceID,
			WorkflowId:                   a.WorkflowId,
			WorkflowType:                 a.WorkflowType,
			TaskQueue:                    &taskqueuepb.TaskQueue{Name: taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Input:                        a.Input,
			WorkflowExecutionTimeout:     a.WorkflowExecutionTimeout,
			WorkflowRunTimeout:           a.WorkflowRunTimeout,
			WorkflowTaskTimeout:          a.WorkflowTaskTimeout,
			ParentClosePolicy:            policy,
			Control:                      a.Control,
			WorkflowTaskCompletedEventId: completedID,
			WorkflowIdReusePolicy:        a.WorkflowIdReusePolicy,
			RetryPolicy:                  a.RetryPolicy,
			CronSchedule:                 a.CronSchedule,
			Header:                       a.Header,
			Memo:                         a.Memo,
			SearchAttributes:             a.SearchAttributes,
			Priority:                     a.Priority,
		}},
	})
	if tx.S.Children == nil {
		tx.S.Children = map[int64]*Child{}
	}
	tx.S.Children[ev.EventId] = &Child{
		InitiatedEventID:  ev.EventId,
		NamespaceID:       ns.NamespaceID,
		Namespace:         ns.Namespace,
		WorkflowID:        a.WorkflowId,
		WorkflowType:      a.WorkflowType.Name,
		ParentClosePolicy: policy,
	}
	return nil
}

// ChildStarted records that the child initiated at initiatedID started as runID.
func (tx *Tx) ChildStarted(initiatedID int64, runID string, header *commonpb.Header) error {
	c := tx.S.Children[initiatedID]
	if !tx.S.Open() || c == nil || c.RunID != "" {
		return ErrStale
	}
	c.RunID = runID
	ev := &historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_STARTED,
		Attributes: &historypb.HistoryEvent_ChildWorkflowExecutionStartedEventAttributes{ChildWorkflowExecutionStartedEventAttributes: &historypb.ChildWorkflowExecutionStartedEventAttributes{
			Namespace:         c.Namespace,
			NamespaceId:       c.NamespaceID,
			InitiatedEventId:  initiatedID,
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: c.WorkflowID, RunId: runID},
			WorkflowType:      &commonpb.WorkflowType{Name: c.WorkflowType},
			Header:            header,
		}},
	}
	tx.addExternal(ev)
	// Buffered events get their id when flushed; remember where to find it.
	c.StartedEventID = pendingStartedID
	if ev.EventId != 0 {
		c.StartedEventID = ev.EventId
	}
	return nil
}

// ChildStartFailed records that the child initiated at initiatedID could not
// start.
func (tx *Tx) ChildStartFailed(initiatedID int64, cause enumspb.StartChildWorkflowExecutionFailedCause) error {
	c := tx.S.Children[initiatedID]
	if !tx.S.Open() || c == nil || c.RunID != "" {
		return ErrStale
	}
	delete(tx.S.Children, initiatedID)
	tx.addExternal(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_FAILED,
		Attributes: &historypb.HistoryEvent_StartChildWorkflowExecutionFailedEventAttributes{StartChildWorkflowExecutionFailedEventAttributes: &historypb.StartChildWorkflowExecutionFailedEventAttributes{
			Namespace:        c.Namespace,
			NamespaceId:      c.NamespaceID,
			WorkflowId:       c.WorkflowID,
			WorkflowType:     &commonpb.WorkflowType{Name: c.WorkflowType},
			Cause:            cause,
			InitiatedEventId: initiatedID,
		}},
	})
	return nil
}

// ChildClosed records the outcome of a started child, given the close event of
// its last run.
func (tx *Tx) ChildClosed(initiatedID int64, childRunID string, closeEvent *historypb.HistoryEvent) error {
	c := tx.S.Children[initiatedID]
	if !tx.S.Open() || c == nil || c.RunID == "" || c.StartedEventID == 0 {
		return ErrStale
	}
	delete(tx.S.Children, initiatedID)
	ex := &commonpb.WorkflowExecution{WorkflowId: c.WorkflowID, RunId: childRunID}
	typ := &commonpb.WorkflowType{Name: c.WorkflowType}
	var ev *historypb.HistoryEvent
	switch closeEvent.EventType {
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED:
		ev = &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_COMPLETED,
			Attributes: &historypb.HistoryEvent_ChildWorkflowExecutionCompletedEventAttributes{ChildWorkflowExecutionCompletedEventAttributes: &historypb.ChildWorkflowExecutionCompletedEventAttributes{
				Result: closeEvent.GetWorkflowExecutionCompletedEventAttributes().GetResult(), Namespace: c.Namespace, NamespaceId: c.NamespaceID,
				WorkflowExecution: ex, WorkflowType: typ, InitiatedEventId: initiatedID, StartedEventId: c.StartedEventID,
			}}}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED:
		a := closeEvent.GetWorkflowExecutionFailedEventAttributes()
		ev = &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_FAILED,
			Attributes: &historypb.HistoryEvent_ChildWorkflowExecutionFailedEventAttributes{ChildWorkflowExecutionFailedEventAttributes: &historypb.ChildWorkflowExecutionFailedEventAttributes{
				Failure: a.GetFailure(), RetryState: a.GetRetryState(), Namespace: c.Namespace, NamespaceId: c.NamespaceID,
				WorkflowExecution: ex, WorkflowType: typ, InitiatedEventId: initiatedID, StartedEventId: c.StartedEventID,
			}}}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED:
		ev = &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_CANCELED,
			Attributes: &historypb.HistoryEvent_ChildWorkflowExecutionCanceledEventAttributes{ChildWorkflowExecutionCanceledEventAttributes: &historypb.ChildWorkflowExecutionCanceledEventAttributes{
				Details: closeEvent.GetWorkflowExecutionCanceledEventAttributes().GetDetails(), Namespace: c.Namespace, NamespaceId: c.NamespaceID,
				WorkflowExecution: ex, WorkflowType: typ, InitiatedEventId: initiatedID, StartedEventId: c.StartedEventID,
			}}}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT:
		ev = &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TIMED_OUT,
			Attributes: &historypb.HistoryEvent_ChildWorkflowExecutionTimedOutEventAttributes{ChildWorkflowExecutionTimedOutEventAttributes: &historypb.ChildWorkflowExecutionTimedOutEventAttributes{
				RetryState: closeEvent.GetWorkflowExecutionTimedOutEventAttributes().GetRetryState(), Namespace: c.Namespace, NamespaceId: c.NamespaceID,
				WorkflowExecution: ex, WorkflowType: typ, InitiatedEventId: initiatedID, StartedEventId: c.StartedEventID,
			}}}
	case enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED:
		ev = &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_CHILD_WORKFLOW_EXECUTION_TERMINATED,
			Attributes: &historypb.HistoryEvent_ChildWorkflowExecutionTerminatedEventAttributes{ChildWorkflowExecutionTerminatedEventAttributes: &historypb.ChildWorkflowExecutionTerminatedEventAttributes{
				Namespace: c.Namespace, NamespaceId: c.NamespaceID,
				WorkflowExecution: ex, WorkflowType: typ, InitiatedEventId: initiatedID, StartedEventId: c.StartedEventID,
			}}}
	default:
		return fmt.Errorf("child close event has unexpected type %v", closeEvent.EventType)
	}
	tx.addExternal(ev)
	return nil
}

// signalExternal applies a SignalExternalWorkflowExecution command.
func (tx *Tx) signalExternal(i int, a *commandpb.SignalExternalWorkflowExecutionCommandAttributes, completedID int64, cmd *commandpb.Command, ns Target) error {
	if a.GetExecution().GetWorkflowId() == "" || a.SignalName == "" {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
			Message: "Execution.WorkflowId and SignalName must be set on SignalExternalWorkflowExecution command"}
	}
	if err := checkPending(i, len(tx.S.ExternalSignals), tx.Limits.Signals, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_SIGNALS_LIMIT_EXCEEDED, "pending signals to external workflows"); err != nil {
		return err
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_SignalExternalWorkflowExecutionInitiatedEventAttributes{SignalExternalWorkflowExecutionInitiatedEventAttributes: &historypb.SignalExternalWorkflowExecutionInitiatedEventAttributes{
			WorkflowTaskCompletedEventId: completedID,
			Namespace:                    ns.Namespace,
			NamespaceId:                  ns.NamespaceID,
			WorkflowExecution:            a.Execution,
			SignalName:                   a.SignalName,
			Input:                        a.Input,
			Control:                      a.Control,
			ChildWorkflowOnly:            a.ChildWorkflowOnly,
			Header:                       a.Header,
		}},
	})
	if tx.S.ExternalSignals == nil {
		tx.S.ExternalSignals = map[int64]*ExternalRequest{}
	}
	tx.S.ExternalSignals[ev.EventId] = &ExternalRequest{
		InitiatedEventID: ev.EventId, NamespaceID: ns.NamespaceID, Namespace: ns.Namespace,
		WorkflowID: a.Execution.WorkflowId, RunID: a.Execution.RunId, Control: a.Control, ChildOnly: a.ChildWorkflowOnly,
	}
	return nil
}

// requestCancelExternal applies a RequestCancelExternalWorkflowExecution command.
func (tx *Tx) requestCancelExternal(i int, a *commandpb.RequestCancelExternalWorkflowExecutionCommandAttributes, completedID int64, cmd *commandpb.Command, ns Target) error {
	if a.WorkflowId == "" {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
			Message: "WorkflowId is not set on RequestCancelExternalWorkflowExecution command"}
	}
	if err := checkPending(i, len(tx.S.ExternalCancels), tx.Limits.Cancels, enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_REQUEST_CANCEL_LIMIT_EXCEEDED, "pending requests to cancel external workflows"); err != nil {
		return err
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{RequestCancelExternalWorkflowExecutionInitiatedEventAttributes: &historypb.RequestCancelExternalWorkflowExecutionInitiatedEventAttributes{
			WorkflowTaskCompletedEventId: completedID,
			Namespace:                    ns.Namespace,
			NamespaceId:                  ns.NamespaceID,
			WorkflowExecution:            &commonpb.WorkflowExecution{WorkflowId: a.WorkflowId, RunId: a.RunId},
			Control:                      a.Control,
			ChildWorkflowOnly:            a.ChildWorkflowOnly,
			Reason:                       a.Reason,
		}},
	})
	if tx.S.ExternalCancels == nil {
		tx.S.ExternalCancels = map[int64]*ExternalRequest{}
	}
	tx.S.ExternalCancels[ev.EventId] = &ExternalRequest{
		InitiatedEventID: ev.EventId, NamespaceID: ns.NamespaceID, Namespace: ns.Namespace,
		WorkflowID: a.WorkflowId, RunID: a.RunId, Control: a.Control, ChildOnly: a.ChildWorkflowOnly,
	}
	return nil
}

// ExternalSignalDone records the outcome of a signal the run sent: delivered
// to runID, or failed with cause.
func (tx *Tx) ExternalSignalDone(initiatedID int64, runID string, cause enumspb.SignalExternalWorkflowExecutionFailedCause) error {
	r, err := tx.takeExternal(tx.S.ExternalSignals, initiatedID)
	if err != nil {
		return err
	}
	ex := &commonpb.WorkflowExecution{WorkflowId: r.WorkflowID, RunId: runID}
	if cause == enumspb.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_UNSPECIFIED {
		tx.addExternal(&historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED,
			Attributes: &historypb.HistoryEvent_ExternalWorkflowExecutionSignaledEventAttributes{ExternalWorkflowExecutionSignaledEventAttributes: &historypb.ExternalWorkflowExecutionSignaledEventAttributes{
				InitiatedEventId: initiatedID, Namespace: r.Namespace, NamespaceId: r.NamespaceID, WorkflowExecution: ex, Control: r.Control,
			}},
		})
		return nil
	}
	ex.RunId = r.RunID
	tx.addExternal(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
		Attributes: &historypb.HistoryEvent_SignalExternalWorkflowExecutionFailedEventAttributes{SignalExternalWorkflowExecutionFailedEventAttributes: &historypb.SignalExternalWorkflowExecutionFailedEventAttributes{
			Cause: cause, Namespace: r.Namespace, NamespaceId: r.NamespaceID, WorkflowExecution: ex, InitiatedEventId: initiatedID, Control: r.Control,
		}},
	})
	return nil
}

// ExternalCancelDone records the outcome of a cancel request the run sent.
func (tx *Tx) ExternalCancelDone(initiatedID int64, runID string, cause enumspb.CancelExternalWorkflowExecutionFailedCause) error {
	r, err := tx.takeExternal(tx.S.ExternalCancels, initiatedID)
	if err != nil {
		return err
	}
	ex := &commonpb.WorkflowExecution{WorkflowId: r.WorkflowID, RunId: runID}
	if cause == enumspb.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_UNSPECIFIED {
		tx.addExternal(&historypb.HistoryEvent{
			EventType: enumspb.EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_CANCEL_REQUESTED,
			Attributes: &historypb.HistoryEvent_ExternalWorkflowExecutionCancelRequestedEventAttributes{ExternalWorkflowExecutionCancelRequestedEventAttributes: &historypb.ExternalWorkflowExecutionCancelRequestedEventAttributes{
				InitiatedEventId: initiatedID, Namespace: r.Namespace, NamespaceId: r.NamespaceID, WorkflowExecution: ex,
			}},
		})
		return nil
	}
	ex.RunId = r.RunID
	tx.addExternal(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED,
		Attributes: &historypb.HistoryEvent_RequestCancelExternalWorkflowExecutionFailedEventAttributes{RequestCancelExternalWorkflowExecutionFailedEventAttributes: &historypb.RequestCancelExternalWorkflowExecutionFailedEventAttributes{
			Cause: cause, Namespace: r.Namespace, NamespaceId: r.NamespaceID, WorkflowExecution: ex, InitiatedEventId: initiatedID, Control: r.Control,
		}},
	})
	return nil
}

// takeExternal removes and returns the pending request initiated at
// initiatedID, or ErrStale when the run closed or the outcome is recorded.
func (tx *Tx) takeExternal(pending map[int64]*ExternalRequest, initiatedID int64) (*ExternalRequest, error) {
	r := pending[initiatedID]
	if !tx.S.Open() || r == nil {
		return nil, ErrStale
	}
	delete(pending, initiatedID)
	return r, nil
}
