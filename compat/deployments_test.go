package compat

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	computepb "go.temporal.io/api/compute/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/fieldmaskpb"

	"github.com/sundialdev/sundial/server"
)

// The worker deployment tests run the official Go SDK's worker versioning:
// versioned workers register their version by polling, the deployment's
// current and ramping versions route new and auto-upgrade workflows, pinned
// workflows stay on their version, overrides move them, and old versions
// are deleted once drained.

const deploymentSignal = "proceed"

// deploymentWait bounds each wait for a deployment change to show: Temporal
// applies them through its system workflows, slowly on a loaded machine.
const deploymentWait = time.Minute

// versionedWorkflow waits for one signal, then returns the build id of the
// worker that completed it: which version ran its last workflow task.
func versionedWorkflow(buildID string) func(ctx workflow.Context) (string, error) {
	return func(ctx workflow.Context) (string, error) {
		workflow.GetSignalChannel(ctx, deploymentSignal).Receive(ctx, nil)
		return buildID, nil
	}
}

// twoSignalWorkflow waits for two signals, then returns the build id of the
// worker that completed it.
func twoSignalWorkflow(buildID string) func(ctx workflow.Context) (string, error) {
	return func(ctx workflow.Context) (string, error) {
		ch := workflow.GetSignalChannel(ctx, deploymentSignal)
		ch.Receive(ctx, nil)
		ch.Receive(ctx, nil)
		return buildID, nil
	}
}

// immediateWorkflow returns the build id of the worker that ran it.
func immediateWorkflow(buildID string) func(ctx workflow.Context) (string, error) {
	return func(ctx workflow.Context) (string, error) { return buildID, nil }
}

// startVersionedWorker runs a versioned worker of deployment:buildID on
// taskQueue with the test workflows, "Pinned" (pinned) and "Auto"
// (auto-upgrade), "Quick" (auto-upgrade, returns at once) and
// "AutoTwoSignals" (auto-upgrade, waits for two signals).
func startVersionedWorker(t *testing.T, c client.Client, taskQueue, deployment, buildID string) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{
		DeploymentOptions: worker.DeploymentOptions{
			UseVersioning: true,
			Version:       worker.WorkerDeploymentVersion{DeploymentName: deployment, BuildID: buildID},
		},
	})
	w.RegisterWorkflowWithOptions(versionedWorkflow(buildID), workflow.RegisterOptions{Name: "Pinned", VersioningBehavior: workflow.VersioningBehaviorPinned})
	w.RegisterWorkflowWithOptions(versionedWorkflow(buildID), workflow.RegisterOptions{Name: "Auto", VersioningBehavior: workflow.VersioningBehaviorAutoUpgrade})
	w.RegisterWorkflowWithOptions(immediateWorkflow(buildID), workflow.RegisterOptions{Name: "Quick", VersioningBehavior: workflow.VersioningBehaviorAutoUpgrade})
	w.RegisterWorkflowWithOptions(twoSignalWorkflow(buildID), workflow.RegisterOptions{Name: "AutoTwoSignals", VersioningBehavior: workflow.VersioningBehaviorAutoUpgrade})
	if err := w.Start(); err != nil {
		t.Fatalf("starting worker %s:%s: %v", deployment, buildID, err)
	}
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			w.Stop()
		}
	})
	return stoppableWorker{Worker: w, stopped: &stopped}
}

// stoppableWorker lets a test stop a worker early without the cleanup
// stopping it twice.
type stoppableWorker struct {
	worker.Worker
	stopped *bool
}

func (w stoppableWorker) Stop() {
	if !*w.stopped {
		*w.stopped = true
		w.Worker.Stop()
	}
}

// setupDeployments starts a target whose versions report draining for
// deploymentDrainageGrace after they stop being current or ramping (the
// Temporal harness sets the same grace) and dials it.
func setupDeployments(t *testing.T) (target, client.Client) {
	t.Helper()
	if targetIsTemporal() {
		return setup(t)
	}
	tg := startSundial(t, server.Options{VersionDrainageGracePeriod: deploymentDrainageGrace})
	return tg, dial(t, tg)
}

