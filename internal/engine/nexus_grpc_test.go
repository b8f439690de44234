package engine_test

import (
	"path/filepath"
	"testing"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestNexusSyncOperationSurvivesRestart: an endpoint and a scheduled
// operation outlive a restart; after it the operation's start request is
// handed to the handler's poller, whose synchronous answer completes it, and a
// second answer to the same task is NotFound.
func TestNexusSyncOperationSurvivesRestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "db")
	e := openEnv(t, path)
	ops := operatorservice.NewOperatorServiceClient(e.conn)
	created, err := ops.CreateNexusEndpoint(e.ctx(), &operatorservice.CreateNexusEndpointRequest{Spec: &nexuspb.EndpointSpec{
		Name: "my-endpoint",
		Target: &nexuspb.EndpointTarget{Variant: &nexuspb.EndpointTarget_Worker_{Worker: &nexuspb.EndpointTarget_Worker{
			Namespace: "default", TaskQueue: "handler-tq",
		}}},
	}})
	if err != nil {
		t.Fatalf("create endpoint: %v", err)
	}
	e.start("caller", "caller-tq")
	task := e.pollWFT("caller-tq")
	e.completeWFT(task.TaskToken, &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION,
		Attributes: &commandpb.Command_ScheduleNexusOperationCommandAttributes{ScheduleNexusOperationCommandAttributes: &commandpb.ScheduleNexusOperationCommandAttributes{
			Endpoint: "my-endpoint", Service: "svc", Operation: "op", Input: &commonpb.Payload{Data: []byte(`"x"`)},
		}}})
	e.stop()

	e = openEnv(t, path)
	ops = operatorservice.NewOperatorServiceClient(e.conn)
	got, err := ops.GetNexusEndpoint(e.ctx(), &operatorservice.GetNexusEndpointRequest{Id: created.GetEndpoint().GetId()})
	if err != nil || got.GetEndpoint().GetSpec().GetName() != "my-endpoint" {
		t.Fatalf("endpoint after restart: %v %v", got, err)
	}
	poll, err := e.c.PollNexusTaskQueue(e.ctx(), &workflowservice.PollNexusTaskQueueRequest{
		Namespace: "default", TaskQueue: &taskqueuepb.TaskQueue{Name: "handler-tq"}, Identity: "handler",
	})
	if err != nil {
		t.Fatalf("poll: %v", err)
	}
	start := poll.GetRequest().GetStartOperation()
	if start == nil || start.GetService() != "svc" || start.GetOperation() != "op" || string(start.GetPayload().GetData()) != `"x"` || start.GetCallback() == "" {
		t.Fatalf("nexus task %v", poll.GetRequest())
	}
	answer := &workflowservice.RespondNexusTaskCompletedRequest{Namespace: "default", TaskToken: poll.TaskToken, Response: &nexuspb.Response{
		Variant: &nexuspb.Response_StartOperation{StartOperation: &nexuspb.StartOperationResponse{
			Variant: &nexuspb.StartOperationResponse_SyncSuccess{SyncSuccess: &nexuspb.StartOperationResponse_Sync{Payload: &commonpb.Payload{Data: []byte(`"y"`)}}},
		}},
	}}
	if _, err := e.c.RespondNexusTaskCompleted(e.ctx(), answer); err != nil {
		t.Fatalf("respond: %v", err)
	}
	if _, err := e.c.RespondNexusTaskCompleted(e.ctx(), answer); status.Code(err) != codes.NotFound {
		t.Fatalf("second answer: %v, want NotFound", err)
	}
	var types []enumspb.EventType
	for _, ev := range e.history("caller", "") {
		types = append(types, ev.EventType)
	}
	want := []enumspb.EventType{enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED, enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED, enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED}
	if len(types) != len(want) {
		t.Fatalf("history %v, want %v", types, want)
	}
	for i := range want {
		if types[i] != want[i] {
			t.Fatalf("history %v, want %v", types, want)
		}
	}
}
