package workflowrt_test

import (
	"context"
	"testing"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/versionstamp"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt/historytest"
	"github.com/sundialdev/sundial/workflow"
	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

func returnsAtOnce(workflow.Context) error { return nil }

// versionedHandler is a task handler of a versioned worker of dep:build.
func versionedHandler(t *testing.T, reg *workflowrt.Registry, build string, def enumspb.VersioningBehavior) *workflowrt.TaskHandler {
	t.Helper()
	h := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{
		Namespace: "default", Identity: "test-worker", NormalTaskQueue: "tq",
		Versioning:                versionstamp.New(sundial.WorkerDeploymentVersion{DeploymentName: "dep", BuildID: build}, true),
		DefaultVersioningBehavior: def,
	})
	t.Cleanup(h.Close)
	return h
}

func TestVersionedCompletionCarriesVersionAndBehavior(t *testing.T) {
	reg := workflowrt.NewRegistry()
	must(t, reg.RegisterWorkflow(returnsAtOnce, workflowrt.RegisterOptions{Name: "Pinned", VersioningBehavior: enumspb.VERSIONING_BEHAVIOR_PINNED}))
	must(t, reg.RegisterWorkflow(returnsAtOnce, workflowrt.RegisterOptions{Name: "Plain"}))
	must(t, reg.RegisterDynamic(func(workflow.Context, *converter.EncodedValues) (any, error) { return nil, nil }))
	reg.SetDynamicVersioningBehavior(func(workflowType string) enumspb.VersioningBehavior {
		if workflowType == "DynPinned" {
			return enumspb.VERSIONING_BEHAVIOR_PINNED
		}
		return enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED
	})
	h := versionedHandler(t, reg, "v1", enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE)
	wantOptions := &deploymentpb.WorkerDeploymentOptions{DeploymentName: "dep", BuildId: "v1", WorkerVersioningMode: enumspb.WORKER_VERSIONING_MODE_VERSIONED}
	for workflowType, want := range map[string]enumspb.VersioningBehavior{
		"Pinned":    enumspb.VERSIONING_BEHAVIOR_PINNED,
		"Plain":     enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE, // the worker's default
		"DynPinned": enumspb.VERSIONING_BEHAVIOR_PINNED,
		"DynOther":  enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE,
	} {
		result, err := h.Process(context.Background(), historytest.New(t, workflowType).Task(false))
		if err != nil || result.Completed == nil {
			t.Fatalf("%s: task not completed: %v %v", workflowType, err, result.Err)
		}
		req := result.Completed
		if req.GetVersioningBehavior() != want {
			t.Errorf("%s: versioning behavior %s, want %s", workflowType, req.GetVersioningBehavior(), want)
		}
		if !proto.Equal(req.GetDeploymentOptions(), wantOptions) {
			t.Errorf("%s: deployment options %v, want %v", workflowType, req.GetDeploymentOptions(), wantOptions)
		}
		if s := req.GetWorkerVersionStamp(); s.GetBuildId() != "v1" || !s.GetUseVersioning() {
			t.Errorf("%s: worker version stamp %v", workflowType, s)
		}
		if d := req.GetDeployment(); d.GetBuildId() != "v1" || d.GetSeriesName() != "dep" {
			t.Errorf("%s: deployment %v", workflowType, d)
		}
	}
}

func TestUnversionedCompletionCarriesNoVersion(t *testing.T) {
	reg := workflowrt.NewRegistry()
	must(t, reg.RegisterWorkflow(returnsAtOnce, workflowrt.RegisterOptions{Name: "wf", VersioningBehavior: enumspb.VERSIONING_BEHAVIOR_PINNED}))
	h := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{Namespace: "default", Identity: "test-worker", NormalTaskQueue: "tq"})
	t.Cleanup(h.Close)
	result, err := h.Process(context.Background(), historytest.New(t, "wf").Task(false))
	if err != nil || result.Completed == nil {
		t.Fatalf("task not completed: %v %v", err, result.Err)
	}
	req := result.Completed
	if req.GetVersioningBehavior() != enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED || req.GetDeploymentOptions() != nil ||
		req.GetWorkerVersionStamp() != nil || req.GetDeployment() != nil {
		t.Errorf("an unversioned worker's completion carries versioning fields: %v", req)
	}
}