// drainageOf describes a version's drainage status.
func drainageOf(t *testing.T, ctx context.Context, h client.WorkerDeploymentHandle, buildID string) client.WorkerDeploymentVersionDrainageStatus {
	t.Helper()
	v, err := h.DescribeVersion(ctx, client.WorkerDeploymentDescribeVersionOptions{BuildID: buildID})
	if err != nil {
		t.Fatalf("describing %s: %v", buildID, err)
	}
	if v.Info.DrainageInfo == nil {
		return client.WorkerDeploymentVersionDrainageStatusUnspecified
	}
	return v.Info.DrainageInfo.DrainageStatus
}

// awaitDrained waits until a version reports drained.
func awaitDrained(t *testing.T, ctx context.Context, h client.WorkerDeploymentHandle, buildID string) {
	t.Helper()
	eventually(t, deploymentWait, buildID+" drained", func() bool {
		v, err := h.DescribeVersion(ctx, client.WorkerDeploymentDescribeVersionOptions{BuildID: buildID})
		return err == nil && v.Info.DrainageInfo != nil && v.Info.DrainageInfo.DrainageStatus == client.WorkerDeploymentVersionDrainageStatusDrained
	})
}

// awaitVersion waits until the version is registered (its worker polled)
// with taskQueue among its task queues: Temporal adds a version's queues
// after it first answers for the version, and refuses to make current a
// version missing a queue of the current one.
func awaitVersion(t *testing.T, ctx context.Context, c client.Client, taskQueue, deployment, buildID string) {
	t.Helper()
	h := c.WorkerDeploymentClient().GetHandle(deployment)
	eventually(t, deploymentWait, "version "+deployment+":"+buildID+" registered", func() bool {
		v, err := h.DescribeVersion(ctx, client.WorkerDeploymentDescribeVersionOptions{BuildID: buildID})
		if err != nil {
			return false
		}
		for _, q := range v.Info.TaskQueuesInfos {
			if q.Name == taskQueue && q.Type == client.TaskQueueTypeWorkflow {
				return true
			}
		}
		return false
	})
}

// setCurrent makes buildID the deployment's current version. Temporal
// answers once the change reached its task queues, which on a loaded
// machine can take longer than the SDK's ten-second RPC timeout; the change
// is idempotent, so a timed-out call is repeated while ctx lasts.
func setCurrent(t *testing.T, ctx context.Context, c client.Client, deployment, buildID string) {
	t.Helper()
	h := c.WorkerDeploymentClient().GetHandle(deployment)
	for {
		_, err := h.SetCurrentVersion(ctx, client.WorkerDeploymentSetCurrentVersionOptions{BuildID: buildID})
		if err == nil {
			return
		}
		if ctx.Err() != nil || !isTimeout(err) {
			t.Fatalf("setting %s current in %s: %v", buildID, deployment, err)
		}
		t.Logf("setting %s current in %s timed out (%v); repeating", buildID, deployment, err)
	}
}

// isTimeout reports whether err is an RPC that ran out of time.
func isTimeout(err error) bool {
	var deadline *serviceerror.DeadlineExceeded
	return errors.Is(err, context.DeadlineExceeded) || errors.As(err, &deadline) || status.Code(err) == codes.DeadlineExceeded
}

// awaitBehavior waits until a run's first workflow task completed and it
// reports its versioning behavior and version.
func awaitBehavior(t *testing.T, ctx context.Context, c client.Client, workflowID string, behavior enumspb.VersioningBehavior, version string) {
	t.Helper()
	eventually(t, deploymentWait, workflowID+" versioned "+behavior.String()+" on "+version, func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
		if err != nil {
			return false
		}
		vi := d.GetWorkflowExecutionInfo().GetVersioningInfo()
		return vi.GetBehavior() == behavior && vi.GetDeploymentVersion().GetDeploymentName()+":"+vi.GetDeploymentVersion().GetBuildId() == version
	})
}

func resultOf(t *testing.T, ctx context.Context, run client.WorkflowRun) string {
	t.Helper()
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	return out
}

