package compat

import (
	"fmt"
	"strings"
	"testing"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	batchpb "go.temporal.io/api/batch/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sundialdev/sundial/server"
)

// TestBatchResetActivities: a batch that resets every activity of the runs
// a query selects reaches the running attempt through its heartbeat, and the
// attempt after it starts again from 1 without heartbeat details.
func TestBatchResetActivities(t *testing.T) {
	tg := startTarget(t)
	ctx := testContext(t, 2*time.Minute)
	act := newOpsActivity(func(_, call int32) bool { return call > 1 })
	c, run := startOps(t, tg, act, 100*time.Millisecond)
	waitPending(t, c, run, "activity heartbeating", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED && p.HeartbeatDetails != nil
	})
	svc := dialRaw(t, tg)
	job := uniqueName(t, "reset-activities")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: job, Reason: "start over", VisibilityQuery: fmt.Sprintf("WorkflowId = '%s'", run.GetID()),
		Operation: &workflowservice.StartBatchOperationRequest_ResetActivitiesOperation{ResetActivitiesOperation: &batchpb.BatchOperationResetActivities{
			Identity: "ops-person", Activity: &batchpb.BatchOperationResetActivities_MatchAll{MatchAll: true}, ResetHeartbeat: true,
		}},
	}); err != nil {
		t.Fatalf("StartBatchOperation: %v", err)
	}
	if desc := waitBatch(t, ctx, svc, tg.Namespace, job); desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED ||
		desc.GetOperationType() != enumspb.BATCH_OPERATION_TYPE_RESET_ACTIVITY || desc.GetCompleteOperationCount() != 1 {
		t.Fatalf("reset activities batch: %v", desc)
	}
	waitCause(t, act, activity.ErrActivityReset)
	var result string
	if err := run.Get(ctx, &result); err != nil {
		t.Fatalf("workflow after the reset batch: %v", err)
	}
	if !strings.HasPrefix(result, "attempt 1 call 2") || !strings.HasSuffix(result, `details ""`) {
		t.Errorf("result %q, want attempt 1 call 2 with no heartbeat details", result)
	}
}

// TestBatchUpdateActivityOptions: a batch changes the options of every "ops"
// activity of the runs it lists, only the fields its mask names; Describe
// shows the new options.
func TestBatchUpdateActivityOptions(t *testing.T) {
	tg := startTarget(t)
	ctx := testContext(t, 2*time.Minute)
	act := newOpsActivity(func(_, call int32) bool { return call > 1 })
	c, run := startOps(t, tg, act, time.Hour)
	before := waitPending(t, c, run, "activity running", func(p *workflowpb.PendingActivityInfo) bool {
		return p.State == enumspb.PENDING_ACTIVITY_STATE_STARTED
	})
	svc := dialRaw(t, tg)
	job := uniqueName(t, "update-activities")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: job, Reason: "longer timeout",
		Executions: []*commonpb.WorkflowExecution{execOf(run)},
		Operation: &workflowservice.StartBatchOperationRequest_UpdateActivityOptionsOperation{UpdateActivityOptionsOperation: &batchpb.BatchOperationUpdateActivityOptions{
			Identity: "ops-person", Activity: &batchpb.BatchOperationUpdateActivityOptions_Type{Type: "ops"},
			ActivityOptions: &activitypb.ActivityOptions{
				StartToCloseTimeout: durationpb.New(42 * time.Second),
				HeartbeatTimeout:    durationpb.New(time.Hour), // not in the mask: unchanged
			},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"start_to_close_timeout"}},
		}},
	}); err != nil {
		t.Fatalf("StartBatchOperation: %v", err)
	}
	if desc := waitBatch(t, ctx, svc, tg.Namespace, job); desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED ||
		desc.GetOperationType() != enumspb.BATCH_OPERATION_TYPE_UPDATE_ACTIVITY_OPTIONS || desc.GetCompleteOperationCount() != 1 {
		t.Fatalf("update activity options batch: %v", desc)
	}
	after := describeOpsActivity(t, c, run).GetActivityOptions()
	if got := after.GetStartToCloseTimeout().AsDuration(); got != 42*time.Second {
		t.Errorf("start-to-close after the batch %v, want 42s", got)
	}
	if got, was := after.GetHeartbeatTimeout().AsDuration(), before.GetActivityOptions().GetHeartbeatTimeout().AsDuration(); got != was {
		t.Errorf("heartbeat timeout %v changed from %v though the mask leaves it", got, was)
	}
}

