package compat

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/converter"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Standalone activities (StartActivityExecution and friends) driven by the
// official Go SDK's activity client, against Sundial and, with
// COMPAT_TARGET=temporal, Temporal's own server.

// standaloneActivities are the activities these tests start.
type standaloneActivities struct {
	flakyCalls atomic.Int32
	started    chan struct{}
	tokens     chan []byte
}

// Greet returns a greeting.
func (a *standaloneActivities) Greet(_ context.Context, name string) (string, error) {
	return "hello " + name, nil
}

// Flaky heartbeats its attempt number and fails its first two attempts; the
// third returns the details it resumed from and its attempt.
func (a *standaloneActivities) Flaky(ctx context.Context) (string, error) {
	a.flakyCalls.Add(1)
	info := activity.GetInfo(ctx)
	var resumed int32
	if activity.HasHeartbeatDetails(ctx) {
		if err := activity.GetHeartbeatDetails(ctx, &resumed); err != nil {
			return "", err
		}
	}
	activity.RecordHeartbeat(ctx, info.Attempt)
	if info.Attempt < 3 {
		return "", temporal.NewApplicationError(fmt.Sprintf("attempt %d fails", info.Attempt), "Flaky")
	}
	return fmt.Sprintf("attempt %d resumed %d workflow=%t", info.Attempt, resumed, info.IsWorkflowActivity()), nil
}