// TestWorkerDeploymentPinnedAndAutoUpgrade: a pinned workflow finishes on the
// version it started on after the current version changes; an auto-upgrade
// one moves to the new current version at its next workflow task. Describe,
// List and the versioning search attributes show where each runs, and the
// old version drains once its pinned workflow closed.
func TestWorkerDeploymentPinnedAndAutoUpgrade(t *testing.T) {
	tg, c := setupDeployments(t)
	ctx := testContext(t, 2*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	startVersionedWorker(t, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v1")
	setCurrent(t, ctx, c, dep, "v1")

	pinned, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "pinned"), TaskQueue: tq}, "Pinned")
	if err != nil {
		t.Fatal(err)
	}
	auto, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "auto"), TaskQueue: tq}, "Auto")
	if err != nil {
		t.Fatal(err)
	}
	awaitBehavior(t, ctx, c, pinned.GetID(), enumspb.VERSIONING_BEHAVIOR_PINNED, dep+":v1")
	awaitBehavior(t, ctx, c, auto.GetID(), enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE, dep+":v1")

	startVersionedWorker(t, c, tq, dep, "v2")
	awaitVersion(t, ctx, c, tq, dep, "v2")
	setCurrent(t, ctx, c, dep, "v2")
	if got := drainageOf(t, ctx, c.WorkerDeploymentClient().GetHandle(dep), "v1"); got != client.WorkerDeploymentVersionDrainageStatusDraining {
		t.Errorf("v1 drainage %v after v2 became current, want draining", got)
	}

	query := fmt.Sprintf("TemporalWorkerDeploymentVersion = '%s:v1' AND TemporalWorkflowVersioningBehavior = 'Pinned'", dep)
	eventually(t, deploymentWait, "the pinned run listed by its version", func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: tg.Namespace, Query: query})
		return err == nil && len(resp.Executions) == 1 && resp.Executions[0].Execution.WorkflowId == pinned.GetID()
	})
	for _, run := range []client.WorkflowRun{pinned, auto} {
		if err := c.SignalWorkflow(ctx, run.GetID(), "", deploymentSignal, nil); err != nil {
			t.Fatal(err)
		}
	}
	if got := resultOf(t, ctx, pinned); got != "v1" {
		t.Errorf("pinned workflow finished on %s, want v1", got)
	}
	if got := resultOf(t, ctx, auto); got != "v2" {
		t.Errorf("auto-upgrade workflow finished on %s, want v2", got)
	}

	h := c.WorkerDeploymentClient().GetHandle(dep)
	desc, err := h.Describe(ctx, client.WorkerDeploymentDescribeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if cur := desc.Info.RoutingConfig.CurrentVersion; cur == nil || cur.BuildID != "v2" {
		t.Errorf("current version %+v, want v2", cur)
	}
	if len(desc.Info.VersionSummaries) != 2 {
		t.Errorf("version summaries %+v, want v1 and v2", desc.Info.VersionSummaries)
	}
	awaitDrained(t, ctx, h, "v1")
}

