// Structural checks of each workflow command's attributes. Checks that need the
// workflow's state (duplicate timer ids, unknown scheduled event ids, ...) are the
// engine's.

package frontend

import (
	"fmt"
	"sort"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	"google.golang.org/protobuf/proto"
)

// commandRule is how one command type is validated.
type commandRule struct {
	// name is the command's name in messages, such as "StartTimerCommand".
	name string
	// cause is the WorkflowTaskFailed cause for problems with this command.
	cause enumspb.WorkflowTaskFailedCause
	// closesWorkflow marks commands that must be the last in a completion.
	closesWorkflow bool
	check          func(c checker, cmd *commandpb.Command, messages map[string]*protocolpb.Message) error
}

// commandRules has one entry per command type the engine accepts.
var commandRules = map[enumspb.CommandType]commandRule{
	enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK: {
		name: "ScheduleActivityTaskCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES,
		check: checkScheduleActivity,
	},
	enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK: {
		name: "RequestCancelActivityTaskCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
		check: checkRequestCancelActivity,
	},
	enumspb.COMMAND_TYPE_START_TIMER: {
		name: "StartTimerCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
		check: checkStartTimer,
	},
	enumspb.COMMAND_TYPE_CANCEL_TIMER: {
		name: "CancelTimerCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
		check: checkCancelTimer,
	},
	enumspb.COMMAND_TYPE_RECORD_MARKER: {
		name: "RecordMarkerCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES,
		check: checkRecordMarker,
	},
	enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION: {
		name: "CompleteWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES,
		closesWorkflow: true, check: checkCompleteWorkflow,
	},
	enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION: {
		name: "FailWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES,
		closesWorkflow: true, check: checkFailWorkflow,
	},
	enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION: {
		name: "CancelWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES,
		closesWorkflow: true, check: checkCancelWorkflow,
	},
	enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION: {
		name: "ContinueAsNewWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES,
		closesWorkflow: true, check: checkContinueAsNew,
	},
	enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION: {
		name: "StartChildWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES,
		check: checkStartChild,
	},
	enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION: {
		name: "SignalExternalWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
		check: checkSignalExternal,
	},
	enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION: {
		name: "RequestCancelExternalWorkflowExecutionCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
		check: checkRequestCancelExternal,
	},
	enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES: {
		name: "UpsertWorkflowSearchAttributesCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES,
		check: checkUpsertSearchAttributes,
	},
	enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES: {
		name: "ModifyWorkflowPropertiesCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES,
		check: checkModifyWorkflowProperties,
	},
	enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE: {
		name: "ProtocolMessageCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
		check: checkProtocolMessage,
	},
	enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION: {
		name: "ScheduleNexusOperationCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES,
		check: checkScheduleNexusOperation,
	},
	enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION: {
		name: "RequestCancelNexusOperationCommand", cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES,
		check: checkRequestCancelNexusOperation,
	},
}

// payloadBlob is blob for command contents: an oversized payload fails the workflow
// task with PAYLOADS_TOO_LARGE rather than the command's own cause.
func (c checker) payloadBlob(field string, m proto.Message) error {
	return withCause(enumspb.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE, c.blob(field, m))
}

func checkScheduleActivity(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetScheduleActivityTaskCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "ScheduleActivityTaskCommandAttributes")
	}
	if err := firstError(
		c.required("ActivityId", a.GetActivityId()),
		c.required("ActivityType", a.GetActivityType().GetName()),
		c.taskQueue("TaskQueue", a.GetTaskQueue()),
		c.duration("ScheduleToCloseTimeout", a.GetScheduleToCloseTimeout()),
		c.duration("ScheduleToStartTimeout", a.GetScheduleToStartTimeout()),
		c.duration("StartToCloseTimeout", a.GetStartToCloseTimeout()),
		c.duration("HeartbeatTimeout", a.GetHeartbeatTimeout()),
		c.retryPolicy(a.GetRetryPolicy()),
		c.priority("Priority", a.GetPriority()),
	); err != nil {
		return err
	}
	if a.GetScheduleToCloseTimeout().AsDuration() <= 0 && a.GetStartToCloseTimeout().AsDuration() <= 0 {
		return invalid("A valid StartToCloseTimeout or ScheduleToCloseTimeout is not set on %s. ActivityId=%s", c.scope, quote(a.GetActivityId()))
	}
	return firstError(
		c.payloadBlob("Input", a.GetInput()),
		c.payloadBlob("Header", a.GetHeader()),
	)
}

