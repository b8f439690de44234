package engine_test

import (
	"context"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	deploymentpb "go.temporal.io/api/deployment/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

const deploymentName = "orders"

func versionOptions(build string) *deploymentpb.WorkerDeploymentOptions {
	return &deploymentpb.WorkerDeploymentOptions{DeploymentName: deploymentName, BuildId: build, WorkerVersioningMode: enumspb.WORKER_VERSIONING_MODE_VERSIONED}
}

// pollVersioned polls tq as a worker of build for up to wait and returns
// the task, nil when none came.
func (e *env) pollVersioned(tq, build string, wait time.Duration) *workflowservice.PollWorkflowTaskQueueResponse {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	resp, err := e.c.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
		Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Identity: "worker-" + build, DeploymentOptions: versionOptions(build),
	})
	if err != nil {
		e.t.Fatalf("versioned poll as %s: %v", build, err)
	}
	if len(resp.TaskToken) == 0 {
		return nil
	}
	return resp
}

func (e *env) setCurrent(build string, token []byte) (*workflowservice.SetWorkerDeploymentCurrentVersionResponse, error) {
	return e.c.SetWorkerDeploymentCurrentVersion(e.ctx(), &workflowservice.SetWorkerDeploymentCurrentVersionRequest{
		Namespace: ns, DeploymentName: deploymentName, BuildId: build, ConflictToken: token, Identity: "operator", IgnoreMissingTaskQueues: true,
	})
}

func wantStatus(t *testing.T, what string, err error, code codes.Code, text string) {
	t.Helper()
	if status.Code(err) != code || !strings.Contains(status.Convert(err).Message(), text) {
		t.Fatalf("%s: got %v, want %v containing %q", what, err, code, text)
	}
}

// TestDeploymentRoutingSurvivesRestart: a versioned poll registers its
// version; making it current moves a task waiting in the unversioned queue
// to it; a pinned run's next task goes to its version only, after the
// current version changed and after a restart, which also keeps the
// deployment, the run's versioning and its search attributes.
func TestDeploymentRoutingSurvivesRestart(t *testing.T) {
	e := newEnv(t)
	const tq = "deploy-tq"
	e.start("pinned", tq)
	if task := e.pollVersioned(tq, "v1", 1300*time.Millisecond); task != nil {
		t.Fatal("a versioned worker took a task before its version was current")
	}
	_, err := e.c.SetWorkerDeploymentRampingVersion(e.ctx(), &workflowservice.SetWorkerDeploymentRampingVersionRequest{Namespace: ns, DeploymentName: deploymentName, BuildId: "v1", Percentage: 200})
	wantStatus(t, "ramp of 200%", err, codes.InvalidArgument, "Percentage must be between 0 and 100 (inclusive)")
	set, err := e.setCurrent("v1", nil)
	if err != nil {
		t.Fatalf("setting v1 current: %v", err)
	}
	task := e.pollVersioned(tq, "v1", 6*time.Second)
	if task == nil {
		t.Fatal("the waiting task did not move to the current version")
	}
	_, err = e.c.RespondWorkflowTaskCompleted(e.ctx(), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: task.TaskToken, Identity: "worker-v1",
		VersioningBehavior: enumspb.VERSIONING_BEHAVIOR_PINNED, DeploymentOptions: versionOptions("v1"),
	})
	if err != nil {
		t.Fatalf("completing as v1: %v", err)
	}
	if task := e.pollVersioned(tq, "v2", 1300*time.Millisecond); task != nil {
		t.Fatal("v2 took a task before any was scheduled")
	}
	_, err = e.setCurrent("v2", set.ConflictToken)
	if err != nil {
		t.Fatalf("setting v2 current: %v", err)
	}
	_, err = e.setCurrent("v1", set.ConflictToken)
	wantStatus(t, "a stale conflict token", err, codes.FailedPrecondition, "conflict token mismatch")

	e.stop()
	e = openEnv(t, e.dbPath)
	d, err := e.c.DescribeWorkerDeployment(e.ctx(), &workflowservice.DescribeWorkerDeploymentRequest{Namespace: ns, DeploymentName: deploymentName})
	if err != nil {
		t.Fatal(err)
	}
	info := d.GetWorkerDeploymentInfo()
	if info.GetRoutingConfig().GetCurrentDeploymentVersion().GetBuildId() != "v2" || len(info.GetVersionSummaries()) != 2 {
		t.Fatalf("deployment after restart: %v", info)
	}
	e.signal("pinned", "go")
	if task := e.pollVersioned(tq, "v2", 1300*time.Millisecond); task != nil {
		t.Fatal("the pinned run's task went to v2")
	}
	if task := e.pollVersioned(tq, "v1", 6*time.Second); task == nil {
		t.Fatal("the pinned run's task did not reach v1")
	}
	tqDesc, err := e.c.DescribeTaskQueue(e.ctx(), &workflowservice.DescribeTaskQueueRequest{Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: tq}, TaskQueueType: enumspb.TASK_QUEUE_TYPE_WORKFLOW})
	if err != nil {
		t.Fatal(err)
	}
	var pollers []string
	for _, p := range tqDesc.GetPollers() {
		pollers = append(pollers, p.GetIdentity())
	}
	if !strings.Contains(strings.Join(pollers, ","), "worker-v1") {
		t.Errorf("DescribeTaskQueue pollers %v, want the versioned worker-v1 among them", pollers)
	}
	desc, err := e.c.DescribeWorkflowExecution(e.ctx(), &workflowservice.DescribeWorkflowExecutionRequest{Namespace: ns, Execution: &commonpb.WorkflowExecution{WorkflowId: "pinned"}})
	if err != nil {
		t.Fatal(err)
	}
	vi := desc.GetWorkflowExecutionInfo().GetVersioningInfo()
	if vi.GetBehavior() != enumspb.VERSIONING_BEHAVIOR_PINNED || vi.GetDeploymentVersion().GetBuildId() != "v1" {
		t.Fatalf("versioning info after restart: %v", vi)
	}
	n, err := e.c.CountWorkflowExecutions(e.ctx(), &workflowservice.CountWorkflowExecutionsRequest{Namespace: ns,
		Query: "TemporalWorkerDeploymentVersion = 'orders:v1' AND TemporalWorkflowVersioningBehavior = 'Pinned' AND TemporalWorkerDeployment = 'orders'"})
	if err != nil || n.GetCount() != 1 {
		t.Fatalf("count by versioning attributes: %v, %v", n, err)
	}
	v1, err := e.c.DescribeWorkerDeploymentVersion(e.ctx(), &workflowservice.DescribeWorkerDeploymentVersionRequest{Namespace: ns,
		DeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: deploymentName, BuildId: "v1"}})
	if err != nil {
		t.Fatal(err)
	}
	if got := v1.GetWorkerDeploymentVersionInfo().GetDrainageInfo().GetStatus(); got != enumspb.VERSION_DRAINAGE_STATUS_DRAINING {
		t.Fatalf("v1 drainage with a pinned run open: %v", got)
	}
	_, err = e.c.DeleteWorkerDeploymentVersion(e.ctx(), &workflowservice.DeleteWorkerDeploymentVersionRequest{Namespace: ns,
		DeploymentVersion: &deploymentpb.WorkerDeploymentVersion{DeploymentName: deploymentName, BuildId: "v1"}})
	wantStatus(t, "deleting a draining version", err, codes.FailedPrecondition, "version 'orders:v1' cannot be deleted since it is draining")
}
