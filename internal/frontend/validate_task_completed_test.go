package frontend

import (
	"errors"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	querypb "go.temporal.io/api/query/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

func scheduleActivity() *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
			ActivityId: "1", ActivityType: &commonpb.ActivityType{Name: "Charge"}, TaskQueue: tq("orders"),
			StartToCloseTimeout: dur(time.Minute), Input: smallPayloads(),
		}},
	}
}

func startTimer(id string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_TIMER,
		Attributes: &commandpb.Command_StartTimerCommandAttributes{StartTimerCommandAttributes: &commandpb.StartTimerCommandAttributes{
			TimerId: id, StartToFireTimeout: dur(time.Second),
		}},
	}
}

func completeWorkflow() *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{
			CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{Result: smallPayloads()},
		},
	}
}

func protocolMessageCommand(id string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE,
		Attributes: &commandpb.Command_ProtocolMessageCommandAttributes{
			ProtocolMessageCommandAttributes: &commandpb.ProtocolMessageCommandAttributes{MessageId: id},
		},
	}
}

func protocolMessage(id string) *protocolpb.Message {
	body, err := anypb.New(&commonpb.Payload{Data: []byte("accepted")})
	if err != nil {
		panic(err)
	}
	return &protocolpb.Message{Id: id, ProtocolInstanceId: "update-1", Body: body}
}

// oneOfEach returns a valid command of every type the engine accepts, closing command last.
func oneOfEach() []*commandpb.Command {
	return []*commandpb.Command{
		scheduleActivity(),
		{CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK, Attributes: &commandpb.Command_RequestCancelActivityTaskCommandAttributes{
			RequestCancelActivityTaskCommandAttributes: &commandpb.RequestCancelActivityTaskCommandAttributes{ScheduledEventId: 5}}},
		startTimer("t1"),
		{CommandType: enumspb.COMMAND_TYPE_CANCEL_TIMER, Attributes: &commandpb.Command_CancelTimerCommandAttributes{
			CancelTimerCommandAttributes: &commandpb.CancelTimerCommandAttributes{TimerId: "t0"}}},
		{CommandType: enumspb.COMMAND_TYPE_RECORD_MARKER, Attributes: &commandpb.Command_RecordMarkerCommandAttributes{
			RecordMarkerCommandAttributes: &commandpb.RecordMarkerCommandAttributes{MarkerName: "SideEffect",
				Details: map[string]*commonpb.Payloads{"data": smallPayloads()}}}},
		{CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{
			StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
				WorkflowId: "child-1", WorkflowType: &commonpb.WorkflowType{Name: "Child"},
				ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON}}},
		{CommandType: enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_SignalExternalWorkflowExecutionCommandAttributes{
			SignalExternalWorkflowExecutionCommandAttributes: &commandpb.SignalExternalWorkflowExecutionCommandAttributes{
				Execution: exec("other", ""), SignalName: "ping"}}},
		{CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_RequestCancelExternalWorkflowExecutionCommandAttributes{
			RequestCancelExternalWorkflowExecutionCommandAttributes: &commandpb.RequestCancelExternalWorkflowExecutionCommandAttributes{
				WorkflowId: "other", RunId: testRunID}}},
		{CommandType: enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES, Attributes: &commandpb.Command_UpsertWorkflowSearchAttributesCommandAttributes{
			UpsertWorkflowSearchAttributesCommandAttributes: &commandpb.UpsertWorkflowSearchAttributesCommandAttributes{
				SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"CustomKeyword": {Data: []byte(`"x"`)}}}}}},
		{CommandType: enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES, Attributes: &commandpb.Command_ModifyWorkflowPropertiesCommandAttributes{
			ModifyWorkflowPropertiesCommandAttributes: &commandpb.ModifyWorkflowPropertiesCommandAttributes{
				UpsertedMemo: &commonpb.Memo{Fields: map[string]*commonpb.Payload{"note": {Data: []byte("hi")}}}}}},
		protocolMessageCommand("m1"),
		{CommandType: enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION, Attributes: &commandpb.Command_ScheduleNexusOperationCommandAttributes{
			ScheduleNexusOperationCommandAttributes: &commandpb.ScheduleNexusOperationCommandAttributes{
				Endpoint: "ep", Service: "svc", Operation: "op"}}},
		{CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION, Attributes: &commandpb.Command_RequestCancelNexusOperationCommandAttributes{
			RequestCancelNexusOperationCommandAttributes: &commandpb.RequestCancelNexusOperationCommandAttributes{ScheduledEventId: 9}}},
		completeWorkflow(),
	}
}