// Block heartbeats until it is canceled.
func (a *standaloneActivities) Block(ctx context.Context) error {
	select {
	case a.started <- struct{}{}:
	default:
	}
	for {
		activity.RecordHeartbeat(ctx, "waiting")
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Later hands its task token to the test and completes asynchronously.
func (a *standaloneActivities) Later(ctx context.Context) (string, error) {
	a.tokens <- activity.GetInfo(ctx).TaskToken
	return "", activity.ErrResultPending
}

func newStandaloneActivities() *standaloneActivities {
	return &standaloneActivities{started: make(chan struct{}, 1), tokens: make(chan []byte, 4)}
}

func standaloneWorker(t *testing.T, c client.Client, queue string, acts *standaloneActivities) {
	startWorker(t, c, queue, func(r worker.Registry) { r.RegisterActivity(acts) })
}

func describeActivity(t *testing.T, ctx context.Context, c client.Client, id, runID string) *client.ActivityExecutionDescription {
	t.Helper()
	d, err := c.GetActivityHandle(client.GetActivityHandleOptions{ActivityID: id, RunID: runID}).Describe(ctx, client.DescribeActivityOptions{})
	if err != nil {
		t.Fatalf("describing activity %s: %v", id, err)
	}
	return d
}

// A standalone activity runs on a worker polling its queue, returns its
// result to Get, and Describe reports it completed.
func TestStandaloneActivityResult(t *testing.T) {
	tg, c := setup(t)
	queue := uniqueName(t, "sa")
	standaloneWorker(t, c, queue, newStandaloneActivities())
	ctx := testContext(t, 30*time.Second)
	id := uniqueName(t, "greet")
	h, err := c.ExecuteActivity(ctx, client.StartActivityOptions{ID: id, TaskQueue: queue, StartToCloseTimeout: 10 * time.Second}, "Greet", "world")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := h.Get(ctx, &out); err != nil || out != "hello world" {
		t.Fatalf("Get = %q, %v; want hello world", out, err)
	}
	d := describeActivity(t, ctx, c, id, h.GetRunID())
	if d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_COMPLETED || d.ActivityType != "Greet" || d.TaskQueue != queue || d.Attempt != 1 || d.CloseTime.IsZero() {
		t.Errorf("Describe = status %v type %q queue %q attempt %d close %v", d.Status, d.ActivityType, d.TaskQueue, d.Attempt, d.CloseTime)
	}
	// The latest run is found without a run id; the outcome is kept.
	raw := dialRaw(t, tg)
	resp, err := raw.DescribeActivityExecution(ctx, &workflowservice.DescribeActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, IncludeOutcome: true, IncludeInput: true})
	if err != nil {
		t.Fatal(err)
	}
	if resp.RunId != h.GetRunID() || resp.GetOutcome().GetResult() == nil || len(resp.GetInput().GetPayloads()) != 1 || len(resp.LongPollToken) == 0 {
		t.Errorf("DescribeActivityExecution = %v", resp)
	}
	var got string
	if err := converter.GetDefaultDataConverter().FromPayloads(resp.GetOutcome().GetResult(), &got); err != nil || got != "hello world" {
		t.Errorf("outcome = %q, %v", got, err)
	}
	// A workflow of the same id is another thing: activity ids have a space
	// of their own, and workflow listings do not show activities.
	if _, err := c.DescribeWorkflowExecution(ctx, id, ""); !isNotFound(err) {
		t.Errorf("DescribeWorkflowExecution(activity id) = %v, want NotFound", err)
	}
}

func isNotFound(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(rawError(err), &nf)
}

// rawError turns an error of a raw gRPC call into its serviceerror type, as
// the SDK's clients do.
func rawError(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := status.FromError(err); ok {
		return serviceerror.FromStatus(status.Convert(err))
	}
	return err
}

// Failed attempts are retried by the retry policy, and each attempt resumes
// from the heartbeat details of the one before.
func TestStandaloneActivityRetriesResumeHeartbeat(t *testing.T) {
	tg, c := setup(t)
	queue := uniqueName(t, "sa")
	acts := newStandaloneActivities()
	standaloneWorker(t, c, queue, acts)
	ctx := testContext(t, 30*time.Second)
	id := uniqueName(t, "flaky")
	h, err := c.ExecuteActivity(ctx, client.StartActivityOptions{
		ID: id, TaskQueue: queue, StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, BackoffCoefficient: 1, MaximumAttempts: 5},
	}, "Flaky")
	if err != nil {
		t.Fatal(err)
	}
	var out string
	if err := h.Get(ctx, &out); err != nil {
		t.Fatal(err)
	}
	if want := "attempt 3 resumed 2 workflow=false"; out != want {
		t.Errorf("result %q, want %q", out, want)
	}
	d := describeActivity(t, ctx, c, id, "")
	if d.Attempt != 3 || d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_COMPLETED {
		t.Errorf("Describe: attempt %d status %v", d.Attempt, d.Status)
	}
	_ = tg

	// With too few attempts the last failure is the outcome.
	id2 := uniqueName(t, "flaky2")
	acts.flakyCalls.Store(0)
	h2, err := c.ExecuteActivity(ctx, client.StartActivityOptions{
		ID: id2, TaskQueue: queue, StartToCloseTimeout: 10 * time.Second,
		RetryPolicy: &temporal.RetryPolicy{InitialInterval: 100 * time.Millisecond, MaximumAttempts: 2},
	}, "Flaky")
	if err != nil {
		t.Fatal(err)
	}
	err = h2.Get(ctx, nil)
	var appErr *temporal.ApplicationError
	if !errors.As(err, &appErr) || appErr.Type() != "Flaky" || appErr.Message() != "attempt 2 fails" {
		t.Fatalf("Get error = %v, want the second attempt's ApplicationError", err)
	}
	if d := describeActivity(t, ctx, c, id2, ""); d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_FAILED || d.Attempt != 2 {
		t.Errorf("Describe: status %v attempt %d", d.Status, d.Attempt)
	}
}