// TestWorkerDeploymentRamp: a ramping version takes new workflows by
// workflow id: none at 0%, all at 100%, some of many at 50%, and the same id
// lands on the same version each time.
func TestWorkerDeploymentRamp(t *testing.T) {
	_, c := setupDeployments(t)
	ctx := testContext(t, 3*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	startVersionedWorker(t, c, tq, dep, "v1")
	startVersionedWorker(t, c, tq, dep, "v2")
	awaitVersion(t, ctx, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v2")
	setCurrent(t, ctx, c, dep, "v1")
	h := c.WorkerDeploymentClient().GetHandle(dep)
	ramp := func(pct float32) {
		t.Helper()
		for {
			_, err := h.SetRampingVersion(ctx, client.WorkerDeploymentSetRampingVersionOptions{BuildID: "v2", Percentage: pct})
			if err == nil {
				return
			}
			if ctx.Err() != nil || !isTimeout(err) { // as setCurrent, repeated after a timeout
				t.Fatalf("ramping v2 to %v%%: %v", pct, err)
			}
		}
	}
	ids := make([]string, 16)
	for i := range ids {
		ids[i] = fmt.Sprintf("%s-%d", uniqueName(t, "ramp"), i)
	}
	runAll := func() map[string]string {
		t.Helper()
		out := map[string]string{}
		for _, id := range ids {
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: tq, WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, "Quick")
			if err != nil {
				t.Fatal(err)
			}
			out[id] = resultOf(t, ctx, run)
		}
		return out
	}
	count := func(got map[string]string, build string) int {
		n := 0
		for _, b := range got {
			if b == build {
				n++
			}
		}
		return n
	}
	ramp(0)
	if got := runAll(); count(got, "v2") != 0 {
		t.Errorf("at 0%% ramp, %d of %d workflows ran on v2", count(got, "v2"), len(ids))
	}
	ramp(100)
	if got := runAll(); count(got, "v2") != len(ids) {
		t.Errorf("at 100%% ramp, %d of %d workflows ran on v2", count(got, "v2"), len(ids))
	}
	ramp(50)
	first := runAll()
	if n := count(first, "v2"); n == 0 || n == len(ids) {
		t.Errorf("at 50%% ramp, %d of %d workflows ran on v2", n, len(ids))
	}
	if second := runAll(); fmt.Sprint(second) != fmt.Sprint(first) {
		t.Errorf("the ramp is not deterministic per workflow id:\nfirst  %v\nsecond %v", first, second)
	}
	v, err := h.DescribeVersion(ctx, client.WorkerDeploymentDescribeVersionOptions{BuildID: "v2"})
	if err != nil {
		t.Fatal(err)
	}
	if v.Info.RampPercentage != 50 {
		t.Errorf("v2 ramp percentage %v, want 50", v.Info.RampPercentage)
	}
}

// TestWorkerDeploymentOverride: UpdateWorkflowExecutionOptions pins a
// running workflow to another version, which then runs its next workflow
// task; Describe shows the override until it is removed.
func TestWorkerDeploymentOverride(t *testing.T) {
	tg, c := setupDeployments(t)
	ctx := testContext(t, 2*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	startVersionedWorker(t, c, tq, dep, "v1")
	startVersionedWorker(t, c, tq, dep, "v2")
	awaitVersion(t, ctx, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v2")
	setCurrent(t, ctx, c, dep, "v1")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "override"), TaskQueue: tq}, "Pinned")
	if err != nil {
		t.Fatal(err)
	}
	awaitBehavior(t, ctx, c, run.GetID(), enumspb.VERSIONING_BEHAVIOR_PINNED, dep+":v1")

	opts, err := c.UpdateWorkflowExecutionOptions(ctx, client.UpdateWorkflowExecutionOptionsRequest{
		WorkflowId: run.GetID(),
		WorkflowExecutionOptionsChanges: client.WorkflowExecutionOptionsChanges{VersioningOverride: &client.VersioningOverrideChange{
			Value: &client.PinnedVersioningOverride{Version: worker.WorkerDeploymentVersion{DeploymentName: dep, BuildID: "v2"}},
		}},
	})
	if err != nil {
		t.Fatalf("setting the override: %v", err)
	}
	if p, ok := opts.VersioningOverride.(*client.PinnedVersioningOverride); !ok || p.Version.BuildID != "v2" {
		t.Errorf("options after the update %#v, want pinned to v2", opts.VersioningOverride)
	}
	d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if o := d.GetWorkflowExecutionInfo().GetVersioningInfo().GetVersioningOverride(); o.GetPinned().GetVersion().GetBuildId() != "v2" {
		t.Errorf("described override %v, want pinned to v2", o)
	}
	query := fmt.Sprintf("TemporalWorkerDeploymentVersion = '%s:v2' AND WorkflowId = '%s'", dep, run.GetID())
	eventually(t, deploymentWait, "the overridden run listed under v2", func() bool {
		resp, err := c.ListWorkflow(ctx, &workflowservice.ListWorkflowExecutionsRequest{Namespace: tg.Namespace, Query: query})
		return err == nil && len(resp.Executions) == 1
	})
	if err := c.SignalWorkflow(ctx, run.GetID(), "", deploymentSignal, nil); err != nil {
		t.Fatal(err)
	}
	if got := resultOf(t, ctx, run); got != "v2" {
		t.Errorf("overridden workflow finished on %s, want v2", got)
	}

	// Removing an override of a closed run is refused; of an open one, it
	// leaves the run without one.
	open, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "unset"), TaskQueue: tq}, "Pinned")
	if err != nil {
		t.Fatal(err)
	}
	awaitBehavior(t, ctx, c, open.GetID(), enumspb.VERSIONING_BEHAVIOR_PINNED, dep+":v1")
	for _, change := range []client.VersioningOverride{&client.AutoUpgradeVersioningOverride{}, nil} {
		if _, err := c.UpdateWorkflowExecutionOptions(ctx, client.UpdateWorkflowExecutionOptionsRequest{
			WorkflowId:                      open.GetID(),
			WorkflowExecutionOptionsChanges: client.WorkflowExecutionOptionsChanges{VersioningOverride: &client.VersioningOverrideChange{Value: change}},
		}); err != nil {
			t.Fatalf("changing the override to %#v: %v", change, err)
		}
	}
	d, err = c.DescribeWorkflowExecution(ctx, open.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if o := d.GetWorkflowExecutionInfo().GetVersioningInfo().GetVersioningOverride(); o != nil {
		t.Errorf("override after removing it: %v", o)
	}
	if err := c.SignalWorkflow(ctx, open.GetID(), "", deploymentSignal, nil); err != nil {
		t.Fatal(err)
	}
	if got := resultOf(t, ctx, open); got != "v1" {
		t.Errorf("pinned workflow finished on %s, want v1", got)
	}
}