func validCompletion() *workflowservice.RespondWorkflowTaskCompletedRequest {
	return &workflowservice.RespondWorkflowTaskCompletedRequest{
		TaskToken: testToken, Namespace: "default", Identity: "w1",
		Commands: oneOfEach(),
		Messages: []*protocolpb.Message{protocolMessage("m1")},
		StickyAttributes: &taskqueuepb.StickyExecutionAttributes{
			WorkerTaskQueue:        &taskqueuepb.TaskQueue{Name: "host:1", Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: "orders"},
			ScheduleToStartTimeout: dur(5 * time.Second),
		},
		QueryResults: map[string]*querypb.WorkflowQueryResult{
			"q1": {ResultType: enumspb.QUERY_RESULT_TYPE_ANSWERED, Answer: smallPayloads()},
		},
	}
}

// TestValidateRespondWorkflowTaskCompletedRequest covers problems with the request as
// a whole, which are plain InvalidArgument errors.
func TestValidateRespondWorkflowTaskCompletedRequest(t *testing.T) {
	type req = *workflowservice.RespondWorkflowTaskCompletedRequest
	runCases(t, validCompletion, nil, validateRespondWorkflowTaskCompleted, []tcase[req]{
		{"no commands", func(r req) { r.Commands, r.Messages = nil, nil }, ""},
		{"workflow types carry over on continue-as-new", func(r req) {
			r.Commands = []*commandpb.Command{{CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
				Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{
					ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{}}}}
		}, ""},
		{"no token", func(r req) { r.TaskToken = nil }, "TaskToken is not set on request."},
		{"no namespace", func(r req) { r.Namespace = "" }, "Namespace is not set on request."},
		{"long identity", func(r req) { r.Identity = tooLong }, "Identity length exceeds limit. Limit: 20."},
		{"sticky without queue", func(r req) { r.StickyAttributes.WorkerTaskQueue = nil },
			"StickyAttributes.WorkerTaskQueue is not set on request."},
		{"sticky negative timeout", func(r req) { r.StickyAttributes.ScheduleToStartTimeout = dur(-time.Second) },
			"StickyAttributes.ScheduleToStartTimeout is negative: -1s."},
		{"query result nil", func(r req) { r.QueryResults["q1"] = nil }, `QueryResults["q1"] is not set on request.`},
		{"query result unspecified type", func(r req) { r.QueryResults["q1"].ResultType = 0 },
			`QueryResults["q1"].ResultType must be QUERY_RESULT_TYPE_ANSWERED or QUERY_RESULT_TYPE_FAILED, got QUERY_RESULT_TYPE_UNSPECIFIED.`},
		{"query result oversize", func(r req) { r.QueryResults["q1"].Answer = bigPayloads() },
			`QueryResults["q1"].Answer size 206 bytes exceeds limit of 100 bytes.`},
		{"query result empty id", func(r req) { r.QueryResults[""] = r.QueryResults["q1"] }, "QueryResults has an entry with an empty query id."},
		{"unspecified command type", func(r req) { r.Commands[2].CommandType = enumspb.COMMAND_TYPE_UNSPECIFIED },
			"Commands[2] has unknown command type COMMAND_TYPE_UNSPECIFIED."},
		{"unknown command type", func(r req) { r.Commands[0].CommandType = 15 }, "Commands[0] has unknown command type 15."},
		{"nil command", func(r req) { r.Commands[1] = nil }, "Commands[1] has unknown command type COMMAND_TYPE_UNSPECIFIED."},
		{"closing command not last", func(r req) {
			r.Commands = append([]*commandpb.Command{completeWorkflow()}, startTimer("t9"), startTimer("t8"))
		},
			"Commands[0] is COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, which closes the workflow and must be the last command, but 2 more follow."},
		{"two closing commands", func(r req) { r.Commands = []*commandpb.Command{completeWorkflow(), completeWorkflow()} },
			"Commands[0] is COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION, which closes the workflow and must be the last command, but 1 more follow."},
	})
}

