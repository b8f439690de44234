package engine_test

import (
	"context"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// updateWithStart builds an update-with-start of workflow id on tq.
func (e *env) updateWithStart(id, tq, updateID string, edit func(*workflowservice.StartWorkflowExecutionRequest, *workflowservice.UpdateWorkflowExecutionRequest)) *workflowservice.ExecuteMultiOperationRequest {
	start := e.startRequest(id, tq)
	start.WorkflowIdConflictPolicy = enumspb.WORKFLOW_ID_CONFLICT_POLICY_USE_EXISTING
	update := &workflowservice.UpdateWorkflowExecutionRequest{
		Namespace:         ns,
		WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: id},
		WaitPolicy:        &updatepb.WaitPolicy{LifecycleStage: enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED},
		Request: &updatepb.Request{
			Meta:  &updatepb.Meta{UpdateId: updateID, Identity: "client"},
			Input: &updatepb.Input{Name: "bump", Args: payloads("1")},
		},
	}
	if edit != nil {
		edit(start, update)
	}
	return &workflowservice.ExecuteMultiOperationRequest{Namespace: ns, Operations: []*workflowservice.ExecuteMultiOperationRequest_Operation{
		{Operation: &workflowservice.ExecuteMultiOperationRequest_Operation_StartWorkflow{StartWorkflow: start}},
		{Operation: &workflowservice.ExecuteMultiOperationRequest_Operation_UpdateWorkflow{UpdateWorkflow: update}},
	}}
}

// wantMultiOpFailure checks err is Temporal's update-with-start failure with
// the given per-operation codes, an aborted operation reading "Operation was
// aborted.".
func wantMultiOpFailure(t *testing.T, err error, startCode, updateCode codes.Code) {
	t.Helper()
	multi, ok := asError[*serviceerror.MultiOperationExecution](serviceerror.FromStatus(status.Convert(err)))
	if !ok {
		t.Fatalf("error %v is not a MultiOperationExecution failure", err)
	}
	if multi.Message != "Update-with-Start could not be executed." {
		t.Errorf("message %q", multi.Message)
	}
	ops := multi.OperationErrors()
	if len(ops) != 2 {
		t.Fatalf("%d operation statuses, want 2", len(ops))
	}
	for i, want := range []codes.Code{startCode, updateCode} {
		st := serviceerror.ToStatus(ops[i])
		if st.Code() != want {
			t.Errorf("operation %d: %v (%v), want %v", i, ops[i], st.Code(), want)
		}
		if want == codes.Aborted && st.Message() != "Operation was aborted." {
			t.Errorf("operation %d aborted with %q", i, st.Message())
		}
	}
}

// TestHardening06UpdateWithStartIsAtomic: an update-with-start whose update
// is refused starts nothing and changes nothing, and says so: the start is
// reported aborted, the update with its own error. An accepted one admits the
// update with the start, so the new run's first workflow task carries it.
func TestHardening06UpdateWithStartIsAtomic(t *testing.T) {
	e := newEnv(t)

	// Refused update of a workflow that does not exist yet: nothing starts.
	_, err := e.c.ExecuteMultiOperation(e.ctx(), e.updateWithStart("uws-new", "uws-tq", "u1",
		func(_ *workflowservice.StartWorkflowExecutionRequest, u *workflowservice.UpdateWorkflowExecutionRequest) {
			u.WaitPolicy.LifecycleStage = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
		}))
	wantMultiOpFailure(t, err, codes.Aborted, codes.InvalidArgument)
	_, err = e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{
		Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "uws-new"},
	})
	wantCode(t, "describing the workflow of a refused update-with-start", err, codes.NotFound)

	// Refused update of a running workflow (USE_EXISTING): the run is left
	// as it was, with no workflow task for the refused update.
	otherRun := e.start("uws-other", "uws-other-tq")
	e.start("uws-existing", "uws-tq2")
	first := e.pollWFT("uws-tq2")
	e.completeWFT(first.TaskToken)
	_, err = e.c.ExecuteMultiOperation(e.ctx(), e.updateWithStart("uws-existing", "uws-tq2", "u2",
		func(_ *workflowservice.StartWorkflowExecutionRequest, u *workflowservice.UpdateWorkflowExecutionRequest) {
			u.FirstExecutionRunId = otherRun
		}))
	wantMultiOpFailure(t, err, codes.Aborted, codes.NotFound)
	e.pollWFTNone(&taskqueuepb.TaskQueue{Name: "uws-tq2", Kind: enumspb.TASK_QUEUE_KIND_NORMAL})

	// An admitted update rides on the new run's first workflow task.
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := e.c.ExecuteMultiOperation(ctx, e.updateWithStart("uws-ok", "uws-tq3", "u3", nil))
		done <- err
	}()
	wft := e.pollWFT("uws-tq3")
	if len(wft.Messages) != 1 || wft.Messages[0].ProtocolInstanceId != "u3" {
		t.Errorf("the first workflow task of an update-with-start carries messages %v, want the update's request", wft.Messages)
	}
	cancel()
	<-done
}
