package machine

import (
	"fmt"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// applyCommand writes the events of one command. It reports whether the command
// requires a new workflow task.
func (tx *Tx) applyCommand(i int, cmd *commandpb.Command, completedID int64) (bool, error) {
	bad := func(cause enumspb.WorkflowTaskFailedCause, format string, args ...any) error {
		return &CommandError{Index: i, Cause: cause, Message: fmt.Sprintf(format, args...)}
	}
	switch cmd.CommandType {
	case enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK:
		a := cmd.GetScheduleActivityTaskCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES, "ScheduleActivityTaskCommandAttributes is not set")
		}
		return false, tx.scheduleActivity(i, a, completedID, cmd)
	case enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK:
		a := cmd.GetRequestCancelActivityTaskCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES, "RequestCancelActivityTaskCommandAttributes is not set")
		}
		return tx.requestCancelActivity(i, a.ScheduledEventId, completedID)
	case enumspb.COMMAND_TYPE_START_TIMER:
		a := cmd.GetStartTimerCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, "StartTimerCommandAttributes is not set")
		}
		return false, tx.startTimer(i, a, completedID, cmd)
	case enumspb.COMMAND_TYPE_CANCEL_TIMER:
		a := cmd.GetCancelTimerCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, "CancelTimerCommandAttributes is not set")
		}
		return false, tx.cancelTimer(i, a.TimerId, completedID)
	case enumspb.COMMAND_TYPE_RECORD_MARKER:
		a := cmd.GetRecordMarkerCommandAttributes()
		if a == nil || a.MarkerName == "" {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES, "MarkerName is not set on RecordMarker command")
		}
		tx.add(&historypb.HistoryEvent{
			EventType:    enumspb.EVENT_TYPE_MARKER_RECORDED,
			UserMetadata: cmd.UserMetadata,
			Attributes: &historypb.HistoryEvent_MarkerRecordedEventAttributes{MarkerRecordedEventAttributes: &historypb.MarkerRecordedEventAttributes{
				MarkerName: a.MarkerName, Details: a.Details, Header: a.Header, Failure: a.Failure, WorkflowTaskCompletedEventId: completedID,
			}},
		})
		return false, nil
	case enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION:
		a := cmd.GetCompleteWorkflowExecutionCommandAttributes()
		if a == nil {
			a = &commandpb.CompleteWorkflowExecutionCommandAttributes{}
		}
		next, _, err := tx.nextRun(nil, a.Result)
		if err != nil {
			return false, err
		}
		attrs := &historypb.WorkflowExecutionCompletedEventAttributes{Result: a.Result, WorkflowTaskCompletedEventId: completedID}
		if next != nil {
			attrs.NewExecutionRunId = next.RunID
		}
		tx.closeRun(enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED, &historypb.HistoryEvent{
			EventType:    enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
			UserMetadata: cmd.UserMetadata,
			Attributes:   &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{WorkflowExecutionCompletedEventAttributes: attrs},
		})
		if next != nil {
			tx.startNext(*next)
		}
		return false, nil
	case enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION:
		a := cmd.GetFailWorkflowExecutionCommandAttributes()
		if a == nil || a.Failure == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES, "Failure is not set on FailWorkflowExecution command")
		}
		next, retryState, err := tx.nextRun(a.Failure, nil)
		if err != nil {
			return false, err
		}
		attrs := &historypb.WorkflowExecutionFailedEventAttributes{Failure: a.Failure, RetryState: retryState, WorkflowTaskCompletedEventId: completedID}
		if next != nil {
			attrs.NewExecutionRunId = next.RunID
		}
		tx.closeRun(enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, &historypb.HistoryEvent{
			EventType:    enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_FAILED,
			UserMetadata: cmd.UserMetadata,
			Attributes:   &historypb.HistoryEvent_WorkflowExecutionFailedEventAttributes{WorkflowExecutionFailedEventAttributes: attrs},
		})
		if next != nil {
			tx.startNext(*next)
		}
		return false, nil
	case enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION:
		a := cmd.GetCancelWorkflowExecutionCommandAttributes()
		if a == nil {
			a = &commandpb.CancelWorkflowExecutionCommandAttributes{}
		}
		tx.closeRun(enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED, &historypb.HistoryEvent{
			EventType:    enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CANCELED,
			UserMetadata: cmd.UserMetadata,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionCanceledEventAttributes{WorkflowExecutionCanceledEventAttributes: &historypb.WorkflowExecutionCanceledEventAttributes{
				Details: a.Details, WorkflowTaskCompletedEventId: completedID,
			}},
		})
		return false, nil
	case enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES:
		a := cmd.GetUpsertWorkflowSearchAttributesCommandAttributes()
		if a == nil || a.SearchAttributes == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "SearchAttributes is not set on UpsertWorkflowSearchAttributes command")
		}
		merged, err := mergeSearchAttributes(tx.S.SearchAttributes, a.SearchAttributes)
		if err != nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "%v", err)
		}
		tx.S.SearchAttributes = merged
		tx.add(&historypb.HistoryEvent{
			EventType:    enumspb.EVENT_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
			UserMetadata: cmd.UserMetadata,
			Attributes: &historypb.HistoryEvent_UpsertWorkflowSearchAttributesEventAttributes{UpsertWorkflowSearchAttributesEventAttributes: &historypb.UpsertWorkflowSearchAttributesEventAttributes{
				SearchAttributes: a.SearchAttributes, WorkflowTaskCompletedEventId: completedID,
			}},
		})
		return false, nil
	case enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES:
		a := cmd.GetModifyWorkflowPropertiesCommandAttributes()
		if a == nil || a.UpsertedMemo == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES, "UpsertedMemo is not set on ModifyWorkflowProperties command")
		}
		merged, err := mergeMemo(tx.S.Memo, a.UpsertedMemo)
		if err != nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES, "%v", err)
		}
		tx.S.Memo = merged
		tx.add(&historypb.HistoryEvent{
			EventType:    enumspb.EVENT_TYPE_WORKFLOW_PROPERTIES_MODIFIED,
			UserMetadata: cmd.UserMetadata,
			Attributes: &historypb.HistoryEvent_WorkflowPropertiesModifiedEventAttributes{WorkflowPropertiesModifiedEventAttributes: &historypb.WorkflowPropertiesModifiedEventAttributes{
				UpsertedMemo: a.UpsertedMemo, WorkflowTaskCompletedEventId: completedID,
			}},
		})
		return false, nil
	case enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION:
		a := cmd.GetContinueAsNewWorkflowExecutionCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, "ContinueAsNewWorkflowExecutionCommandAttributes is not set")
		}
		return false, tx.continueAsNew(i, a, completedID, cmd)
	case enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION:
		a := cmd.GetStartChildWorkflowExecutionCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, "StartChildWorkflowExecutionCommandAttributes is not set")
		}
		ns, ok := tx.resolveNamespace(a.Namespace)
		if !ok {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, "namespace %q does not exist", a.Namespace)
		}
		return false, tx.startChild(i, a, completedID, cmd, ns)
	case enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION:
		a := cmd.GetSignalExternalWorkflowExecutionCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "SignalExternalWorkflowExecutionCommandAttributes is not set")
		}
		ns, ok := tx.resolveNamespace(a.Namespace)
		if !ok {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "namespace %q does not exist", a.Namespace)
		}
		return false, tx.signalExternal(i, a, completedID, cmd, ns)
	case enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION:
		a := cmd.GetRequestCancelExternalWorkflowExecutionCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "RequestCancelExternalWorkflowExecutionCommandAttributes is not set")
		}
		ns, ok := tx.resolveNamespace(a.Namespace)
		if !ok {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "namespace %q does not exist", a.Namespace)
		}
		return false, tx.requestCancelExternal(i, a, completedID, cmd, ns)
	case enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION:
		a := cmd.GetScheduleNexusOperationCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES, "empty ScheduleNexusOperationCommandAttributes")
		}
		return false, tx.scheduleNexusOperation(i, a, completedID, cmd)
	case enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION:
		a := cmd.GetRequestCancelNexusOperationCommandAttributes()
		if a == nil {
			return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES, "empty CancelNexusOperationCommandAttributes")
		}
		return false, tx.requestCancelNexusOperation(i, a.ScheduledEventId, completedID, cmd)
	default:
		return false, bad(enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND, "unknown command type %d", int32(cmd.CommandType))
	}
}