// cmdCase is a completion whose one command (or message) is malformed.
type cmdCase struct {
	name      string
	cmd       *commandpb.Command
	mutate    func(*commandpb.Command)
	wantCause enumspb.WorkflowTaskFailedCause
	wantMsg   string
}

// TestValidateCommands checks each command type's structural rules and that problems
// come back as *CommandError with the right index and cause.
func TestValidateCommands(t *testing.T) {
	const (
		badActivity = enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_ACTIVITY_ATTRIBUTES
		tooLarge    = enumspb.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE
	)
	each := oneOfEach()
	byType := func(typ enumspb.CommandType) *commandpb.Command {
		for _, c := range each {
			if c.GetCommandType() == typ {
				return c
			}
		}
		t.Fatalf("no sample command of type %v", typ)
		return nil
	}
	activity := func(f func(a *commandpb.ScheduleActivityTaskCommandAttributes)) func(*commandpb.Command) {
		return func(c *commandpb.Command) { f(c.GetScheduleActivityTaskCommandAttributes()) }
	}
	cases := []cmdCase{
		{"activity attributes missing", scheduleActivity(), func(c *commandpb.Command) { c.Attributes = nil }, badActivity,
			"ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand."},
		{"activity attributes of another type", scheduleActivity(), func(c *commandpb.Command) { c.Attributes = startTimer("x").Attributes }, badActivity,
			"ScheduleActivityTaskCommandAttributes is not set on ScheduleActivityTaskCommand; it carries StartTimerCommandAttributes instead."},
		{"activity id missing", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.ActivityId = "" }), badActivity,
			"ActivityId is not set on ScheduleActivityTaskCommand."},
		{"activity id too long", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.ActivityId = tooLong }), badActivity,
			"ActivityId on ScheduleActivityTaskCommand exceeds length limit. Limit: 20."},
		{"activity type missing", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.ActivityType = nil }), badActivity,
			"ActivityType is not set on ScheduleActivityTaskCommand."},
		{"activity task queue missing", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.TaskQueue = nil }), badActivity,
			"TaskQueue is not set on ScheduleActivityTaskCommand."},
		{"activity task queue reserved", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.TaskQueue.Name = "/_sys/a/1" }), badActivity,
			`TaskQueue name cannot start with reserved prefix /_sys/: "/_sys/a/1".`},
		{"activity negative heartbeat", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.HeartbeatTimeout = dur(-time.Second) }), badActivity,
			"HeartbeatTimeout is negative: -1s."},
		{"activity without close timeouts", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
			a.StartToCloseTimeout, a.ScheduleToStartTimeout = nil, dur(time.Second)
		}), badActivity, `A valid StartToCloseTimeout or ScheduleToCloseTimeout is not set on ScheduleActivityTaskCommand. ActivityId="1"`},
		{"activity bad retry policy", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
			a.RetryPolicy = &commonpb.RetryPolicy{BackoffCoefficient: 0.9}
		}), badActivity, "BackoffCoefficient cannot be less than 1 on retry policy."},
		{"activity oversize input", scheduleActivity(), activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) { a.Input = bigPayloads() }), tooLarge,
			"Input size 206 bytes exceeds limit of 100 bytes."},
		{"activity oversize user metadata", scheduleActivity(), func(c *commandpb.Command) {
			c.UserMetadata = &sdkpb.UserMetadata{Summary: &commonpb.Payload{Data: make([]byte, 200)}}
		}, tooLarge, "UserMetadata size 206 bytes exceeds limit of 100 bytes."},

		{"cancel activity without event id", byType(enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK), func(c *commandpb.Command) {
			c.GetRequestCancelActivityTaskCommandAttributes().ScheduledEventId = 0
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
			"ScheduledEventId on RequestCancelActivityTaskCommand must be a positive event id, got 0."},
		{"cancel activity attributes missing", byType(enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK), func(c *commandpb.Command) { c.Attributes = nil },
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_ACTIVITY_ATTRIBUTES,
			"RequestCancelActivityTaskCommandAttributes is not set on RequestCancelActivityTaskCommand."},

		{"timer id missing", startTimer(""), func(*commandpb.Command) {}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES,
			"TimerId is not set on StartTimerCommand."},
		{"timer negative", startTimer("t"), func(c *commandpb.Command) { c.GetStartTimerCommandAttributes().StartToFireTimeout = dur(-time.Minute) },
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_TIMER_ATTRIBUTES, "StartToFireTimeout is negative: -1m0s."},
		{"cancel timer id too long", byType(enumspb.COMMAND_TYPE_CANCEL_TIMER), func(c *commandpb.Command) { c.GetCancelTimerCommandAttributes().TimerId = tooLong },
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES, "TimerId on CancelTimerCommand exceeds length limit. Limit: 20."},

		{"marker name missing", byType(enumspb.COMMAND_TYPE_RECORD_MARKER), func(c *commandpb.Command) { c.GetRecordMarkerCommandAttributes().MarkerName = "" },
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_RECORD_MARKER_ATTRIBUTES, "MarkerName is not set on RecordMarkerCommand."},
		{"marker oversize details", byType(enumspb.COMMAND_TYPE_RECORD_MARKER), func(c *commandpb.Command) {
			c.GetRecordMarkerCommandAttributes().Details["result"] = bigPayloads()
		}, tooLarge, `Details["result"] size 206 bytes exceeds limit of 100 bytes.`},

		{"complete oversize result", completeWorkflow(), func(c *commandpb.Command) { c.GetCompleteWorkflowExecutionCommandAttributes().Result = bigPayloads() },
			tooLarge, "Result size 206 bytes exceeds limit of 100 bytes."},
		{"complete attributes missing", completeWorkflow(), func(c *commandpb.Command) { c.Attributes = nil },
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_COMPLETE_WORKFLOW_EXECUTION_ATTRIBUTES,
			"CompleteWorkflowExecutionCommandAttributes is not set on CompleteWorkflowExecutionCommand."},
		{"fail without failure", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_FailWorkflowExecutionCommandAttributes{
			FailWorkflowExecutionCommandAttributes: &commandpb.FailWorkflowExecutionCommandAttributes{}}}, func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_FAIL_WORKFLOW_EXECUTION_ATTRIBUTES, "Failure is not set on FailWorkflowExecutionCommand."},
		{"fail oversize failure", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_FailWorkflowExecutionCommandAttributes{
			FailWorkflowExecutionCommandAttributes: &commandpb.FailWorkflowExecutionCommandAttributes{Failure: bigFailure()}}}, func(*commandpb.Command) {},
			tooLarge, "Failure size 203 bytes exceeds limit of 100 bytes."},
		{"cancel workflow attributes missing", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION}, func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_WORKFLOW_EXECUTION_ATTRIBUTES,
			"CancelWorkflowExecutionCommandAttributes is not set on CancelWorkflowExecutionCommand."},
		{"cancel workflow oversize details", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION, Attributes: &commandpb.Command_CancelWorkflowExecutionCommandAttributes{
			CancelWorkflowExecutionCommandAttributes: &commandpb.CancelWorkflowExecutionCommandAttributes{Details: bigPayloads()}}}, func(*commandpb.Command) {},
			tooLarge, "Details size 206 bytes exceeds limit of 100 bytes."},

		{"continue-as-new negative run timeout", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
				WorkflowRunTimeout: dur(-time.Hour)}}}, func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, "WorkflowRunTimeout is negative: -1h0m0s."},
		{"continue-as-new reserved queue", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
				TaskQueue: tq("/_sys/q")}}}, func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, `TaskQueue name cannot start with reserved prefix /_sys/: "/_sys/q".`},
		{"continue-as-new long type", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
				WorkflowType: &commonpb.WorkflowType{Name: tooLong}}}}, func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, "WorkflowType on ContinueAsNewWorkflowExecutionCommand exceeds length limit. Limit: 20."},
		{"continue-as-new oversize input", &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
				Input: bigPayloads()}}}, func(*commandpb.Command) {},
			tooLarge, "Input size 206 bytes exceeds limit of 100 bytes."},

		{"child without workflow id", byType(enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetStartChildWorkflowExecutionCommandAttributes().WorkflowId = ""
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, "WorkflowId is not set on StartChildWorkflowExecutionCommand."},
		{"child without workflow type", byType(enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetStartChildWorkflowExecutionCommandAttributes().WorkflowType = nil
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, "WorkflowType is not set on StartChildWorkflowExecutionCommand."},
		{"child unknown parent close policy", byType(enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetStartChildWorkflowExecutionCommandAttributes().ParentClosePolicy = 8
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, "ParentClosePolicy has unknown value 8."},
		{"child negative task timeout", byType(enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetStartChildWorkflowExecutionCommandAttributes().WorkflowTaskTimeout = dur(-time.Second)
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_START_CHILD_EXECUTION_ATTRIBUTES, "WorkflowTaskTimeout is negative: -1s."},

		{"signal external without execution", byType(enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetSignalExternalWorkflowExecutionCommandAttributes().Execution = nil
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "Execution is not set on SignalExternalWorkflowExecutionCommand."},
		{"signal external without signal name", byType(enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetSignalExternalWorkflowExecutionCommandAttributes().SignalName = ""
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "SignalName is not set on SignalExternalWorkflowExecutionCommand."},
		{"signal external bad run id", byType(enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetSignalExternalWorkflowExecutionCommandAttributes().Execution.RunId = "zz"
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SIGNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "Invalid RunId set on SignalExternalWorkflowExecutionCommand."},

		{"cancel external without workflow id", byType(enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetRequestCancelExternalWorkflowExecutionCommandAttributes().WorkflowId = ""
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES,
			"WorkflowId is not set on RequestCancelExternalWorkflowExecutionCommand."},
		{"cancel external long namespace", byType(enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION), func(c *commandpb.Command) {
			c.GetRequestCancelExternalWorkflowExecutionCommandAttributes().Namespace = tooLong
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION_ATTRIBUTES, "Namespace on RequestCancelExternalWorkflowExecutionCommand exceeds length limit. Limit: 20."},

		{"upsert without search attributes", byType(enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES), func(c *commandpb.Command) {
			c.GetUpsertWorkflowSearchAttributesCommandAttributes().SearchAttributes = nil
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "SearchAttributes is not set on UpsertWorkflowSearchAttributesCommand."},
		{"upsert with no fields", byType(enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES), func(c *commandpb.Command) {
			c.GetUpsertWorkflowSearchAttributesCommandAttributes().SearchAttributes.IndexedFields = nil
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SEARCH_ATTRIBUTES, "SearchAttributes.IndexedFields is not set on UpsertWorkflowSearchAttributesCommand."},

		{"modify without memo", byType(enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES), func(c *commandpb.Command) {
			c.GetModifyWorkflowPropertiesCommandAttributes().UpsertedMemo = nil
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES, "UpsertedMemo is not set on ModifyWorkflowPropertiesCommand."},
		{"modify with empty memo", byType(enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES), func(c *commandpb.Command) {
			c.GetModifyWorkflowPropertiesCommandAttributes().UpsertedMemo.Fields = nil
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_MODIFY_WORKFLOW_PROPERTIES_ATTRIBUTES, "UpsertedMemo.Fields is not set on ModifyWorkflowPropertiesCommand."},

		{"protocol message without id", protocolMessageCommand(""), func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE, "MessageId is not set on ProtocolMessageCommand."},
		{"protocol message absent", protocolMessageCommand("m404"), func(*commandpb.Command) {},
			enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
			`ProtocolMessageCommand refers to message "m404", which is not in the request's Messages.`},

		{"nexus without endpoint", byType(enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION), func(c *commandpb.Command) {
			c.GetScheduleNexusOperationCommandAttributes().Endpoint = ""
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES, "Endpoint is not set on ScheduleNexusOperationCommand."},
		{"nexus negative timeout", byType(enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION), func(c *commandpb.Command) {
			c.GetScheduleNexusOperationCommandAttributes().ScheduleToCloseTimeout = dur(-time.Second)
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES, "ScheduleToCloseTimeout is negative: -1s."},
		{"nexus cancel without event id", byType(enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION), func(c *commandpb.Command) {
			c.GetRequestCancelNexusOperationCommandAttributes().ScheduledEventId = -4
		}, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES,
			"ScheduledEventId on RequestCancelNexusOperationCommand must be a positive event id, got -4."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			bad := cloneCommand(tc.cmd)
			tc.mutate(bad)
			req := validCompletion()
			// Put the bad command after a good one so the index is checked, and keep
			// any closing command last.
			req.Commands = []*commandpb.Command{startTimer("first"), bad}
			err := validateRespondWorkflowTaskCompleted(req, testLim)
			assertCommandError(t, err, 1, tc.cmd.GetCommandType(), tc.wantCause, tc.wantMsg)
		})
	}
}

func cloneCommand(c *commandpb.Command) *commandpb.Command {
	return proto.Clone(c).(*commandpb.Command)
}

func assertCommandError(t *testing.T, err error, index int, typ enumspb.CommandType, cause enumspb.WorkflowTaskFailedCause, msg string) {
	t.Helper()
	var ce *CommandError
	if !errors.As(err, &ce) {
		t.Fatalf("error %v (%T) is not a *CommandError", err, err)
	}
	if ce.Index != index || ce.Type != typ || ce.Cause != cause {
		t.Errorf("CommandError{Index: %d, Type: %v, Cause: %v}, want {%d, %v, %v}", ce.Index, ce.Type, ce.Cause, index, typ, cause)
	}
	if ce.Message != msg {
		t.Errorf("Message = %q\n          want %q", ce.Message, msg)
	}
	if code := status.Code(err); code != codes.InvalidArgument {
		t.Errorf("status.Code = %v, want InvalidArgument", code)
	}
	if code := serviceerror.ToStatus(err).Code(); code != codes.InvalidArgument {
		t.Errorf("serviceerror.ToStatus code = %v, want InvalidArgument", code)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("Error() %q does not contain the message", err.Error())
	}
}

func TestCommandErrorReportsFirstBadCommand(t *testing.T) {
	req := validCompletion()
	req.Commands[3].GetCancelTimerCommandAttributes().TimerId = ""
	req.Commands[5].GetStartChildWorkflowExecutionCommandAttributes().WorkflowId = ""
	err := validateRespondWorkflowTaskCompleted(req, testLim)
	assertCommandError(t, err, 3, enumspb.COMMAND_TYPE_CANCEL_TIMER, enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CANCEL_TIMER_ATTRIBUTES,
		"TimerId is not set on CancelTimerCommand.")
	if want := "BadCancelTimerAttributes: TimerId is not set on CancelTimerCommand. (Commands[3], COMMAND_TYPE_CANCEL_TIMER)"; err.Error() != want {
		t.Errorf("Error() = %q, want %q", err.Error(), want)
	}
}

func TestValidateProtocolMessages(t *testing.T) {
	const badMessage = enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE
	cases := []struct {
		name      string
		mutate    func(r *workflowservice.RespondWorkflowTaskCompletedRequest)
		wantIndex int
		wantType  enumspb.CommandType
		wantMsg   string
	}{
		{"referenced message without body", func(r *workflowservice.RespondWorkflowTaskCompletedRequest) { r.Messages[0].Body = nil },
			10, enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE, `Body is not set on protocol message "m1".`},
		{"referenced message without instance", func(r *workflowservice.RespondWorkflowTaskCompletedRequest) { r.Messages[0].ProtocolInstanceId = "" },
			10, enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE, "ProtocolInstanceId is not set on protocol message."},
		{"unreferenced message without id", func(r *workflowservice.RespondWorkflowTaskCompletedRequest) {
			r.Messages = append(r.Messages, &protocolpb.Message{ProtocolInstanceId: "u2"})
		}, -1, enumspb.COMMAND_TYPE_UNSPECIFIED, "Id is not set on protocol message."},
		{"unreferenced nil message", func(r *workflowservice.RespondWorkflowTaskCompletedRequest) {
			r.Messages = append(r.Messages, nil)
		}, -1, enumspb.COMMAND_TYPE_UNSPECIFIED, "Messages contains a nil message."},
		{"unreferenced oversize message", func(r *workflowservice.RespondWorkflowTaskCompletedRequest) {
			m := protocolMessage("m2")
			m.Body.Value = make([]byte, 200)
			r.Messages = append(r.Messages, m)
		}, -1, enumspb.COMMAND_TYPE_UNSPECIFIED, "Body size 255 bytes exceeds limit of 100 bytes."},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			req := validCompletion()
			tc.mutate(req)
			err := validateRespondWorkflowTaskCompleted(req, testLim)
			wantCause := badMessage
			if strings.Contains(tc.wantMsg, "exceeds limit") {
				wantCause = enumspb.WORKFLOW_TASK_FAILED_CAUSE_PAYLOADS_TOO_LARGE
			}
			assertCommandError(t, err, tc.wantIndex, tc.wantType, wantCause, tc.wantMsg)
		})
	}
	// An unreferenced but well-formed message (for example an update rejection) is fine.
	req := validCompletion()
	req.Messages = append(req.Messages, protocolMessage("m2"))
	if err := validateRespondWorkflowTaskCompleted(req, testLim); err != nil {
		t.Fatalf("well-formed unreferenced message refused: %v", err)
	}
}

func TestEveryCommandTypeHasARule(t *testing.T) {
	for num, name := range enumspb.CommandType_name {
		typ := enumspb.CommandType(num)
		if typ == enumspb.COMMAND_TYPE_UNSPECIFIED {
			continue
		}
		rule, ok := commandRules[typ]
		if !ok {
			t.Errorf("no rule for %s", name)
			continue
		}
		if rule.name == "" || rule.cause == enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED || rule.check == nil {
			t.Errorf("rule for %s is incomplete: %+v", name, rule)
		}
	}
	// And every rule's check accepts the sample command of its type.
	req := validCompletion()
	seen := map[enumspb.CommandType]bool{}
	for _, c := range req.Commands {
		seen[c.GetCommandType()] = true
	}
	for typ := range commandRules {
		if !seen[typ] && typ != enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION &&
			typ != enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION && typ != enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION {
			t.Errorf("oneOfEach has no %v command", typ)
		}
	}
}
