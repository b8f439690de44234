package compat

import (
	"encoding/json"
	"strings"
	"testing"
)

// cliEndpoint is the part of `temporal operator nexus endpoint get -o json`
// (the endpoint message in JSON) the test reads.
type cliEndpoint struct {
	ID   string `json:"id"`
	Spec struct {
		Name        string          `json:"name"`
		Description json.RawMessage `json:"description"`
		Target      struct {
			Worker struct {
				Namespace string `json:"namespace"`
				TaskQueue string `json:"taskQueue"`
			} `json:"worker"`
		} `json:"target"`
	} `json:"spec"`
}

// TestTemporalCLINexusEndpoints drives `temporal operator nexus endpoint`
// create, get, list, update and delete.
func TestTemporalCLINexusEndpoints(t *testing.T) {
	binary := temporalCLI(t)
	tg := startTarget(t)
	cli := newCLIRunner(t, binary, tg)
	name := "cli-" + strings.ReplaceAll(uniqueName(t, "ep")[len(uniqueName(t, "ep"))-8:], "_", "-")

	cli.mustRun(t, "operator", "nexus", "endpoint", "create", "--name", name,
		"--target-namespace", tg.Namespace, "--target-task-queue", "cli-q1", "--description", "first version")
	var got cliEndpoint
	cli.mustRunJSON(t, &got, "operator", "nexus", "endpoint", "get", "--name", name)
	if got.ID == "" || got.Spec.Name != name || got.Spec.Target.Worker.TaskQueue != "cli-q1" || got.Spec.Target.Worker.Namespace != tg.Namespace || !strings.Contains(string(got.Spec.Description), "first version") {
		t.Fatalf("endpoint get: %v", got)
	}
	res := cli.mustRun(t, "operator", "nexus", "endpoint", "list")
	if !strings.Contains(res.stdout, name) {
		t.Fatalf("endpoint list does not show %s:\n%s", name, res)
	}
	cli.mustRun(t, "operator", "nexus", "endpoint", "update", "--name", name, "--target-task-queue", "cli-q2")
	got = cliEndpoint{}
	cli.mustRunJSON(t, &got, "operator", "nexus", "endpoint", "get", "--name", name)
	if got.Spec.Target.Worker.TaskQueue != "cli-q2" {
		t.Fatalf("endpoint get after update: %v", got)
	}
	res = cli.run(t, "operator", "nexus", "endpoint", "create", "--name", name,
		"--target-namespace", tg.Namespace, "--target-task-queue", "cli-q1")
	if res.exitCode == 0 || !strings.Contains(res.stderr, "already registered") {
		t.Fatalf("creating a duplicate endpoint:\n%s", res)
	}
	cli.mustRun(t, "operator", "nexus", "endpoint", "delete", "--name", name)
	res = cli.run(t, "operator", "nexus", "endpoint", "get", "--name", name)
	if res.exitCode == 0 {
		t.Fatalf("endpoint get after delete succeeded:\n%s", res)
	}
}