// An activity no worker takes times out schedule-to-start; one that outlives
// its start-to-close timeout times out too.
func TestStandaloneActivityTimeouts(t *testing.T) {
	_, c := setup(t)
	ctx := testContext(t, 30*time.Second)
	id := uniqueName(t, "nobody")
	h, err := c.ExecuteActivity(ctx, client.StartActivityOptions{
		ID: id, TaskQueue: uniqueName(t, "empty"), ScheduleToStartTimeout: time.Second, StartToCloseTimeout: 10 * time.Second,
	}, "Greet", "x")
	if err != nil {
		t.Fatal(err)
	}
	err = h.Get(ctx, nil)
	var te *temporal.TimeoutError
	if !errors.As(err, &te) || te.TimeoutType() != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START {
		t.Fatalf("Get error = %v, want a schedule-to-start TimeoutError", err)
	}
	if d := describeActivity(t, ctx, c, id, ""); d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_TIMED_OUT {
		t.Errorf("Describe status %v", d.Status)
	}

	queue := uniqueName(t, "sa")
	acts := newStandaloneActivities()
	standaloneWorker(t, c, queue, acts)
	id2 := uniqueName(t, "heartbeat")
	h2, err := c.ExecuteActivity(ctx, client.StartActivityOptions{
		ID: id2, TaskQueue: queue, StartToCloseTimeout: time.Second,
		RetryPolicy: &temporal.RetryPolicy{MaximumAttempts: 1},
	}, "Block")
	if err != nil {
		t.Fatal(err)
	}
	err = h2.Get(ctx, nil)
	if !errors.As(err, &te) || te.TimeoutType() != enumspb.TIMEOUT_TYPE_START_TO_CLOSE {
		t.Fatalf("Get error = %v, want a start-to-close TimeoutError", err)
	}
}

// Cancel reaches a running attempt through its heartbeat; the activity ends
// canceled with the reason recorded. Terminate ends one at once.
func TestStandaloneActivityCancelTerminate(t *testing.T) {
	tg, c := setup(t)
	queue := uniqueName(t, "sa")
	acts := newStandaloneActivities()
	standaloneWorker(t, c, queue, acts)
	ctx := testContext(t, 30*time.Second)
	opts := client.StartActivityOptions{TaskQueue: queue, StartToCloseTimeout: 20 * time.Second, HeartbeatTimeout: 5 * time.Second}

	opts.ID = uniqueName(t, "cancel")
	h, err := c.ExecuteActivity(ctx, opts, "Block")
	if err != nil {
		t.Fatal(err)
	}
	<-acts.started
	eventually(t, 10*time.Second, "attempt running", func() bool {
		d := describeActivity(t, ctx, c, opts.ID, "")
		return d.RunState == enumspb.PENDING_ACTIVITY_STATE_STARTED
	})
	raw := dialRaw(t, tg)
	eventually(t, 10*time.Second, "heartbeat details in Describe", func() bool {
		resp, err := raw.DescribeActivityExecution(ctx, &workflowservice.DescribeActivityExecutionRequest{
			Namespace: tg.Namespace, ActivityId: opts.ID, IncludeHeartbeatDetails: true,
		})
		var details string
		return err == nil && resp.GetInfo().GetHeartbeatDetails() != nil &&
			converter.GetDefaultDataConverter().FromPayloads(resp.GetInfo().GetHeartbeatDetails(), &details) == nil && details == "waiting" &&
			resp.GetInfo().GetLastHeartbeatTime() != nil
	})
	if err := h.Cancel(ctx, client.CancelActivityOptions{Reason: "enough"}); err != nil {
		t.Fatal(err)
	}
	err = h.Get(ctx, nil)
	var ce *temporal.CanceledError
	if !errors.As(err, &ce) {
		t.Fatalf("Get error = %v, want CanceledError", err)
	}
	d := describeActivity(t, ctx, c, opts.ID, "")
	if d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_CANCELED || d.CanceledReason != "enough" {
		t.Errorf("Describe: status %v reason %q", d.Status, d.CanceledReason)
	}
	_, err = raw.RequestCancelActivityExecution(ctx, &workflowservice.RequestCancelActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: opts.ID, RequestId: "another"})
	var fp *serviceerror.FailedPrecondition
	if !errors.As(rawError(err), &fp) {
		t.Errorf("cancel of a closed activity = %v, want FailedPrecondition", err)
	}

	opts.ID = uniqueName(t, "terminate")
	h, err = c.ExecuteActivity(ctx, opts, "Block")
	if err != nil {
		t.Fatal(err)
	}
	<-acts.started
	if err := h.Terminate(ctx, client.TerminateActivityOptions{Reason: "stop now"}); err != nil {
		t.Fatal(err)
	}
	err = h.Get(ctx, nil)
	var term *temporal.TerminatedError
	if !errors.As(err, &term) {
		t.Fatalf("Get error = %v, want TerminatedError", err)
	}
	if d := describeActivity(t, ctx, c, opts.ID, ""); d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_TERMINATED {
		t.Errorf("Describe status %v", d.Status)
	}

	// An activity still waiting for a worker is canceled at once.
	opts.ID, opts.TaskQueue = uniqueName(t, "waiting"), uniqueName(t, "empty")
	h, err = c.ExecuteActivity(ctx, opts, "Block")
	if err != nil {
		t.Fatal(err)
	}
	if err := h.Cancel(ctx, client.CancelActivityOptions{Reason: "never mind"}); err != nil {
		t.Fatal(err)
	}
	if err := h.Get(ctx, nil); !errors.As(err, &ce) {
		t.Fatalf("Get error = %v, want CanceledError", err)
	}
}

