package frontend

import (
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

func validStartNexus() *workflowservice.StartNexusOperationExecutionRequest {
	return &workflowservice.StartNexusOperationExecutionRequest{
		Namespace: "ns", OperationId: "op", Endpoint: "ep", Service: "svc", Operation: "run",
	}
}

// A valid start is normalized as Temporal does: request id generated, header
// keys lower-cased, the other timeouts capped to schedule-to-close, default
// id policies.
func TestValidateStartNexusOperationNormalizes(t *testing.T) {
	req := validStartNexus()
	req.NexusHeader = map[string]string{"X-Trace": "1"}
	req.ScheduleToCloseTimeout = durationpb.New(time.Minute)
	req.ScheduleToStartTimeout = durationpb.New(time.Hour)
	req.StartToCloseTimeout = durationpb.New(2 * time.Minute)
	if err := validateStartNexusOperation(req, testLim); err != nil {
		t.Fatal(err)
	}
	if req.RequestId == "" || req.NexusHeader["x-trace"] != "1" || len(req.NexusHeader) != 1 {
		t.Fatalf("not normalized: %v", req)
	}
	if req.ScheduleToStartTimeout.AsDuration() != time.Minute || req.StartToCloseTimeout.AsDuration() != time.Minute {
		t.Fatalf("timeouts not capped: %v", req)
	}
	if req.IdReusePolicy != enumspb.NEXUS_OPERATION_ID_REUSE_POLICY_ALLOW_DUPLICATE || req.IdConflictPolicy != enumspb.NEXUS_OPERATION_ID_CONFLICT_POLICY_FAIL {
		t.Fatalf("policies %v %v", req.IdReusePolicy, req.IdConflictPolicy)
	}
}

func TestValidateStartNexusOperationRejects(t *testing.T) {
	for _, c := range []struct {
		mut  func(*workflowservice.StartNexusOperationExecutionRequest)
		want string
	}{
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Namespace = "" }, "Namespace is not set"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.OperationId = tooLong }, "operation_id exceeds length limit. Length=21 Limit=20"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.RequestId = tooLong }, "request_id exceeds length limit"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Identity = tooLong }, "identity exceeds length limit"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.Operation = strings.Repeat("o", 1001) }, "operation exceeds length limit. Length=1001 Limit=1000"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.StartToCloseTimeout = &durationpb.Duration{Seconds: 1, Nanos: -1}
		}, "start_to_close_timeout is invalid"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.Input = &commonpb.Payload{Data: make([]byte, 200)}
		}, "input exceeds size limit"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.UserMetadata = &sdkpb.UserMetadata{Summary: &commonpb.Payload{Data: make([]byte, 500)}}
		}, "user_metadata.summary exceeds size limit"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) {
			r.NexusHeader = map[string]string{"k": strings.Repeat("v", 9000)}
		}, "nexus_header exceeds size limit"},
		{func(r *workflowservice.StartNexusOperationExecutionRequest) { r.IdReusePolicy = 9 }, "IdReusePolicy"},
	} {
		req := validStartNexus()
		c.mut(req)
		err := validateStartNexusOperation(req, testLim)
		inv, ok := err.(*serviceerror.InvalidArgument)
		if !ok || !strings.Contains(inv.Message, c.want) {
			t.Errorf("want InvalidArgument containing %q, got %v", c.want, err)
		}
	}
}

func TestValidateNexusControl(t *testing.T) {
	req := &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: "ns", OperationId: "op", Reason: strings.Repeat("r", 1001)}
	if err := validateNexusControl(req, testLim, &req.RequestId); err == nil || !strings.Contains(err.Error(), "reason exceeds length limit. Length=1001 Limit=1000") {
		t.Fatalf("long reason: %v", err)
	}
	req = &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: "ns", OperationId: "op", RunId: "not-a-uuid"}
	if err := validateNexusControl(req, testLim, &req.RequestId); err == nil || err.Error() != "run_id is not a valid UUID" {
		t.Fatalf("bad run id: %v", err)
	}
	req = &workflowservice.TerminateNexusOperationExecutionRequest{Namespace: "ns", OperationId: "op", RunId: testRunID}
	if err := validateNexusControl(req, testLim, &req.RequestId); err != nil || req.RequestId == "" {
		t.Fatalf("valid request: %v, request id %q", err, req.RequestId)
	}
}