// TestWorkerDeploymentCleanup: an old version cannot be deleted while it is
// current, nor while its workers poll; once they stopped, it is deleted, and
// a deployment with versions left cannot be.
func TestWorkerDeploymentCleanup(t *testing.T) {
	tg, c := setupDeployments(t)
	ctx := testContext(t, 2*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	old := startVersionedWorker(t, c, tq, dep, "v1")
	startVersionedWorker(t, c, tq, dep, "v2")
	awaitVersion(t, ctx, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v2")
	setCurrent(t, ctx, c, dep, "v1")
	h := c.WorkerDeploymentClient().GetHandle(dep)
	_, err := h.DeleteVersion(ctx, client.WorkerDeploymentDeleteVersionOptions{BuildID: "v1"})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "cannot be deleted since it is current or ramping")
	setCurrent(t, ctx, c, dep, "v2")
	// Within the grace period the old version is draining, pinned runs or
	// not; skipping drainage, its pollers still keep it.
	_, err = h.DeleteVersion(ctx, client.WorkerDeploymentDeleteVersionOptions{BuildID: "v1"})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "cannot be deleted since it is draining")
	_, err = h.DeleteVersion(ctx, client.WorkerDeploymentDeleteVersionOptions{BuildID: "v1", SkipDrainage: true})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "cannot be deleted since it has active pollers")
	awaitDrained(t, ctx, h, "v1")
	_, err = h.DeleteVersion(ctx, client.WorkerDeploymentDeleteVersionOptions{BuildID: "v1"})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "cannot be deleted since it has active pollers")
	old.Stop()
	if !targetIsTemporal() {
		// Temporal keeps a stopped worker among the pollers for minutes
		// (matching's poller history); Sundial forgets it when it shuts down.
		if _, err := h.DeleteVersion(ctx, client.WorkerDeploymentDeleteVersionOptions{BuildID: "v1"}); err != nil {
			t.Fatalf("deleting v1 after its worker stopped: %v", err)
		}
		desc, err := h.Describe(ctx, client.WorkerDeploymentDescribeOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if len(desc.Info.VersionSummaries) != 1 || desc.Info.VersionSummaries[0].Version.BuildID != "v2" {
			t.Errorf("versions after deleting v1: %+v", desc.Info.VersionSummaries)
		}
	}
	_, err = c.WorkerDeploymentClient().Delete(ctx, client.WorkerDeploymentDeleteOptions{Name: dep})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "deployment has versions, can't be deleted")
	svc := dialRaw(t, tg)
	_, err = svc.DescribeWorkerDeployment(ctx, &workflowservice.DescribeWorkerDeploymentRequest{Namespace: tg.Namespace, DeploymentName: uniqueName(t, "missing")})
	requireServiceError[*serviceerror.NotFound](t, err, "no Worker Deployment found with name")
	_, err = svc.SetWorkerDeploymentRampingVersion(ctx, &workflowservice.SetWorkerDeploymentRampingVersionRequest{Namespace: tg.Namespace, DeploymentName: dep, BuildId: "v2", Percentage: 101})
	requireServiceError[*serviceerror.InvalidArgument](t, err, "Percentage must be between 0 and 100 (inclusive)")
	_, err = svc.SetWorkerDeploymentCurrentVersion(ctx, &workflowservice.SetWorkerDeploymentCurrentVersionRequest{Namespace: tg.Namespace, DeploymentName: dep, BuildId: "v9"})
	requireServiceError[*serviceerror.NotFound](t, err, "build ID 'v9' not found in Worker Deployment")
}

