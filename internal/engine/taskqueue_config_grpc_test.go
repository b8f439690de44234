package engine_test

import (
	"context"
	"fmt"
	"math"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

func rateUpdate(rps float32, reason string) *workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate {
	return &workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate{RateLimit: &taskqueuepb.RateLimit{RequestsPerSecond: rps}, Reason: reason}
}

func (e *env) updateTQConfig(edit func(*workflowservice.UpdateTaskQueueConfigRequest)) (*workflowservice.UpdateTaskQueueConfigResponse, error) {
	req := &workflowservice.UpdateTaskQueueConfigRequest{Namespace: ns, TaskQueue: "cfg-tq", TaskQueueType: enumspb.TASK_QUEUE_TYPE_ACTIVITY, Identity: "operator"}
	edit(req)
	return e.c.UpdateTaskQueueConfig(e.ctx(), req)
}

func (e *env) describeTQConfig(typ enumspb.TaskQueueType) *workflowservice.DescribeTaskQueueResponse {
	e.t.Helper()
	resp, err := e.c.DescribeTaskQueue(e.ctx(), &workflowservice.DescribeTaskQueueRequest{
		Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: "cfg-tq"}, TaskQueueType: typ, ReportConfig: true,
	})
	if err != nil {
		e.t.Fatalf("DescribeTaskQueue: %v", err)
	}
	return resp
}

// TestUpdateTaskQueueConfigValidation: every refusal carries Temporal's code
// and text (service/frontend validators), and Sundial's own for NaN and
// infinite numbers.
func TestUpdateTaskQueueConfigValidation(t *testing.T) {
	e := newEnv(t)
	long := strings.Repeat("x", 1001)
	many := map[string]float32{}
	for i := range 1001 {
		many[fmt.Sprint("k", i)] = 1
	}
	for _, tc := range []struct {
		name string
		edit func(*workflowservice.UpdateTaskQueueConfigRequest)
		text string
	}{
		{"workflow queue rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.TaskQueueType = enumspb.TASK_QUEUE_TYPE_WORKFLOW
			r.UpdateQueueRateLimit = rateUpdate(5, "")
		}, "Setting rate limit on workflow task queues is not allowed."},
		{"workflow fairness rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.TaskQueueType = enumspb.TASK_QUEUE_TYPE_WORKFLOW
			r.UpdateFairnessKeyRateLimitDefault = rateUpdate(5, "")
		}, "Setting fairness key rate limit on workflow task queues is not allowed."},
		{"negative rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.UpdateQueueRateLimit = rateUpdate(-1, "") },
			"RequestsPerSecond for UpdateQueueRateLimit rate limit must be non-negative."},
		{"negative key rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.UpdateFairnessKeyRateLimitDefault = rateUpdate(-1, "")
		},
			"RequestsPerSecond for UpdateFairnessKeyRateLimitDefault rate limit must be non-negative."},
		{"NaN rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.UpdateQueueRateLimit = rateUpdate(float32(math.NaN()), "")
		}, "RequestsPerSecond for UpdateQueueRateLimit rate limit must be a finite number."},
		{"infinite rate", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.UpdateFairnessKeyRateLimitDefault = rateUpdate(float32(math.Inf(1)), "")
		}, "RequestsPerSecond for UpdateFairnessKeyRateLimitDefault rate limit must be a finite number."},
		{"long reason", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.UpdateQueueRateLimit = rateUpdate(1, long) },
			"UpdateQueueRateLimit.Reason field too long (max 1000 characters)."},
		{"long identity", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.Identity = long },
			"Identity field too long (max 1000 characters)."},
		{"too many overrides", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.SetFairnessWeightOverrides = many },
			"too many fairness weight overrides in request: got 1001, maximum 1000"},
		{"empty key", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.UnsetFairnessWeightOverrides = []string{""} },
			"fairness weight override key must not be empty"},
		{"long key", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.SetFairnessWeightOverrides = map[string]float32{strings.Repeat("k", 65): 1}
		}, "fairness key length exceeds limit"},
		{"zero weight", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.SetFairnessWeightOverrides = map[string]float32{"a": 0}
		}, `invalid fairness weight weight for key "a": must be greater than zero`},
		{"NaN weight", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.SetFairnessWeightOverrides = map[string]float32{"a": float32(math.NaN())}
		}, `invalid fairness weight weight for key "a": must be a finite number`},
		{"set and unset", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.SetFairnessWeightOverrides = map[string]float32{"a": 2}
			r.UnsetFairnessWeightOverrides = []string{"a"}
		}, `fairness weight override key "a" present in both set and unset lists`},
		{"no type", func(r *workflowservice.UpdateTaskQueueConfigRequest) {
			r.TaskQueueType = enumspb.TASK_QUEUE_TYPE_UNSPECIFIED
		},
			"TaskQueueType is not set on request."},
		{"no queue", func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.TaskQueue = "" },
			"TaskQueue is not set on request."},
	} {
		_, err := e.updateTQConfig(tc.edit)
		wantStatus(t, tc.name, err, codes.InvalidArgument, tc.text)
	}
	// Nothing was stored by the refused updates.
	if cfg := e.describeTQConfig(enumspb.TASK_QUEUE_TYPE_ACTIVITY).GetConfig(); cfg != nil {
		t.Fatalf("config after refused updates = %v, want none", cfg)
	}
	// The total after merging is bounded too.
	half := func(from int) map[string]float32 {
		m := map[string]float32{}
		for i := from; i < from+600; i++ {
			m[fmt.Sprint("k", i)] = 2
		}
		return m
	}
	if _, err := e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.SetFairnessWeightOverrides = half(0) }); err != nil {
		t.Fatalf("600 overrides: %v", err)
	}
	_, err := e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) { r.SetFairnessWeightOverrides = half(600) })
	wantStatus(t, "1200 overrides in all", err, codes.InvalidArgument, "fairness weight overrides update rejected: exceeding maximum key size")
}

