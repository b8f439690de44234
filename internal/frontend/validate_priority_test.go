package frontend

import (
	"math"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/wrapperspb"
)

// TestHardening03ClientNumbersValidated: every number a client sends that steers
// matching, retries or timers is finite and in its documented range, or the
// request is refused with InvalidArgument; durations beyond 100 years are capped.
func TestHardening03ClientNumbersValidated(t *testing.T) {
	inf, nan := math.Inf(1), math.NaN()
	t.Run("start", func(t *testing.T) {
		type req = *workflowservice.StartWorkflowExecutionRequest
		runCases(t, validStart, nil, validateStartWorkflowExecution, []tcase[req]{
			{"priority key 1", func(r req) { r.Priority = &commonpb.Priority{PriorityKey: 1} }, ""},
			{"priority key 5", func(r req) { r.Priority = &commonpb.Priority{PriorityKey: 5} }, ""},
			{"priority key 6", func(r req) { r.Priority = &commonpb.Priority{PriorityKey: 6} },
				"Priority.PriorityKey 6 is out of range: this server has 5 priority levels, so keys run from 1 to 5 (0 for the default)."},
			{"priority key negative", func(r req) { r.Priority = &commonpb.Priority{PriorityKey: -1} }, "priority key can't be negative"},
			{"fairness key too long", func(r req) { r.Priority = &commonpb.Priority{FairnessKey: strings.Repeat("k", 65)} }, "fairness key length exceeds limit"},
			{"weight ok", func(r req) { r.Priority = &commonpb.Priority{FairnessWeight: 2.5} }, ""},
			{"weight +Inf", func(r req) { r.Priority = &commonpb.Priority{FairnessWeight: float32(inf)} }, "Priority.FairnessWeight must be *"},
			{"weight NaN", func(r req) { r.Priority = &commonpb.Priority{FairnessWeight: float32(nan)} }, "Priority.FairnessWeight must be *"},
			{"weight negative", func(r req) { r.Priority = &commonpb.Priority{FairnessWeight: -1} }, "Priority.FairnessWeight must be *"},
			{"weight tiny", func(r req) { r.Priority = &commonpb.Priority{FairnessWeight: 1e-6} }, "Priority.FairnessWeight must be *"},
			{"weight huge", func(r req) { r.Priority = &commonpb.Priority{FairnessWeight: 1e6} }, "Priority.FairnessWeight must be *"},
			{"retry coefficient NaN", func(r req) { r.RetryPolicy.BackoffCoefficient = nan }, "BackoffCoefficient must be a finite number on retry policy, got NaN."},
			{"retry coefficient +Inf", func(r req) { r.RetryPolicy.BackoffCoefficient = inf }, "BackoffCoefficient must be a finite number on retry policy, got +Inf."},
			{"retry coefficient NaN with one attempt", func(r req) { r.RetryPolicy.BackoffCoefficient, r.RetryPolicy.MaximumAttempts = nan, 1 },
				"BackoffCoefficient must be a finite number on retry policy, got NaN."},
			{"retry mixed-sign interval", func(r req) { r.RetryPolicy.MaximumInterval = &durationpb.Duration{Seconds: 5, Nanos: -3} },
				"invalid MaximumInterval set on retry policy: duration has seconds and nanos with different signs"},
			{"huge execution timeout", func(r req) { r.WorkflowExecutionTimeout = &durationpb.Duration{Seconds: math.MaxInt64} }, ""},
		})
	})
	t.Run("signal with start", func(t *testing.T) {
		r := &workflowservice.SignalWithStartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: "w", SignalName: "s", WorkflowType: &commonpb.WorkflowType{Name: "W"}, TaskQueue: tq("orders"),
			Priority: &commonpb.Priority{PriorityKey: 9},
		}
		assertInvalid(t, validateSignalWithStartWorkflowExecution(r, testLim), "Priority.PriorityKey 9 is out of range: *")
	})
	t.Run("durations are capped", func(t *testing.T) {
		r := validStart()
		r.WorkflowExecutionTimeout = &durationpb.Duration{Seconds: math.MaxInt64}
		r.WorkflowStartDelay = &durationpb.Duration{Seconds: 1 << 50}
		r.RetryPolicy.MaximumInterval = &durationpb.Duration{Seconds: 1 << 60}
		if err := validateStartWorkflowExecution(r, testLim); err != nil {
			t.Fatal(err)
		}
		for name, d := range map[string]*durationpb.Duration{
			"WorkflowExecutionTimeout": r.WorkflowExecutionTimeout, "WorkflowStartDelay": r.WorkflowStartDelay,
			"RetryPolicy.MaximumInterval": r.RetryPolicy.MaximumInterval,
		} {
			if got := d.AsDuration(); got != maxDuration {
				t.Errorf("%s = %v after validation, want capped at %v", name, got, maxDuration)
			}
		}
	})
	t.Run("configured priority levels", func(t *testing.T) {
		lim := testLim
		lim.PriorityLevels = 10
		r := validStart()
		r.Priority = &commonpb.Priority{PriorityKey: 10}
		if err := validateStartWorkflowExecution(r, lim); err != nil {
			t.Fatalf("key 10 of 10 levels refused: %v", err)
		}
		r.Priority.PriorityKey = 11
		assertInvalid(t, validateStartWorkflowExecution(r, lim), "Priority.PriorityKey 11 is out of range: this server has 10 priority levels, *")
	})
	t.Run("poll activity rate", func(t *testing.T) {
		type req = *workflowservice.PollActivityTaskQueueRequest
		rate := func(v float64) func(req) {
			return func(r req) {
				r.TaskQueueMetadata = &taskqueuepb.TaskQueueMetadata{MaxTasksPerSecond: wrapperspb.Double(v)}
			}
		}
		const bad = "TaskQueueMetadata.MaxTasksPerSecond must be a finite number from 1e-06 to 1e+09 (0 for no limit), got *"
		runCases(t, func() req {
			return &workflowservice.PollActivityTaskQueueRequest{Namespace: "default", TaskQueue: tq("orders")}
		}, nil, validatePollActivityTaskQueue, []tcase[req]{
			{"no limit", rate(0), ""},
			{"ordinary", rate(50), ""},
			{"slow", rate(0.001), ""},
			{"1e-12", rate(1e-12), bad},
			{"NaN", rate(nan), bad},
			{"+Inf", rate(inf), bad},
			{"negative", rate(-1), bad},
			{"too fast", rate(1e12), bad},
		})
	})
	t.Run("commands", func(t *testing.T) {
		activity := func(edit func(*commandpb.ScheduleActivityTaskCommandAttributes)) *commandpb.Command {
			cmd := scheduleActivity()
			edit(cmd.GetScheduleActivityTaskCommandAttributes())
			return cmd
		}
		child := &commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
			Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
				WorkflowId: "c", WorkflowType: &commonpb.WorkflowType{Name: "C"}, Priority: &commonpb.Priority{FairnessWeight: float32(inf)},
			}},
		}
		for _, tc := range []struct {
			name string
			cmd  *commandpb.Command
			want string
		}{
			{"activity priority key", activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
				a.Priority = &commonpb.Priority{PriorityKey: 100}
			}),
				"Priority.PriorityKey 100 is out of range"},
			{"activity retry coefficient", activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
				a.RetryPolicy = &commonpb.RetryPolicy{BackoffCoefficient: inf}
			}), "BackoffCoefficient must be a finite number on retry policy"},
			{"activity retry attempts", activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
				a.RetryPolicy = &commonpb.RetryPolicy{MaximumAttempts: -2}
			}), "MaximumAttempts cannot be negative on retry policy."},
			{"child weight", child, "Priority.FairnessWeight must be"},
		} {
			req := validCompletion()
			req.Commands = []*commandpb.Command{tc.cmd}
			err := validateRespondWorkflowTaskCompleted(req, testLim)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("%s: %v, want an error containing %q", tc.name, err, tc.want)
			}
		}
		huge := activity(func(a *commandpb.ScheduleActivityTaskCommandAttributes) {
			a.HeartbeatTimeout = &durationpb.Duration{Seconds: math.MaxInt64}
			a.ScheduleToCloseTimeout = &durationpb.Duration{Seconds: 1 << 62}
		})
		req := validCompletion()
		req.Commands = []*commandpb.Command{huge}
		if err := validateRespondWorkflowTaskCompleted(req, testLim); err != nil {
			t.Fatal(err)
		}
		if a := huge.GetScheduleActivityTaskCommandAttributes(); a.HeartbeatTimeout.AsDuration() != maxDuration || a.ScheduleToCloseTimeout.AsDuration() != maxDuration {
			t.Errorf("activity timeouts not capped: %v %v", a.HeartbeatTimeout.AsDuration(), a.ScheduleToCloseTimeout.AsDuration())
		}
	})
}

// TestHardening03NextRetryDelay: an activity failure's NextRetryDelay may not be
// negative, and a huge one is capped.
func TestHardening03NextRetryDelay(t *testing.T) {
	failed := func(d *durationpb.Duration) *workflowservice.RespondActivityTaskFailedRequest {
		return &workflowservice.RespondActivityTaskFailedRequest{
			Namespace: "default", TaskToken: []byte("t"),
			Failure: &failurepb.Failure{Message: "x", FailureInfo: &failurepb.Failure_ApplicationFailureInfo{
				ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{NextRetryDelay: d}}},
		}
	}
	assertInvalid(t, validateRespondActivityTaskFailed(failed(durationpb.New(-time.Second)), testLim),
		"Failure.ApplicationFailureInfo.NextRetryDelay is negative: -1s.")
	r := failed(&durationpb.Duration{Seconds: math.MaxInt64})
	if err := validateRespondActivityTaskFailed(r, testLim); err != nil {
		t.Fatal(err)
	}
	if got := r.Failure.GetApplicationFailureInfo().GetNextRetryDelay().AsDuration(); got != maxDuration {
		t.Errorf("NextRetryDelay = %v, want capped at %v", got, maxDuration)
	}
}