func checkRequestCancelActivity(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetRequestCancelActivityTaskCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "RequestCancelActivityTaskCommandAttributes")
	}
	return c.eventID("ScheduledEventId", a.GetScheduledEventId())
}

func checkStartTimer(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetStartTimerCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "StartTimerCommandAttributes")
	}
	return firstError(
		c.required("TimerId", a.GetTimerId()),
		c.duration("StartToFireTimeout", a.GetStartToFireTimeout()),
	)
}

func checkCancelTimer(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetCancelTimerCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "CancelTimerCommandAttributes")
	}
	return c.required("TimerId", a.GetTimerId())
}

func checkRecordMarker(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetRecordMarkerCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "RecordMarkerCommandAttributes")
	}
	if err := c.required("MarkerName", a.GetMarkerName()); err != nil {
		return err
	}
	keys := make([]string, 0, len(a.GetDetails()))
	for k := range a.GetDetails() {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		if err := c.payloadBlob(fmt.Sprintf("Details[%s]", quote(k)), a.GetDetails()[k]); err != nil {
			return err
		}
	}
	return firstError(
		c.payloadBlob("Header", a.GetHeader()),
		c.payloadBlob("Failure", a.GetFailure()),
	)
}

func checkCompleteWorkflow(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetCompleteWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "CompleteWorkflowExecutionCommandAttributes")
	}
	return c.payloadBlob("Result", a.GetResult())
}

func checkFailWorkflow(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetFailWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "FailWorkflowExecutionCommandAttributes")
	}
	if a.GetFailure() == nil {
		return c.notSet("Failure")
	}
	return c.payloadBlob("Failure", a.GetFailure())
}

func checkCancelWorkflow(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetCancelWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "CancelWorkflowExecutionCommandAttributes")
	}
	return c.payloadBlob("Details", a.GetDetails())
}

func checkContinueAsNew(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetContinueAsNewWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "ContinueAsNewWorkflowExecutionCommandAttributes")
	}
	// Workflow type and task queue may be left out: the new run inherits them.
	return firstError(
		c.optional("WorkflowType", a.GetWorkflowType().GetName()),
		c.optionalTaskQueue("TaskQueue", a.GetTaskQueue()),
		c.duration("WorkflowRunTimeout", a.GetWorkflowRunTimeout()),
		c.duration("WorkflowTaskTimeout", a.GetWorkflowTaskTimeout()),
		c.duration("BackoffStartInterval", a.GetBackoffStartInterval()),
		c.retryPolicy(a.GetRetryPolicy()),
		knownEnum("Initiator", a.GetInitiator()),
		c.payloadBlob("Input", a.GetInput()),
		c.payloadBlob("Header", a.GetHeader()),
		c.payloadBlob("Memo", a.GetMemo()),
		c.payloadBlob("SearchAttributes", a.GetSearchAttributes()),
		c.payloadBlob("Failure", a.GetFailure()),
		c.payloadBlob("LastCompletionResult", a.GetLastCompletionResult()),
	)
}

func checkStartChild(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetStartChildWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "StartChildWorkflowExecutionCommandAttributes")
	}
	// Namespace and task queue may be left out: the child inherits the parent's.
	return firstError(
		c.required("WorkflowId", a.GetWorkflowId()),
		c.required("WorkflowType", a.GetWorkflowType().GetName()),
		c.optional("Namespace", a.GetNamespace()),
		c.optionalTaskQueue("TaskQueue", a.GetTaskQueue()),
		c.duration("WorkflowExecutionTimeout", a.GetWorkflowExecutionTimeout()),
		c.duration("WorkflowRunTimeout", a.GetWorkflowRunTimeout()),
		c.duration("WorkflowTaskTimeout", a.GetWorkflowTaskTimeout()),
		c.retryPolicy(a.GetRetryPolicy()),
		c.priority("Priority", a.GetPriority()),
		knownEnum("ParentClosePolicy", a.GetParentClosePolicy()),
		knownEnum("WorkflowIdReusePolicy", a.GetWorkflowIdReusePolicy()),
		c.payloadBlob("Input", a.GetInput()),
		c.payloadBlob("Header", a.GetHeader()),
		c.payloadBlob("Memo", a.GetMemo()),
		c.payloadBlob("SearchAttributes", a.GetSearchAttributes()),
	)
}