// TestTaskQueueConfigStoredAndApplied: an update is merged into what was set
// (fields left out keep their value), stamped with identity, reason and time,
// reported by DescribeTaskQueue with report_config, applied to matching
// (the effective rate limit comes from the API over the worker's), removed by
// an update without a rate, and all of it survives a restart.
func TestTaskQueueConfigStoredAndApplied(t *testing.T) {
	e := newEnv(t)
	if resp := e.describeTQConfig(enumspb.TASK_QUEUE_TYPE_ACTIVITY); resp.GetConfig() != nil || resp.GetEffectiveRateLimit() != nil {
		t.Fatalf("unconfigured queue: config %v, effective limit %v; want neither", resp.GetConfig(), resp.GetEffectiveRateLimit())
	}
	before := time.Now()
	resp, err := e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.UpdateQueueRateLimit = rateUpdate(3, "protect the database")
		r.SetFairnessWeightOverrides = map[string]float32{"gold": 4, "bronze": 0.5}
	})
	if err != nil {
		t.Fatalf("first update: %v", err)
	}
	q := resp.GetConfig().GetQueueRateLimit()
	if q.GetRateLimit().GetRequestsPerSecond() != 3 || q.GetMetadata().GetReason() != "protect the database" || q.GetMetadata().GetUpdateIdentity() != "operator" {
		t.Fatalf("queue rate limit = %v", q)
	}
	if at := q.GetMetadata().GetUpdateTime().AsTime(); at.Before(before.Add(-time.Second)) || at.After(time.Now().Add(time.Second)) {
		t.Fatalf("update time %v is not now", at)
	}
	_, err = e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.Identity = "second-operator"
		r.UpdateFairnessKeyRateLimitDefault = rateUpdate(1.5, "share")
		r.UnsetFairnessWeightOverrides = []string{"bronze"}
	})
	if err != nil {
		t.Fatalf("second update: %v", err)
	}
	check := func(when string) {
		t.Helper()
		d := e.describeTQConfig(enumspb.TASK_QUEUE_TYPE_ACTIVITY)
		cfg := d.GetConfig()
		if cfg.GetQueueRateLimit().GetRateLimit().GetRequestsPerSecond() != 3 || cfg.GetQueueRateLimit().GetMetadata().GetUpdateIdentity() != "operator" {
			t.Fatalf("%s: queue rate limit = %v, want 3 by operator", when, cfg.GetQueueRateLimit())
		}
		fk := cfg.GetFairnessKeysRateLimitDefault()
		if fk.GetRateLimit().GetRequestsPerSecond() != 1.5 || fk.GetMetadata().GetReason() != "share" || fk.GetMetadata().GetUpdateIdentity() != "second-operator" {
			t.Fatalf("%s: fairness key rate limit = %v", when, fk)
		}
		if o := cfg.GetFairnessWeightOverrides(); len(o) != 1 || o["gold"] != 4 {
			t.Fatalf("%s: overrides = %v, want gold 4 only", when, o)
		}
		if eff := d.GetEffectiveRateLimit(); eff.GetRequestsPerSecond() != 3 || eff.GetRateLimitSource() != enumspb.RATE_LIMIT_SOURCE_API {
			t.Fatalf("%s: effective rate limit = %v, want 3 from the API", when, eff)
		}
		// The other types of the queue are not configured.
		if other := e.describeTQConfig(enumspb.TASK_QUEUE_TYPE_NEXUS).GetConfig(); other != nil {
			t.Fatalf("%s: the Nexus queue has config %v", when, other)
		}
	}
	check("before restart")
	e.stop()
	e = openEnv(t, e.dbPath)
	check("after restart")

	// An update with no rate removes the limit and keeps who removed it.
	resp, err = e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.UpdateQueueRateLimit = &workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate{Reason: "lifted"}
	})
	if err != nil {
		t.Fatalf("removing the rate: %v", err)
	}
	if q := resp.GetConfig().GetQueueRateLimit(); q.GetRateLimit() != nil || q.GetMetadata().GetReason() != "lifted" {
		t.Fatalf("queue rate limit after removal = %v", q)
	}
	if eff := e.describeTQConfig(enumspb.TASK_QUEUE_TYPE_ACTIVITY).GetEffectiveRateLimit(); eff != nil {
		t.Fatalf("effective rate limit after removal = %v, want none", eff)
	}
	// Weight overrides may be set on a workflow queue.
	if _, err := e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.TaskQueueType = enumspb.TASK_QUEUE_TYPE_WORKFLOW
		r.SetFairnessWeightOverrides = map[string]float32{"gold": 2}
	}); err != nil {
		t.Fatalf("overrides on the workflow queue: %v", err)
	}
}

