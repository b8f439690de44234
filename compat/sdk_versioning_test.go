package compat

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/sundialdev/sundial"
	sdclient "github.com/sundialdev/sundial/client"
	sdworker "github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
)

// The TestSundialSDKVersioning tests run worker deployment versioning with
// Sundial's own SDK (worker.DeploymentOptions, client.WorkerDeploymentClient,
// client.UpdateWorkflowExecutionOptions) against the server COMPAT_TARGET
// selects, so the SDK is checked against Temporal's server as well as Sundial.

// sdkBuildIDs records the build id workflow.GetInfo reports before and after
// the "proceed" signal: which version ran (or, on replay, had run) each task.
func sdkBuildIDs(ctx workflow.Context) ([]string, error) {
	before := workflow.GetInfo(ctx).CurrentBuildID
	workflow.GetSignalChannel(ctx, "proceed").Receive(ctx, nil)
	return []string{before, workflow.GetInfo(ctx).CurrentBuildID}, nil
}

// sdkBuildIDNow returns the build id of the worker that runs it.
func sdkBuildIDNow(ctx workflow.Context) (string, error) {
	return workflow.GetInfo(ctx).CurrentBuildID, nil
}

// sdkStartVersionedWorker runs a Sundial worker of deployment:build with
// "Pinned" (pinned), "Auto" (the worker's default, auto-upgrade) and "Quick".
func sdkStartVersionedWorker(t *testing.T, c *sdclient.Client, queue, deployment, build string) *sdworker.Worker {
	t.Helper()
	w := sdworker.New(c, queue, sdworker.Options{
		Logger: sdkLogger(t),
		DeploymentOptions: sdworker.DeploymentOptions{
			UseVersioning:             true,
			Version:                   sundial.WorkerDeploymentVersion{DeploymentName: deployment, BuildID: build},
			DefaultVersioningBehavior: sundial.VersioningBehaviorAutoUpgrade,
		},
	})
	err := errors.Join(
		w.RegisterWorkflowWithOptions(sdkBuildIDs, sdworker.RegisterWorkflowOptions{Name: "Pinned", VersioningBehavior: sundial.VersioningBehaviorPinned}),
		w.RegisterWorkflowWithOptions(sdkBuildIDs, sdworker.RegisterWorkflowOptions{Name: "Auto"}),
		w.RegisterWorkflowWithOptions(sdkBuildIDNow, sdworker.RegisterWorkflowOptions{Name: "Quick"}),
	)
	if err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatalf("starting worker %s:%s: %v", deployment, build, err)
	}
	t.Cleanup(w.Stop)
	return w
}

func sdkAwaitVersion(t *testing.T, ctx context.Context, h *sdclient.WorkerDeploymentHandle, build string) {
	t.Helper()
	eventually(t, 30*time.Second, "version "+h.Name()+":"+build+" registered", func() bool {
		_, err := h.DescribeVersion(ctx, build)
		return err == nil
	})
}

func sdkAwaitRunsOn(t *testing.T, ctx context.Context, c *sdclient.Client, workflowID, build string, behavior enumspb.VersioningBehavior) {
	t.Helper()
	eventually(t, 30*time.Second, workflowID+" "+behavior.String()+" on "+build, func() bool {
		d, err := c.DescribeWorkflowExecution(ctx, workflowID, "")
		vi := d.GetWorkflowExecutionInfo().GetVersioningInfo()
		return err == nil && vi.GetBehavior() == behavior && vi.GetDeploymentVersion().GetBuildId() == build
	})
}

func sdkResult[T any](t *testing.T, ctx context.Context, run sdclient.WorkflowRun) T {
	t.Helper()
	var out T
	if err := run.Get(ctx, &out); err != nil {
		t.Fatalf("workflow %s: %v", run.GetID(), err)
	}
	return out
}

