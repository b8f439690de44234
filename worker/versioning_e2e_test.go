package worker_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
)

// The versioning end-to-end test runs two Sundial workers of one deployment,
// build ids v1 and v2, against the engine: pinned workflows stay on their
// version, auto-upgrade ones follow the current version, a ramp sends new
// workflows to the ramping version, an override moves a run, and the drained old
// version is deleted.

// buildIDAfterSignal waits for the "proceed" signal, then returns the build id
// that workflow.GetInfo reports for the task that runs it.
func buildIDAfterSignal(ctx workflow.Context) (string, error) {
	workflow.GetSignalChannel(ctx, "proceed").Receive(ctx, nil)
	return workflow.GetInfo(ctx).CurrentBuildID, nil
}

// buildIDNow returns the build id of the worker that runs its first task.
func buildIDNow(ctx workflow.Context) (string, error) {
	return workflow.GetInfo(ctx).CurrentBuildID, nil
}

// startVersionedWorker runs a worker of deployment:build on queue with "Pinned"
// and "Auto" (both wait for a signal) and "Quick" (auto-upgrade, returns at once).
func startVersionedWorker(t *testing.T, c *client.Client, queue, deployment, build string) *worker.Worker {
	t.Helper()
	opts := worker.Options{DeploymentOptions: worker.DeploymentOptions{
		UseVersioning:             true,
		Version:                   sundial.WorkerDeploymentVersion{DeploymentName: deployment, BuildID: build},
		DefaultVersioningBehavior: sundial.VersioningBehaviorAutoUpgrade,
	}}
	return startWorker(t, c, queue, opts, func(w *worker.Worker) error {
		return errors.Join(
			w.RegisterWorkflowWithOptions(buildIDAfterSignal, worker.RegisterWorkflowOptions{Name: "Pinned", VersioningBehavior: sundial.VersioningBehaviorPinned}),
			w.RegisterWorkflowWithOptions(buildIDAfterSignal, worker.RegisterWorkflowOptions{Name: "Auto"}), // the worker's default
			w.RegisterWorkflowWithOptions(buildIDNow, worker.RegisterWorkflowOptions{Name: "Quick", VersioningBehavior: sundial.VersioningBehaviorAutoUpgrade}),
		)
	})
}

// awaitRegistered waits until the version's worker polled (no notification
// exists for it).
func awaitRegistered(t *testing.T, ctx context.Context, h *client.WorkerDeploymentHandle, build string) {
	t.Helper()
	waitWithin(t, 30*time.Second, func() bool {
		_, err := h.DescribeVersion(ctx, build)
		return err == nil
	})
}

// awaitRunsOn waits until a run's workflow task completed on version build
// with the given behavior.
func awaitRunsOn(t *testing.T, ctx context.Context, c *client.Client, workflowID, build string, behavior enumspb.VersioningBehavior) {
	t.Helper()
	waitWithin(t, 30*time.Second, func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
		vi := d.GetWorkflowExecutionInfo().GetVersioningInfo()
		return err == nil && vi.GetBehavior() == behavior && vi.GetDeploymentVersion().GetBuildId() == build
	})
}

func resultString(t *testing.T, ctx context.Context, run client.WorkflowRun) string {
	t.Helper()
	var out string
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	return out
}