// mergeSearchAttributes applies an upsert to encoded search attributes. A key
// whose value is empty, null or [] is removed.
func mergeSearchAttributes(current []byte, upsert *commonpb.SearchAttributes) ([]byte, error) {
	sa := &commonpb.SearchAttributes{}
	if len(current) > 0 {
		if err := proto.Unmarshal(current, sa); err != nil {
			return nil, fmt.Errorf("decoding search attributes: %w", err)
		}
	}
	sa.IndexedFields = mergePayloadMap(sa.IndexedFields, upsert.GetIndexedFields())
	if len(sa.IndexedFields) == 0 {
		return nil, nil
	}
	return proto.Marshal(sa)
}

// mergeMemo applies an upsert to an encoded memo, with the same deletion rule.
func mergeMemo(current []byte, upsert *commonpb.Memo) ([]byte, error) {
	m := &commonpb.Memo{}
	if len(current) > 0 {
		if err := proto.Unmarshal(current, m); err != nil {
			return nil, fmt.Errorf("decoding memo: %w", err)
		}
	}
	m.Fields = mergePayloadMap(m.Fields, upsert.GetFields())
	if len(m.Fields) == 0 {
		return nil, nil
	}
	return proto.Marshal(m)
}

func mergePayloadMap(dst, upsert map[string]*commonpb.Payload) map[string]*commonpb.Payload {
	if dst == nil {
		dst = map[string]*commonpb.Payload{}
	}
	for k, v := range upsert {
		if isEmptyPayload(v) {
			delete(dst, k)
			continue
		}
		dst[k] = v
	}
	return dst
}

func isEmptyPayload(p *commonpb.Payload) bool {
	if p == nil || len(p.Data) == 0 {
		return true
	}
	d := string(p.Data)
	return d == "null" || d == "[]"
}

// resolveNamespace finds the namespace a command names; empty means the run's
// own.
func (tx *Tx) resolveNamespace(name string) (Target, bool) {
	if name == "" || name == tx.S.Namespace {
		return Target{NamespaceID: tx.S.NamespaceID, Namespace: tx.S.Namespace}, true
	}
	if tx.Namespaces == nil {
		return Target{}, false
	}
	return tx.Namespaces(name)
}
