package compat

import (
	"context"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// TestTaskQueueConfigRefusals sends UpdateTaskQueueConfig requests Temporal's
// frontend refuses and checks the code and text, then a merge of weight
// overrides and its report by DescribeTaskQueue.
func TestTaskQueueConfigRefusals(t *testing.T) {
	tg := startTarget(t)
	svc := dialRaw(t, tg)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	tq := uniqueName(t, "tqcfg")
	update := func(edit func(*workflowservice.UpdateTaskQueueConfigRequest)) (*workflowservice.UpdateTaskQueueConfigResponse, error) {
		req := &workflowservice.UpdateTaskQueueConfigRequest{Namespace: tg.Namespace, TaskQueue: tq, TaskQueueType: enumspb.TASK_QUEUE_TYPE_ACTIVITY, Identity: "ops"}
		edit(req)
		return svc.UpdateTaskQueueConfig(ctx, req)
	}
	rate := func(rps float32) *workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate {
		return &workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate{RateLimit: &taskqueuepb.RateLimit{RequestsPerSecond: rps}}
	}
	for _, tc := range []struct {
		name string
		edit func(*workflowservice.UpdateTaskQueueConfigRequest)
		text string
	}{
		{"workflow queue rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.TaskQueueType = enumspb.TASK_QUEUE_TYPE_WORKFLOW
			r.UpdateQueueRateLimit = rate(1)
		}, "Setting rate limit on workflow task queues is not allowed."},
		{"negative rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.UpdateQueueRateLimit = rate(-2) },
			"RequestsPerSecond for UpdateQueueRateLimit rate limit must be non-negative."},
		{"long reason", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.UpdateFairnessKeyRateLimitDefault = rate(1)
			r.UpdateFairnessKeyRateLimitDefault.Reason = strings.Repeat("r", 1001)
		}, "UpdateFairnessKeyRateLimitDefault.Reason field too long (max 1000 characters)."},
		{"zero weight", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.SetFairnessWeightOverrides = map[string]float32{"a": 0}
		}, `invalid fairness weight weight for key "a": must be greater than zero`},
		{"set and unset", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.SetFairnessWeightOverrides = map[string]float32{"a": 2}
			r.UnsetFairnessWeightOverrides = []string{"a"}
		}, `fairness weight override key "a" present in both set and unset lists`},
		{"empty key", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.UnsetFairnessWeightOverrides = []string{""} },
			"fairness weight override key must not be empty"},
	} {
		_, err := update(tc.edit)
		if status.Code(err) != codes.InvalidArgument || status.Convert(err).Message() != tc.text {
			t.Errorf("%s: got %v, want InvalidArgument %q", tc.name, err, tc.text)
		}
	}

	if _, err := update(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.SetFairnessWeightOverrides = map[string]float32{"gold": 3, "bronze": 0.5}
	}); err != nil {
		t.Fatalf("setting overrides: %v", err)
	}
	resp, err := update(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.SetFairnessWeightOverrides = map[string]float32{"silver": 2}
		r.UnsetFairnessWeightOverrides = []string{"bronze", "absent"}
	})
	if err != nil {
		t.Fatalf("merging overrides: %v", err)
	}
	if o := resp.GetConfig().GetFairnessWeightOverrides(); len(o) != 2 || o["gold"] != 3 || o["silver"] != 2 {
		t.Fatalf("overrides after the merge = %v, want gold 3 and silver 2", o)
	}
	if resp.GetConfig().GetQueueRateLimit() != nil {
		t.Fatalf("an untouched queue rate limit is reported: %v", resp.GetConfig().GetQueueRateLimit())
	}
	d, err := svc.DescribeTaskQueue(ctx, &workflowservice.DescribeTaskQueueRequest{
		Namespace: tg.Namespace, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, TaskQueueType: enumspb.TASK_QUEUE_TYPE_ACTIVITY, ReportConfig: true,
	})
	if err != nil {
		t.Fatalf("DescribeTaskQueue: %v", err)
	}
	if o := d.GetConfig().GetFairnessWeightOverrides(); len(o) != 2 || o["silver"] != 2 {
		t.Fatalf("described overrides = %v", o)
	}
}