// The id conflict and reuse policies, and request id deduplication.
func TestStandaloneActivityIDPolicies(t *testing.T) {
	tg, c := setup(t)
	raw := dialRaw(t, tg)
	ctx := testContext(t, 30*time.Second)
	id, queue := uniqueName(t, "dup"), uniqueName(t, "empty")
	start := func(reqID string, reuse enumspb.ActivityIdReusePolicy, conflict enumspb.ActivityIdConflictPolicy) (*workflowservice.StartActivityExecutionResponse, error) {
		return raw.StartActivityExecution(ctx, &workflowservice.StartActivityExecutionRequest{
			Namespace: tg.Namespace, ActivityId: id, ActivityType: &commonpb.ActivityType{Name: "Greet"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: queue}, StartToCloseTimeout: durationpb.New(time.Minute),
			RequestId: reqID, IdReusePolicy: reuse, IdConflictPolicy: conflict,
		})
	}
	first, err := start("r1", 0, 0)
	if err != nil || !first.Started {
		t.Fatalf("first start = %v, %v", first, err)
	}
	again, err := start("r1", 0, 0)
	if err != nil || again.RunId != first.RunId {
		t.Errorf("repeated request = %v, %v; want run %s", again, err, first.RunId)
	}
	_, err = start("r2", 0, 0)
	var already *serviceerror.ActivityExecutionAlreadyStarted
	if !errors.As(rawError(err), &already) || already.RunId != first.RunId || already.StartRequestId != "r1" {
		t.Errorf("conflicting start = %v, want ActivityExecutionAlreadyStarted naming run %s", err, first.RunId)
	}
	existing, err := start("r3", 0, enumspb.ACTIVITY_ID_CONFLICT_POLICY_USE_EXISTING)
	if err != nil || existing.Started || existing.RunId != first.RunId {
		t.Errorf("USE_EXISTING = %v, %v", existing, err)
	}
	if _, err := raw.TerminateActivityExecution(ctx, &workflowservice.TerminateActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, Reason: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := start("r4", enumspb.ACTIVITY_ID_REUSE_POLICY_REJECT_DUPLICATE, 0); !errors.As(rawError(err), &already) {
		t.Errorf("REJECT_DUPLICATE after close = %v, want ActivityExecutionAlreadyStarted", err)
	}
	second, err := start("r5", enumspb.ACTIVITY_ID_REUSE_POLICY_ALLOW_DUPLICATE_FAILED_ONLY, 0)
	if err != nil || !second.Started || second.RunId == first.RunId {
		t.Fatalf("ALLOW_DUPLICATE_FAILED_ONLY after terminate = %v, %v", second, err)
	}
	// The old run is still there by its run id; the id names the new one.
	d := describeActivity(t, ctx, c, id, first.RunId)
	if d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_TERMINATED {
		t.Errorf("first run status %v", d.Status)
	}
	if d := describeActivity(t, ctx, c, id, ""); d.ActivityRunID != second.RunId || d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_RUNNING ||
		d.RunState != enumspb.PENDING_ACTIVITY_STATE_SCHEDULED {
		t.Errorf("latest run = %s status %v state %v; want %s running, scheduled", d.ActivityRunID, d.Status, d.RunState, second.RunId)
	}
	// Delete removes a run, running or not.
	if _, err := raw.DeleteActivityExecution(ctx, &workflowservice.DeleteActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, RunId: second.RunId}); err != nil {
		t.Fatalf("DeleteActivityExecution: %v", err)
	}
	eventually(t, 10*time.Second, "the deleted run gone", func() bool {
		_, err := raw.DescribeActivityExecution(ctx, &workflowservice.DescribeActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: id, RunId: second.RunId})
		return isNotFound(err)
	})
	_, err = raw.DescribeActivityExecution(ctx, &workflowservice.DescribeActivityExecutionRequest{Namespace: tg.Namespace, ActivityId: uniqueName(t, "none")})
	if !isNotFound(err) {
		t.Errorf("Describe of an unknown id = %v, want NotFound", err)
	}
	// The namespace advertises standalone activities.
	ns, err := raw.DescribeNamespace(ctx, &workflowservice.DescribeNamespaceRequest{Namespace: tg.Namespace})
	if err != nil || !ns.GetNamespaceInfo().GetCapabilities().GetStandaloneActivities() {
		t.Errorf("DescribeNamespace standalone_activities = %v, %v; want true", ns.GetNamespaceInfo().GetCapabilities().GetStandaloneActivities(), err)
	}
	_, err = raw.StartActivityExecution(ctx, &workflowservice.StartActivityExecutionRequest{
		Namespace: tg.Namespace, ActivityId: uniqueName(t, "notimeout"), ActivityType: &commonpb.ActivityType{Name: "Greet"},
		TaskQueue: &taskqueuepb.TaskQueue{Name: queue},
	})
	var invalid *serviceerror.InvalidArgument
	if !errors.As(rawError(err), &invalid) {
		t.Errorf("start without timeouts = %v, want InvalidArgument", err)
	}
}