// TestTaskQueueConfigRateThrottlesAfterRestart: the configured queue rate,
// loaded again after a restart, spaces activity dispatches even though the
// worker asks for a far faster rate, and lifting it lets the rest go at once.
func TestTaskQueueConfigRateThrottlesAfterRestart(t *testing.T) {
	e := newEnv(t)
	const rate, tasks = 4, 6 // a burst of one token at 4/s
	if _, err := e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.UpdateQueueRateLimit = rateUpdate(rate, "")
	}); err != nil {
		t.Fatal(err)
	}
	e.stop()
	e = openEnv(t, e.dbPath)
	for i := range 2 * tasks {
		_, err := e.c.StartActivityExecution(e.ctx(), &workflowservice.StartActivityExecutionRequest{
			Namespace: ns, ActivityId: fmt.Sprint("act-", i), ActivityType: &commonpb.ActivityType{Name: "Greet"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: "cfg-tq"}, StartToCloseTimeout: durationpb.New(time.Minute),
		})
		if err != nil {
			t.Fatalf("StartActivityExecution: %v", err)
		}
	}
	poll := func() {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		resp, err := e.c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
			Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: "cfg-tq"}, Identity: "fast-worker",
			TaskQueueMetadata: &taskqueuepb.TaskQueueMetadata{MaxTasksPerSecond: wrapperspb.Double(1000)},
		})
		if err != nil || len(resp.GetTaskToken()) == 0 {
			t.Fatalf("PollActivityTaskQueue: %v, %v", resp, err)
		}
	}
	poll()
	start := time.Now()
	for range tasks - 1 {
		poll()
	}
	// tasks-1 dispatches after the first need (tasks-1)/rate seconds; a little
	// is allowed for the clock and scheduling, and a lot above.
	want := time.Duration(tasks-1) * time.Second / rate
	if got := time.Since(start); got < want-50*time.Millisecond || got > want+3*time.Second {
		t.Fatalf("%d dispatches at a configured %d/s took %v, want about %v", tasks-1, rate, got, want)
	}
	if _, err := e.updateTQConfig(func(r *workflowservice.UpdateTaskQueueConfigRequest) {
		r.UpdateQueueRateLimit = &workflowservice.UpdateTaskQueueConfigRequest_RateLimitUpdate{}
	}); err != nil {
		t.Fatal(err)
	}
	start = time.Now()
	for range tasks {
		poll()
	}
	if got := time.Since(start); got > want/2 {
		t.Fatalf("%d dispatches with the limit lifted (worker asks 1000/s) took %v, want far less than %v", tasks, got, want)
	}
}