// requireServiceError fails unless err is an E whose message contains text.
func requireServiceError[E error](t *testing.T, err error, text string) {
	t.Helper()
	var target E
	if err != nil && !errors.As(err, &target) {
		err = serviceerror.FromStatus(status.Convert(err)) // a raw client's error
	}
	if !errors.As(err, &target) || !strings.Contains(err.Error(), text) {
		t.Fatalf("got error %v (%T), want %T containing %q", err, err, target, text)
	}
}

// TestWorkerDeploymentOneTimeOverride: a one-time override sends an
// auto-upgrade run's next workflow task to a version that is not current;
// once a task completed there the override is gone and the run, on its own
// behavior again, moves back to the current version.
func TestWorkerDeploymentOneTimeOverride(t *testing.T) {
	tg, c := setupDeployments(t)
	ctx := testContext(t, 2*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	startVersionedWorker(t, c, tq, dep, "v1")
	startVersionedWorker(t, c, tq, dep, "v2")
	awaitVersion(t, ctx, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v2")
	setCurrent(t, ctx, c, dep, "v1")
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: uniqueName(t, "onetime"), TaskQueue: tq}, "AutoTwoSignals")
	if err != nil {
		t.Fatal(err)
	}
	awaitBehavior(t, ctx, c, run.GetID(), enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE, dep+":v1")
	// A one-time override needs its target (Temporal checks it on an open run only).
	svc := dialRaw(t, tg)
	_, err = svc.UpdateWorkflowExecutionOptions(ctx, &workflowservice.UpdateWorkflowExecutionOptionsRequest{
		Namespace: tg.Namespace, WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: run.GetID()},
		WorkflowExecutionOptions: &workflowpb.WorkflowExecutionOptions{VersioningOverride: &workflowpb.VersioningOverride{
			Override: &workflowpb.VersioningOverride_OneTime{OneTime: &workflowpb.VersioningOverride_OneTimeOverride{}},
		}},
		UpdateMask: &fieldmaskpb.FieldMask{Paths: []string{"versioning_override"}},
	})
	requireServiceError[*serviceerror.InvalidArgument](t, err, "must provide target deployment version if override is one-time.")
	// Nor can it send the run to a version that does not poll its task queue.
	_, err = c.UpdateWorkflowExecutionOptions(ctx, client.UpdateWorkflowExecutionOptionsRequest{
		WorkflowId: run.GetID(),
		WorkflowExecutionOptionsChanges: client.WorkflowExecutionOptionsChanges{VersioningOverride: &client.VersioningOverrideChange{
			Value: &client.OneTimeVersioningOverride{TargetVersion: worker.WorkerDeploymentVersion{DeploymentName: dep, BuildID: "v9"}},
		}},
	})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, fmt.Sprintf("Pinned version '%s:v9' is not present in task queue '%s' of type 'Workflow'", dep, tq))

	opts, err := c.UpdateWorkflowExecutionOptions(ctx, client.UpdateWorkflowExecutionOptionsRequest{
		WorkflowId: run.GetID(),
		WorkflowExecutionOptionsChanges: client.WorkflowExecutionOptionsChanges{VersioningOverride: &client.VersioningOverrideChange{
			Value: &client.OneTimeVersioningOverride{TargetVersion: worker.WorkerDeploymentVersion{DeploymentName: dep, BuildID: "v2"}},
		}},
	})
	if err != nil {
		t.Fatalf("setting the one-time override: %v", err)
	}
	if o, ok := opts.VersioningOverride.(*client.OneTimeVersioningOverride); !ok || o.TargetVersion.BuildID != "v2" {
		t.Errorf("options after the update %#v, want one-time to v2", opts.VersioningOverride)
	}
	d, err := c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if o := d.GetWorkflowExecutionInfo().GetVersioningInfo().GetVersioningOverride(); o.GetOneTime().GetTargetDeploymentVersion().GetBuildId() != "v2" {
		t.Errorf("described override %v, want one-time to v2", o)
	}

	if err := c.SignalWorkflow(ctx, run.GetID(), "", deploymentSignal, nil); err != nil {
		t.Fatal(err)
	}
	awaitBehavior(t, ctx, c, run.GetID(), enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE, dep+":v2")
	d, err = c.DescribeWorkflowExecution(ctx, run.GetID(), "")
	if err != nil {
		t.Fatal(err)
	}
	if o := d.GetWorkflowExecutionInfo().GetVersioningInfo().GetVersioningOverride(); o != nil {
		t.Errorf("override after the task on v2 completed: %v", o)
	}
	if err := c.SignalWorkflow(ctx, run.GetID(), "", deploymentSignal, nil); err != nil {
		t.Fatal(err)
	}
	if got := resultOf(t, ctx, run); got != "v1" {
		t.Errorf("after the one-time move the auto-upgrade run finished on %s, want the current v1", got)
	}

}