func TestVersionedWorkersPinnedAutoUpgradeRampOverrideCleanup(t *testing.T) {
	c := engine(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const queue, dep = "versioned", "orders"
	deployments := c.WorkerDeploymentClient()
	h := deployments.GetHandle(dep)

	old := startVersionedWorker(t, c, queue, dep, "v1")
	awaitRegistered(t, ctx, h, "v1")
	if _, err := h.SetCurrentVersion(ctx, "v1", client.WorkerDeploymentRoutingOptions{}); err != nil {
		t.Fatal(err)
	}
	start := func(workflowType, id string) client.WorkflowRun {
		t.Helper()
		run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: id, TaskQueue: queue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, workflowType)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}
	pinned, auto := start("Pinned", "pinned"), start("Auto", "auto")
	awaitRunsOn(t, ctx, c, "pinned", "v1", enumspb.VERSIONING_BEHAVIOR_PINNED)
	awaitRunsOn(t, ctx, c, "auto", "v1", enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE)

	startVersionedWorker(t, c, queue, dep, "v2")
	awaitRegistered(t, ctx, h, "v2")

	// A ramp: at 100% every new workflow runs on v2, at 0% none does.
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ramped, err := h.SetRampingVersion(ctx, "v2", 100, client.WorkerDeploymentRoutingOptions{ConflictToken: desc.ConflictToken})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if got := resultString(t, ctx, start("Quick", fmt.Sprint("quick-", i))); got != "v2" {
			t.Errorf("at a 100%% ramp, a new workflow ran on %q, want v2", got)
		}
	}
	if _, err := h.SetRampingVersion(ctx, "v2", 0, client.WorkerDeploymentRoutingOptions{ConflictToken: ramped.ConflictToken}); err != nil {
		t.Fatal(err)
	}
	for i := range 4 {
		if got := resultString(t, ctx, start("Quick", fmt.Sprint("quick-", i))); got != "v1" {
			t.Errorf("at a 0%% ramp, a new workflow ran on %q, want v1", got)
		}
	}
	// The first conflict token is stale now.
	_, err = h.SetCurrentVersion(ctx, "v2", client.WorkerDeploymentRoutingOptions{ConflictToken: desc.ConflictToken})
	var precondition *serviceerror.FailedPrecondition
	if !errors.As(err, &precondition) {
		t.Fatalf("SetCurrentVersion with a stale conflict token: %v, want FailedPrecondition", err)
	}

	changed, err := h.SetCurrentVersion(ctx, "v2", client.WorkerDeploymentRoutingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := changed.PreviousVersion; p == nil || *p != (sundial.WorkerDeploymentVersion{DeploymentName: dep, BuildID: "v1"}) {
		t.Errorf("previous current version %v, want %s:v1", p, dep)
	}

	// An override pins a new (v2) run to v1.
	moved := start("Pinned", "moved")
	awaitRunsOn(t, ctx, c, "moved", "v2", enumspb.VERSIONING_BEHAVIOR_PINNED)
	opts, err := c.UpdateWorkflowExecutionOptions(ctx, "moved", "", client.WorkflowExecutionOptionsChanges{
		VersioningOverride: &client.VersioningOverrideChange{Value: &client.PinnedVersioningOverride{Version: sundial.WorkerDeploymentVersion{DeploymentName: dep, BuildID: "v1"}}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := opts.VersioningOverride.(*client.PinnedVersioningOverride); !ok || p.Version.BuildID != "v1" {
		t.Errorf("options after the override: %#v, want pinned to v1", opts.VersioningOverride)
	}

	for _, id := range []string{"pinned", "auto", "moved"} {
		if err := c.SignalWorkflow(ctx, id, "", "proceed", nil); err != nil {
			t.Fatal(err)
		}
	}
	for run, want := range map[client.WorkflowRun]string{pinned: "v1", auto: "v2", moved: "v1"} {
		if got := resultString(t, ctx, run); got != want {
			t.Errorf("workflow %s finished on %q, want %q", run.GetID(), got, want)
		}
	}

	// v1 has drained: its workers stop and it is deleted.
	old.Stop()
	waitWithin(t, 30*time.Second, func() bool {
		v, err := h.DescribeVersion(ctx, "v1")
		return err == nil && v.Drainage != nil && v.Drainage.Status == enumspb.VERSION_DRAINAGE_STATUS_DRAINED
	})
	if err := h.DeleteVersion(ctx, "v1", client.DeleteVersionOptions{}); err != nil {
		t.Fatalf("deleting the drained v1: %v", err)
	}
	after, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if s := after.Info.VersionSummaries; len(s) != 1 || s[0].Version.BuildID != "v2" {
		t.Errorf("versions after deleting v1: %+v", s)
	}
	if cur := after.Info.RoutingConfig.CurrentVersion; cur == nil || cur.BuildID != "v2" {
		t.Errorf("current version %v, want v2", cur)
	}
	listed := 0
	for entry, err := range deployments.List(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		if entry.Name == dep {
			listed++
		}
	}
	if listed != 1 {
		t.Errorf("deployment %s listed %d times", dep, listed)
	}
	if err := deployments.Delete(ctx, dep); !errors.As(err, &precondition) {
		t.Errorf("deleting a deployment with a version left: %v, want FailedPrecondition", err)
	}
}
