package frontend

import (
	"math"
	"strings"
	"testing"
	"time"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/fieldmaskpb"
)

func TestValidateActivityOps(t *testing.T) {
	lim := DefaultLimits()
	ex := &commonpb.WorkflowExecution{WorkflowId: "wf"}
	long := strings.Repeat("x", lim.withDefaults().MaxIDLength+1)
	opts := func(paths ...string) *workflowservice.UpdateActivityOptionsRequest {
		return &workflowservice.UpdateActivityOptionsRequest{
			Namespace: "default", Execution: ex, Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "a"},
			ActivityOptions: &activitypb.ActivityOptions{StartToCloseTimeout: durationpb.New(time.Second)},
			UpdateMask:      &fieldmaskpb.FieldMask{Paths: paths},
		}
	}
	cases := []struct {
		name string
		err  error
		want string // "" for valid
	}{
		{"pause ok", validatePauseActivity(&workflowservice.PauseActivityRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.PauseActivityRequest_Type{Type: "T"}}, lim), ""},
		{"pause nothing named", validatePauseActivity(&workflowservice.PauseActivityRequest{Namespace: "default", Execution: ex}, lim),
			"Either Activity.Id or Activity.Type should be set on request."},
		{"pause empty id", validatePauseActivity(&workflowservice.PauseActivityRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.PauseActivityRequest_Id{}}, lim), "Either Activity.Id"},
		{"pause no workflow", validatePauseActivity(&workflowservice.PauseActivityRequest{Namespace: "default",
			Activity: &workflowservice.PauseActivityRequest_Id{Id: "a"}}, lim), "WorkflowId is not set"},
		{"pause long reason", validatePauseActivity(&workflowservice.PauseActivityRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.PauseActivityRequest_Id{Id: "a"}, Reason: long}, lim), "Reason length exceeds limit"},
		{"unpause all false", validateUnpauseActivity(&workflowservice.UnpauseActivityRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.UnpauseActivityRequest_UnpauseAll{}}, lim), "Either Activity.Id"},
		{"unpause negative jitter", validateUnpauseActivity(&workflowservice.UnpauseActivityRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.UnpauseActivityRequest_UnpauseAll{UnpauseAll: true}, Jitter: durationpb.New(-time.Second)}, lim), "Jitter is negative"},
		{"reset bad jitter", validateResetActivity(&workflowservice.ResetActivityRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.ResetActivityRequest_MatchAll{MatchAll: true}, Jitter: &durationpb.Duration{Seconds: 1, Nanos: -1}}, lim), "Jitter is invalid"},
		{"reset bad run id", validateResetActivity(&workflowservice.ResetActivityRequest{Namespace: "default",
			Execution: &commonpb.WorkflowExecution{WorkflowId: "wf", RunId: "nope"},
			Activity:  &workflowservice.ResetActivityRequest_Id{Id: "a"}}, lim), "Invalid RunId."},
		{"update ok", validateUpdateActivityOptions(opts("start_to_close_timeout", "retryPolicy.maximumAttempts", "task_queue_name"), lim), ""},
		{"update unknown path", validateUpdateActivityOptions(opts("input"), lim), `UpdateMask path "input"`},
		{"update no mask", validateUpdateActivityOptions(&workflowservice.UpdateActivityOptionsRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "a"}, ActivityOptions: &activitypb.ActivityOptions{}}, lim), "UpdateMask is not provided"},
		{"update no options", validateUpdateActivityOptions(&workflowservice.UpdateActivityOptionsRequest{Namespace: "default", Execution: ex,
			Activity: &workflowservice.UpdateActivityOptionsRequest_Id{Id: "a"}}, lim), "ActivityOptions are not provided"},
		{"update NaN coefficient", validateUpdateActivityOptions(func() *workflowservice.UpdateActivityOptionsRequest {
			r := opts("retry_policy")
			r.ActivityOptions.RetryPolicy = &commonpb.RetryPolicy{BackoffCoefficient: math.NaN()}
			return r
		}(), lim), "BackoffCoefficient must be a finite number"},
		{"update negative timeout", validateUpdateActivityOptions(func() *workflowservice.UpdateActivityOptionsRequest {
			r := opts("heartbeat_timeout")
			r.ActivityOptions.HeartbeatTimeout = durationpb.New(-time.Second)
			return r
		}(), lim), "HeartbeatTimeout is negative"},
		{"update bad priority", validateUpdateActivityOptions(func() *workflowservice.UpdateActivityOptionsRequest {
			r := opts("priority")
			r.ActivityOptions.Priority = &commonpb.Priority{PriorityKey: -1}
			return r
		}(), lim), "priority key can't be negative"},
		{"update restore with mask", validateUpdateActivityOptions(func() *workflowservice.UpdateActivityOptionsRequest {
			r := opts("heartbeat_timeout")
			r.RestoreOriginal = true
			return r
		}(), lim), "Both UpdateMask and RestoreOriginal are provided"},
		{"pause workflow long reason", validatePauseWorkflowExecution(&workflowservice.PauseWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: "wf", Reason: long}, lim), "reason is too long."},
		{"unpause workflow no id", validateUnpauseWorkflowExecution(&workflowservice.UnpauseWorkflowExecutionRequest{Namespace: "default"}, lim),
			"WorkflowId is not set"},
	}
	for _, tc := range cases {
		switch {
		case tc.want == "" && tc.err != nil:
			t.Errorf("%s: %v", tc.name, tc.err)
		case tc.want != "" && (tc.err == nil || !strings.Contains(tc.err.Error(), tc.want)):
			t.Errorf("%s: %v, want %q", tc.name, tc.err, tc.want)
		}
	}
}