// TestWorkerDeploymentComputeConfig: Temporal's server, as shipped, has no
// compute provider for serverless workers: a scaling group naming one is
// refused when a version is created or its compute config updated, removing
// groups is accepted, and a version has no compute config to describe.
func TestWorkerDeploymentComputeConfig(t *testing.T) {
	tg, c := setupDeployments(t)
	ctx := testContext(t, 2*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	startVersionedWorker(t, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v1")
	svc := dialRaw(t, tg)
	v1 := &deploymentpb.WorkerDeploymentVersion{DeploymentName: dep, BuildId: "v1"}
	lambda := &computepb.ComputeConfigScalingGroup{Provider: &computepb.ComputeProvider{Type: "aws-lambda"}}
	const refused = "g: Could not instantiate compute provider with type 'aws-lambda'"

	_, err := svc.UpdateWorkerDeploymentVersionComputeConfig(ctx, &workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest{Namespace: tg.Namespace, DeploymentVersion: v1,
		ComputeConfigScalingGroups: map[string]*computepb.ComputeConfigScalingGroupUpdate{"g": {ScalingGroup: lambda}}})
	requireServiceError[*serviceerror.InvalidArgument](t, err, refused)
	_, err = svc.CreateWorkerDeploymentVersion(ctx, &workflowservice.CreateWorkerDeploymentVersionRequest{Namespace: tg.Namespace,
		DeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: dep, BuildId: "v2"},
		ComputeConfig:     &computepb.ComputeConfig{ScalingGroups: map[string]*computepb.ComputeConfigScalingGroup{"g": lambda}}})
	requireServiceError[*serviceerror.InvalidArgument](t, err, refused)
	if _, err := svc.UpdateWorkerDeploymentVersionComputeConfig(ctx, &workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest{Namespace: tg.Namespace, DeploymentVersion: v1,
		RemoveComputeConfigScalingGroups: []string{"g"}}); err != nil {
		t.Fatalf("removing a scaling group: %v", err)
	}
	_, err = svc.UpdateWorkerDeploymentVersionComputeConfig(ctx, &workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest{Namespace: tg.Namespace,
		DeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: dep, BuildId: "v7"}})
	requireServiceError[*serviceerror.NotFound](t, err, fmt.Sprintf("build ID 'v7' not found in Worker Deployment '%s'", dep))
	_, err = svc.UpdateWorkerDeploymentVersionComputeConfig(ctx, &workflowservice.UpdateWorkerDeploymentVersionComputeConfigRequest{Namespace: tg.Namespace,
		DeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: dep}})
	requireServiceError[*serviceerror.InvalidArgument](t, err, "build ID cannot be empty")
	d, err := svc.DescribeWorkerDeploymentVersion(ctx, &workflowservice.DescribeWorkerDeploymentVersionRequest{Namespace: tg.Namespace, DeploymentVersion: v1})
	if err != nil {
		t.Fatal(err)
	}
	if cc := d.GetWorkerDeploymentVersionInfo().GetComputeConfig(); cc != nil {
		t.Errorf("described compute config %v, want none", cc)
	}
	if !targetIsTemporal() {
		// Temporal's v1.32.0 validation of a provider waits until the
		// request times out; Sundial answers what an update would.
		_, err = svc.ValidateWorkerDeploymentVersionComputeConfig(ctx, &workflowservice.ValidateWorkerDeploymentVersionComputeConfigRequest{Namespace: tg.Namespace, DeploymentVersion: v1,
			ComputeConfigScalingGroups: map[string]*computepb.ComputeConfigScalingGroupUpdate{"g": {ScalingGroup: lambda}}})
		requireServiceError[*serviceerror.InvalidArgument](t, err, refused)
	}
}