func TestVersionedTaskFailureCarriesVersion(t *testing.T) {
	reg := workflowrt.NewRegistry()
	must(t, reg.RegisterWorkflow(func(workflow.Context) error { panic("boom") }, workflowrt.RegisterOptions{Name: "wf", VersioningBehavior: enumspb.VERSIONING_BEHAVIOR_PINNED}))
	h := versionedHandler(t, reg, "v1", enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED)
	result, err := h.Process(context.Background(), historytest.New(t, "wf").Task(false))
	if err != nil || result.Failed == nil {
		t.Fatalf("task did not fail: %v %+v", err, result)
	}
	if o := result.Failed.GetDeploymentOptions(); o.GetBuildId() != "v1" || o.GetWorkerVersioningMode() != enumspb.WORKER_VERSIONING_MODE_VERSIONED {
		t.Errorf("failed task's deployment options %v", o)
	}
	if s := result.Failed.GetWorkerVersion(); s.GetBuildId() != "v1" {
		t.Errorf("failed task's worker version %v", s)
	}
}

// TestCurrentBuildIDFollowsTheTaskBeingReplayed: code that ran on v1 sees v1 when a
// v2 worker replays it, and v2 once it runs on v2.
func TestCurrentBuildIDFollowsTheTaskBeingReplayed(t *testing.T) {
	record := func(ctx workflow.Context) ([]string, error) {
		info := workflow.GetInfo(ctx)
		seen := []string{info.CurrentBuildID + "@" + info.CurrentDeploymentVersion.DeploymentName}
		workflow.GetSignalChannel(ctx, "next").Receive(ctx, nil)
		info = workflow.GetInfo(ctx)
		return append(seen, info.CurrentBuildID+"@"+info.CurrentDeploymentVersion.DeploymentName), nil
	}
	reg := workflowrt.NewRegistry()
	must(t, reg.RegisterWorkflow(record, workflowrt.RegisterOptions{Name: "wf", VersioningBehavior: enumspb.VERSIONING_BEHAVIOR_AUTO_UPGRADE}))
	hist := historytest.New(t, "wf")
	first, err := versionedHandler(t, reg, "v1", enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED).Process(context.Background(), hist.Task(false))
	if err != nil || first.Completed == nil {
		t.Fatalf("first task not completed: %v %+v", err, first)
	}
	hist.Complete(first.Completed.GetCommands())
	events := hist.History().GetEvents()
	completed := events[len(events)-1].GetWorkflowTaskCompletedEventAttributes()
	completed.DeploymentVersion = &deploymentpb.WorkerDeploymentVersion{DeploymentName: "dep", BuildId: "v1"}
	hist.Signal("next")

	second, err := versionedHandler(t, reg, "v2", enumspb.VERSIONING_BEHAVIOR_UNSPECIFIED).Process(context.Background(), hist.Task(false))
	if err != nil || second.Completed == nil {
		t.Fatalf("second task not completed: %v %+v", err, second)
	}
	got := completedResult[[]string](t, last(second.Completed.GetCommands()))
	if len(got) != 2 || got[0] != "v1@dep" || got[1] != "v2@dep" {
		t.Errorf("build ids seen %v, want [v1@dep v2@dep]", got)
	}
}

// TestCurrentBuildIDFromOlderHistoryFields reads the version of a task completed
// by an older server or SDK from the fields they wrote.
func TestCurrentBuildIDFromOlderHistoryFields(t *testing.T) {
	for name, attrs := range map[string]*historypb.WorkflowTaskCompletedEventAttributes{
		"version string": {WorkerDeploymentVersion: "dep.old"},
		"version stamp":  {WorkerVersion: &commonpb.WorkerVersionStamp{BuildId: "old"}},
	} {
		t.Run(name, func(t *testing.T) {
			record := func(ctx workflow.Context) (string, error) {
				id := workflow.GetInfo(ctx).CurrentBuildID
				workflow.GetSignalChannel(ctx, "next").Receive(ctx, nil)
				return id, nil
			}
			reg := workflowrt.NewRegistry()
			must(t, reg.RegisterWorkflow(record, workflowrt.RegisterOptions{Name: "wf"}))
			hist := historytest.New(t, "wf")
			h := workflowrt.NewTaskHandler(reg, workflowrt.TaskHandlerOptions{Namespace: "default", NormalTaskQueue: "tq"})
			t.Cleanup(h.Close)
			first, err := h.Process(context.Background(), hist.Task(false))
			if err != nil || first.Completed == nil {
				t.Fatalf("first task not completed: %v", err)
			}
			hist.Complete(first.Completed.GetCommands())
			events := hist.History().GetEvents()
			completed := events[len(events)-1].GetWorkflowTaskCompletedEventAttributes()
			completed.WorkerDeploymentVersion, completed.WorkerVersion = attrs.WorkerDeploymentVersion, attrs.WorkerVersion
			hist.Signal("next")
			second, err := h.Process(context.Background(), hist.Task(false))
			if err != nil || second.Completed == nil {
				t.Fatalf("second task not completed: %v", err)
			}
			if got := completedResult[string](t, last(second.Completed.GetCommands())); got != "old" {
				t.Errorf("build id during replay %q, want old", got)
			}
		})
	}
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