// TestSundialSDKVersioningPinnedAutoUpgradeRampOverride: a pinned run stays on
// v1 after v2 becomes current, an auto-upgrade run moves to v2 at its next
// task, a ramp sends new runs to v2 by its percentage, and an override pins a
// v2 run to v1. GetInfo's build id follows each task, on replay too.
func TestSundialSDKVersioningPinnedAutoUpgradeRampOverride(t *testing.T) {
	tg := startTarget(t)
	c := sdkDial(t, tg)
	ctx := testContext(t, 3*time.Minute)
	queue, dep := uniqueName(t, "tq"), uniqueName(t, "dep")
	h := c.WorkerDeploymentClient().GetHandle(dep)
	start := func(workflowType, id string) sdclient.WorkflowRun {
		t.Helper()
		run, err := c.ExecuteWorkflow(ctx, sdclient.StartWorkflowOptions{ID: id, TaskQueue: queue,
			WorkflowIDReusePolicy: enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE}, workflowType)
		if err != nil {
			t.Fatal(err)
		}
		return run
	}

	sdkStartVersionedWorker(t, c, queue, dep, "v1")
	sdkAwaitVersion(t, ctx, h, "v1")
	if _, err := h.SetCurrentVersion(ctx, "v1", sdclient.WorkerDeploymentRoutingOptions{}); err != nil {
		t.Fatal(err)
	}
	pinnedID, autoID, movedID := uniqueName(t, "pinned"), uniqueName(t, "auto"), uniqueName(t, "moved")
	pinned, auto := start("Pinned", pinnedID), start("Auto", autoID)
	sdkAwaitRunsOn(t, ctx, c, pinnedID, "v1", enumspb.VERSIONING_BEHAVIOR_PINNED)
	sdkAwaitRunsOn(t, ctx, c, autoID, "v1", enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE)

	sdkStartVersionedWorker(t, c, queue, dep, "v2")
	sdkAwaitVersion(t, ctx, h, "v2")
	desc, err := h.Describe(ctx)
	if err != nil {
		t.Fatal(err)
	}
	ramp, err := h.SetRampingVersion(ctx, "v2", 100, sdclient.WorkerDeploymentRoutingOptions{ConflictToken: desc.ConflictToken})
	if err != nil {
		t.Fatal(err)
	}
	quickIDs := []string{uniqueName(t, "quick"), uniqueName(t, "quick"), uniqueName(t, "quick")}
	for _, id := range quickIDs {
		if got := sdkResult[string](t, ctx, start("Quick", id)); got != "v2" {
			t.Errorf("at a 100%% ramp, %s ran on %q, want v2", id, got)
		}
	}
	v2, err := h.DescribeVersion(ctx, "v2")
	if err != nil {
		t.Fatal(err)
	}
	if v2.RampPercentage != 100 {
		t.Errorf("v2 ramp percentage %v, want 100", v2.RampPercentage)
	}
	if _, err := h.SetRampingVersion(ctx, "v2", 0, sdclient.WorkerDeploymentRoutingOptions{ConflictToken: ramp.ConflictToken}); err != nil {
		t.Fatal(err)
	}
	for _, id := range quickIDs {
		if got := sdkResult[string](t, ctx, start("Quick", id)); got != "v1" {
			t.Errorf("at a 0%% ramp, %s ran on %q, want v1", id, got)
		}
	}
	_, err = h.SetCurrentVersion(ctx, "v2", sdclient.WorkerDeploymentRoutingOptions{ConflictToken: desc.ConflictToken})
	var precondition *serviceerror.FailedPrecondition
	if !errors.As(err, &precondition) {
		t.Fatalf("SetCurrentVersion with a stale conflict token: %v, want FailedPrecondition", err)
	}
	changed, err := h.SetCurrentVersion(ctx, "v2", sdclient.WorkerDeploymentRoutingOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p := changed.PreviousVersion; p == nil || p.BuildID != "v1" {
		t.Errorf("previous current version %v, want v1", p)
	}

	moved := start("Pinned", movedID)
	sdkAwaitRunsOn(t, ctx, c, movedID, "v2", enumspb.VERSIONING_BEHAVIOR_PINNED)
	opts, err := c.UpdateWorkflowExecutionOptions(ctx, movedID, "", sdclient.WorkflowExecutionOptionsChanges{
		VersioningOverride: &sdclient.VersioningOverrideChange{Value: &sdclient.PinnedVersioningOverride{Version: sundial.WorkerDeploymentVersion{DeploymentName: dep, BuildID: "v1"}}},
	})
	if err != nil {
		t.Fatalf("setting the override: %v", err)
	}
	if p, ok := opts.VersioningOverride.(*sdclient.PinnedVersioningOverride); !ok || p.Version.BuildID != "v1" {
		t.Errorf("options after the override %#v, want pinned to v1", opts.VersioningOverride)
	}
	d, err := c.DescribeWorkflowExecution(ctx, movedID, "")
	if err != nil {
		t.Fatal(err)
	}
	if o := sdclient.VersioningOverrideFromProto(d.GetWorkflowExecutionInfo().GetVersioningInfo().GetVersioningOverride()); fmt.Sprint(o) != fmt.Sprint(opts.VersioningOverride) {
		t.Errorf("described override %#v, want %#v", o, opts.VersioningOverride)
	}

	for _, id := range []string{pinnedID, autoID, movedID} {
		if err := c.SignalWorkflow(ctx, id, "", "proceed", nil); err != nil {
			t.Fatal(err)
		}
	}
	for run, want := range map[sdclient.WorkflowRun]string{pinned: "[v1 v1]", auto: "[v1 v2]", moved: "[v2 v1]"} {
		if got := fmt.Sprint(sdkResult[[]string](t, ctx, run)); got != want {
			t.Errorf("workflow %s ran on %s, want %s", run.GetID(), got, want)
		}
	}
}

// TestSundialSDKVersioningCleanup: the old version cannot be deleted while
// current or polled; once its worker stopped it is deleted (drainage skipped),
// and the deployment with a version left cannot be.
func TestSundialSDKVersioningCleanup(t *testing.T) {
	tg := startTarget(t)
	c := sdkDial(t, tg)
	ctx := testContext(t, 2*time.Minute)
	queue, dep := uniqueName(t, "tq"), uniqueName(t, "dep")
	h := c.WorkerDeploymentClient().GetHandle(dep)
	old := sdkStartVersionedWorker(t, c, queue, dep, "v1")
	sdkStartVersionedWorker(t, c, queue, dep, "v2")
	sdkAwaitVersion(t, ctx, h, "v1")
	sdkAwaitVersion(t, ctx, h, "v2")
	if _, err := h.SetCurrentVersion(ctx, "v1", sdclient.WorkerDeploymentRoutingOptions{}); err != nil {
		t.Fatal(err)
	}
	err := h.DeleteVersion(ctx, "v1", sdclient.DeleteVersionOptions{})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "cannot be deleted since it is current or ramping")
	if _, err := h.SetCurrentVersion(ctx, "v2", sdclient.WorkerDeploymentRoutingOptions{}); err != nil {
		t.Fatal(err)
	}
	// Temporal calls a version that just stopped being current draining until
	// its next drainage check, minutes later; skipping drainage reaches the
	// pollers check on both servers.
	err = h.DeleteVersion(ctx, "v1", sdclient.DeleteVersionOptions{SkipDrainage: true})
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "cannot be deleted since it has active pollers")
	meta, err := h.UpdateVersionMetadata(ctx, "v2", sdclient.VersionMetadataUpdate{Upsert: map[string]any{"release": "2026-12"}})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := meta["release"]; !ok {
		t.Errorf("metadata after the update %v, want a release entry", meta)
	}
	old.Stop()
	if !targetIsTemporal() {
		// Temporal keeps a stopped worker among the pollers for minutes. v1 is
		// still in its drainage grace period on Sundial too, so drainage is
		// skipped: with no pollers left, the delete goes through.
		if err := h.DeleteVersion(ctx, "v1", sdclient.DeleteVersionOptions{SkipDrainage: true}); err != nil {
			t.Fatalf("deleting v1 after its worker stopped: %v", err)
		}
		desc, err := h.Describe(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if s := desc.Info.VersionSummaries; len(s) != 1 || s[0].Version.BuildID != "v2" {
			t.Errorf("versions after deleting v1: %+v", s)
		}
	}
	listed := false
	for entry, err := range c.WorkerDeploymentClient().List(ctx) {
		if err != nil {
			t.Fatal(err)
		}
		listed = listed || entry.Name == dep && entry.RoutingConfig.CurrentVersion != nil && entry.RoutingConfig.CurrentVersion.BuildID == "v2"
	}
	if !listed {
		t.Errorf("deployment %s not listed with v2 current", dep)
	}
	err = c.WorkerDeploymentClient().Delete(ctx, dep)
	requireServiceError[*serviceerror.FailedPrecondition](t, err, "deployment has versions, can't be deleted")
}