// List and Count filter standalone activities with the visibility query
// language.
func TestStandaloneActivityListCount(t *testing.T) {
	_, c := setup(t)
	queue := uniqueName(t, "sa")
	standaloneWorker(t, c, queue, newStandaloneActivities())
	ctx := testContext(t, 60*time.Second)
	prefix := uniqueName(t, "list")
	for i := range 3 {
		h, err := c.ExecuteActivity(ctx, client.StartActivityOptions{ID: fmt.Sprintf("%s-%d", prefix, i), TaskQueue: queue, StartToCloseTimeout: 10 * time.Second}, "Greet", "x")
		if err != nil {
			t.Fatal(err)
		}
		if err := h.Get(ctx, nil); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.ExecuteActivity(ctx, client.StartActivityOptions{ID: prefix + "-waiting", TaskQueue: uniqueName(t, "empty"), StartToCloseTimeout: 10 * time.Second}, "Greet", "x"); err != nil {
		t.Fatal(err)
	}
	count := func(q string) int64 {
		r, err := c.CountActivities(ctx, client.CountActivitiesOptions{Query: q})
		if err != nil {
			t.Fatalf("CountActivities(%q): %v", q, err)
		}
		return r.Count
	}
	completed := fmt.Sprintf("ActivityType = 'Greet' AND TaskQueue = '%s' AND ExecutionStatus = 'Completed'", queue)
	eventually(t, 20*time.Second, "three completed activities counted", func() bool { return count(completed) == 3 })
	running := fmt.Sprintf("ActivityId = '%s-waiting' AND ExecutionStatus = 'Running'", prefix)
	eventually(t, 20*time.Second, "the waiting activity counted", func() bool { return count(running) == 1 })
	list, err := c.ListActivities(ctx, client.ListActivitiesOptions{Query: completed})
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	for info, err := range list.Results {
		if err != nil {
			t.Fatal(err)
		}
		if info.Status != enumspb.ACTIVITY_EXECUTION_STATUS_COMPLETED || info.ActivityType != "Greet" || info.TaskQueue != queue || info.CloseTime.IsZero() {
			t.Errorf("listed %+v", info)
		}
		ids = append(ids, info.ActivityID)
	}
	if len(ids) != 3 {
		t.Errorf("listed %v, want 3 activities", ids)
	}
	if _, err := c.CountActivities(ctx, client.CountActivitiesOptions{Query: "NoSuchAttribute = 1"}); err == nil {
		t.Error("a query naming an unknown attribute was accepted")
	}
}

// Async completion: by the task token the attempt got, and by activity id
// (the ...ById RPCs with no workflow id).
func TestStandaloneActivityAsyncCompletion(t *testing.T) {
	tg, c := setup(t)
	queue := uniqueName(t, "sa")
	acts := newStandaloneActivities()
	standaloneWorker(t, c, queue, acts)
	ctx := testContext(t, 30*time.Second)
	opts := client.StartActivityOptions{TaskQueue: queue, StartToCloseTimeout: 20 * time.Second}

	opts.ID = uniqueName(t, "bytoken")
	h, err := c.ExecuteActivity(ctx, opts, "Later")
	if err != nil {
		t.Fatal(err)
	}
	token := <-acts.tokens
	if err := c.RecordActivityHeartbeat(ctx, token, "half"); err != nil {
		t.Fatalf("heartbeat by token: %v", err)
	}
	if err := c.CompleteActivity(ctx, token, "by token", nil); err != nil {
		t.Fatal(err)
	}
	var out string
	if err := h.Get(ctx, &out); err != nil || out != "by token" {
		t.Fatalf("Get = %q, %v", out, err)
	}
	if err := c.CompleteActivity(ctx, token, "twice", nil); !isNotFound(err) {
		t.Errorf("second completion = %v, want NotFound", err)
	}

	opts.ID = uniqueName(t, "byid")
	h, err = c.ExecuteActivity(ctx, opts, "Later")
	if err != nil {
		t.Fatal(err)
	}
	<-acts.tokens
	raw := dialRaw(t, tg)
	result, err := converter.GetDefaultDataConverter().ToPayloads("by id")
	if err != nil {
		t.Fatal(err)
	}
	hb, err := raw.RecordActivityTaskHeartbeatById(ctx, &workflowservice.RecordActivityTaskHeartbeatByIdRequest{Namespace: tg.Namespace, ActivityId: opts.ID, Details: result})
	if err != nil || hb.CancelRequested {
		t.Fatalf("heartbeat by id = %v, %v", hb, err)
	}
	if _, err := raw.RespondActivityTaskCompletedById(ctx, &workflowservice.RespondActivityTaskCompletedByIdRequest{
		Namespace: tg.Namespace, ActivityId: opts.ID, RunId: h.GetRunID(), Result: result,
	}); err != nil {
		t.Fatal(err)
	}
	if err := h.Get(ctx, &out); err != nil || out != "by id" {
		t.Fatalf("Get = %q, %v", out, err)
	}
}

// A standalone activity survives a restart of Sundial: started before, with
// its worker after, it completes.
func TestStandaloneActivitySurvivesRestart(t *testing.T) {
	// Sundial's own server, whatever COMPAT_TARGET says: the test restarts it.
	start := restartableSundial(t)
	srv, tg := start()
	ctx := testContext(t, 60*time.Second)
	c := dial(t, tg)
	queue := uniqueName(t, "sa")
	id := uniqueName(t, "restart")
	h, err := c.ExecuteActivity(ctx, client.StartActivityOptions{
		ID: id, TaskQueue: queue, StartToCloseTimeout: 10 * time.Second, ScheduleToCloseTimeout: time.Minute,
	}, "Greet", "again")
	if err != nil {
		t.Fatal(err)
	}
	stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Stop(stopCtx); err != nil {
		t.Fatal(err)
	}
	srv, tg = start()
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	c = dial(t, tg)
	if d := describeActivity(t, ctx, c, id, h.GetRunID()); d.Status != enumspb.ACTIVITY_EXECUTION_STATUS_RUNNING {
		t.Fatalf("after the restart: status %v", d.Status)
	}
	standaloneWorker(t, c, queue, newStandaloneActivities())
	var out string
	if err := c.GetActivityHandle(client.GetActivityHandleOptions{ActivityID: id, RunID: h.GetRunID()}).Get(ctx, &out); err != nil || out != "hello again" {
		t.Fatalf("Get = %q, %v", out, err)
	}
}