func checkSignalExternal(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetSignalExternalWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "SignalExternalWorkflowExecutionCommandAttributes")
	}
	return firstError(
		c.optional("Namespace", a.GetNamespace()),
		c.execution("Execution", a.GetExecution()),
		c.required("SignalName", a.GetSignalName()),
		c.payloadBlob("Input", a.GetInput()),
		c.payloadBlob("Header", a.GetHeader()),
	)
}

func checkRequestCancelExternal(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetRequestCancelExternalWorkflowExecutionCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "RequestCancelExternalWorkflowExecutionCommandAttributes")
	}
	return firstError(
		c.optional("Namespace", a.GetNamespace()),
		c.required("WorkflowId", a.GetWorkflowId()),
		c.runID("RunId", a.GetRunId()),
	)
}

func checkUpsertSearchAttributes(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetUpsertWorkflowSearchAttributesCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "UpsertWorkflowSearchAttributesCommandAttributes")
	}
	if a.GetSearchAttributes() == nil {
		return c.notSet("SearchAttributes")
	}
	if len(a.GetSearchAttributes().GetIndexedFields()) == 0 {
		return c.notSet("SearchAttributes.IndexedFields")
	}
	return c.payloadBlob("SearchAttributes", a.GetSearchAttributes())
}

func checkModifyWorkflowProperties(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetModifyWorkflowPropertiesCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "ModifyWorkflowPropertiesCommandAttributes")
	}
	if a.GetUpsertedMemo() == nil {
		return c.notSet("UpsertedMemo")
	}
	if len(a.GetUpsertedMemo().GetFields()) == 0 {
		return c.notSet("UpsertedMemo.Fields")
	}
	return c.payloadBlob("UpsertedMemo", a.GetUpsertedMemo())
}

func checkProtocolMessage(c checker, cmd *commandpb.Command, messages map[string]*protocolpb.Message) error {
	a := cmd.GetProtocolMessageCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "ProtocolMessageCommandAttributes")
	}
	if err := c.required("MessageId", a.GetMessageId()); err != nil {
		return err
	}
	m, ok := messages[a.GetMessageId()]
	if !ok {
		return invalid("%s refers to message %s, which is not in the request's Messages.", c.scope, quote(a.GetMessageId()))
	}
	return validateProtocolMessage(m, c.lim)
}

func checkScheduleNexusOperation(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetScheduleNexusOperationCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "ScheduleNexusOperationCommandAttributes")
	}
	return firstError(
		c.required("Endpoint", a.GetEndpoint()),
		c.required("Service", a.GetService()),
		c.required("Operation", a.GetOperation()),
		c.duration("ScheduleToCloseTimeout", a.GetScheduleToCloseTimeout()),
		c.duration("ScheduleToStartTimeout", a.GetScheduleToStartTimeout()),
		c.duration("StartToCloseTimeout", a.GetStartToCloseTimeout()),
		c.payloadBlob("Input", a.GetInput()),
	)
}

func checkRequestCancelNexusOperation(c checker, cmd *commandpb.Command, _ map[string]*protocolpb.Message) error {
	a := cmd.GetRequestCancelNexusOperationCommandAttributes()
	if a == nil {
		return c.attributesNotSet(cmd, "RequestCancelNexusOperationCommandAttributes")
	}
	return c.eventID("ScheduledEventId", a.GetScheduledEventId())
}

// eventID checks a reference to an earlier history event, which must be positive.
func (c checker) eventID(field string, id int64) error {
	if id <= 0 {
		return invalid("%s on %s must be a positive event id, got %d.", field, c.scope, id)
	}
	return nil
}