// TestBatchActivityOperationsValidated: a batch's activity operation is
// checked as the request it makes for each run, before the batch starts.
func TestBatchActivityOperationsValidated(t *testing.T) {
	tg := startTarget(t)
	ctx := testContext(t, 30*time.Second)
	svc := dialRaw(t, tg)
	request := func(reason string) *workflowservice.StartBatchOperationRequest {
		return &workflowservice.StartBatchOperationRequest{
			Namespace: tg.Namespace, JobId: uniqueName(t, "bad"), Reason: reason, VisibilityQuery: "WorkflowType = 'none'",
		}
	}
	noMask := request("update without a mask")
	noMask.Operation = &workflowservice.StartBatchOperationRequest_UpdateActivityOptionsOperation{UpdateActivityOptionsOperation: &batchpb.BatchOperationUpdateActivityOptions{
		Activity: &batchpb.BatchOperationUpdateActivityOptions_MatchAll{MatchAll: true}, ActivityOptions: &activitypb.ActivityOptions{},
	}}
	noActivity := request("reset naming no activity")
	noActivity.Operation = &workflowservice.StartBatchOperationRequest_ResetActivitiesOperation{ResetActivitiesOperation: &batchpb.BatchOperationResetActivities{}}
	negativeJitter := request("reset with a negative jitter")
	negativeJitter.Operation = &workflowservice.StartBatchOperationRequest_ResetActivitiesOperation{ResetActivitiesOperation: &batchpb.BatchOperationResetActivities{
		Activity: &batchpb.BatchOperationResetActivities_MatchAll{MatchAll: true}, Jitter: durationpb.New(-time.Second),
	}}
	for _, req := range []*workflowservice.StartBatchOperationRequest{noMask, noActivity, negativeJitter} {
		if _, err := svc.StartBatchOperation(ctx, req); status.Code(err) != codes.InvalidArgument {
			t.Errorf("%s: got %v, want InvalidArgument", req.GetReason(), err)
		}
	}
}

// TestBatchUpdateWorkflowOptions: a batch sets a versioning override on every
// run its query selects; Describe shows it on each.
func TestBatchUpdateWorkflowOptions(t *testing.T) {
	tg := startSundial(t, server.Options{})
	ctx := testContext(t, time.Minute)
	svc := dialRaw(t, tg)
	runs, query := batchFixture(t, ctx, svc, tg.Namespace, 3)
	job := uniqueName(t, "override")
	if _, err := svc.StartBatchOperation(ctx, &workflowservice.StartBatchOperationRequest{
		Namespace: tg.Namespace, JobId: job, Reason: "auto-upgrade all", VisibilityQuery: query,
		Operation: &workflowservice.StartBatchOperationRequest_UpdateWorkflowOptionsOperation{UpdateWorkflowOptionsOperation: &batchpb.BatchOperationUpdateWorkflowExecutionOptions{
			Identity: "ops-person",
			WorkflowExecutionOptions: &workflowpb.WorkflowExecutionOptions{VersioningOverride: &workflowpb.VersioningOverride{
				Override: &workflowpb.VersioningOverride_AutoUpgrade{AutoUpgrade: true},
			}},
			UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"versioning_override"}},
		}},
	}); err != nil {
		t.Fatalf("StartBatchOperation: %v", err)
	}
	if desc := waitBatch(t, ctx, svc, tg.Namespace, job); desc.GetState() != enumspb.BATCH_OPERATION_STATE_COMPLETED ||
		desc.GetOperationType() != enumspb.BATCH_OPERATION_TYPE_UPDATE_WORKFLOW_EXECUTION_OPTIONS || desc.GetCompleteOperationCount() != int64(len(runs)) {
		t.Fatalf("update workflow options batch: %v", desc)
	}
	for _, ex := range runs {
		d, err := svc.DescribeWorkflowExecution(ctx, &workflowservice.DescribeWorkflowExecutionRequest{Namespace: tg.Namespace, Execution: ex})
		if err != nil {
			t.Fatalf("describing %s: %v", ex.GetWorkflowId(), err)
		}
		if !d.GetWorkflowExecutionInfo().GetVersioningInfo().GetVersioningOverride().GetAutoUpgrade() {
			t.Errorf("%s: versioning info %v, want an auto-upgrade override", ex.GetWorkflowId(), d.GetWorkflowExecutionInfo().GetVersioningInfo())
		}
	}
}
