package compat

import (
	"strings"
	"testing"
	"time"

	"go.temporal.io/sdk/client"
)

// TestTemporalCLIWorkerDeployment: `temporal worker deployment` lists and
// describes the deployment a versioned worker registered, sets its current
// and ramping versions, and deletes a version and then the deployment.
func TestTemporalCLIWorkerDeployment(t *testing.T) {
	binary := temporalCLI(t)
	tg, c := setupDeployments(t)
	cli := newCLIRunner(t, binary, tg)
	ctx := testContext(t, 2*time.Minute)
	tq := uniqueName(t, "tq")
	dep := uniqueName(t, "dep")
	startVersionedWorker(t, c, tq, dep, "v1")
	awaitVersion(t, ctx, c, tq, dep, "v1")

	if res := cli.mustRun(t, "worker", "deployment", "list"); !strings.Contains(res.stdout, dep) {
		t.Errorf("deployment list does not show %s:\n%s", dep, res)
	}
	if res := cli.mustRun(t, "worker", "deployment", "describe-version", "--deployment-name", dep, "--build-id", "v1"); !strings.Contains(res.stdout, tq) {
		t.Errorf("describe-version does not show the task queue %s:\n%s", tq, res)
	}
	cli.mustRun(t, "worker", "deployment", "set-current-version", "--deployment-name", dep, "--build-id", "v1", "--yes")
	res := cli.mustRun(t, "worker", "deployment", "describe", "--name", dep)
	if !containsOnOneLine(res.stdout, "CurrentVersionBuildID", "v1") {
		t.Errorf("describe does not show v1 as current:\n%s", res)
	}
	// A version no worker polled yet, ramped with --allow-no-pollers.
	cli.mustRun(t, "worker", "deployment", "set-ramping-version", "--deployment-name", dep, "--build-id", "v2", "--percentage", "25", "--allow-no-pollers", "--ignore-missing-task-queues", "--yes")
	res = cli.mustRun(t, "worker", "deployment", "describe", "--name", dep)
	if !containsOnOneLine(res.stdout, "RampingVersionBuildID", "v2") || !containsOnOneLine(res.stdout, "RampingVersionPercentage", "25") {
		t.Errorf("describe does not show v2 ramping at 25%%:\n%s", res)
	}
	if res := cli.run(t, "worker", "deployment", "delete-version", "--deployment-name", dep, "--build-id", "v2"); res.exitCode == 0 ||
		!strings.Contains(res.stdout+res.stderr, "cannot be deleted since it is current or ramping") {
		t.Errorf("deleting the ramping version: %s", res)
	}
	cli.mustRun(t, "worker", "deployment", "set-ramping-version", "--deployment-name", dep, "--delete", "--yes")
	// The version that stopped ramping drains for the grace period.
	if res := cli.run(t, "worker", "deployment", "delete-version", "--deployment-name", dep, "--build-id", "v2"); res.exitCode == 0 ||
		!strings.Contains(res.stdout+res.stderr, "cannot be deleted since it is draining") {
		t.Errorf("deleting the draining version: %s", res)
	}
	cli.mustRun(t, "worker", "deployment", "delete-version", "--deployment-name", dep, "--build-id", "v2", "--skip-drainage")
	if _, err := c.WorkerDeploymentClient().GetHandle(dep).DescribeVersion(ctx, client.WorkerDeploymentDescribeVersionOptions{BuildID: "v2"}); err == nil {
		t.Error("v2 still described after delete-version")
	}
	if res := cli.run(t, "worker", "deployment", "delete", "--name", dep); res.exitCode == 0 ||
		!strings.Contains(res.stdout+res.stderr, "deployment has versions, can't be deleted") {
		t.Errorf("deleting a deployment with a version left: %s", res)
	}
}

// containsOnOneLine reports whether one line of s holds both strings.
func containsOnOneLine(s, a, b string) bool {
	for _, line := range strings.Split(s, "\n") {
		if strings.Contains(line, a) && strings.Contains(line, b) {
			return true
		}
	}
	return false
}
