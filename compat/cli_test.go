package compat

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

// cliWaiter holds a piece of state that a "state" query reads and a "set-state"
// update replaces (returning the old value; empty values are rejected), until a
// "finish" signal or a cancellation ends it.
func cliWaiter(ctx workflow.Context, state string) (string, error) {
	if err := workflow.SetQueryHandler(ctx, "state", func() (string, error) { return state, nil }); err != nil {
		return "", fmt.Errorf("registering the state query: %w", err)
	}
	err := workflow.SetUpdateHandlerWithOptions(ctx, "set-state", func(ctx workflow.Context, next string) (string, error) {
		previous := state
		state = next
		return previous, nil
	}, workflow.UpdateHandlerOptions{Validator: func(ctx workflow.Context, next string) error {
		if next == "" {
			return errors.New("the state must not be empty")
		}
		return nil
	}})
	if err != nil {
		return "", fmt.Errorf("registering the set-state update: %w", err)
	}
	var farewell string
	canceled := false
	sel := workflow.NewSelector(ctx)
	sel.AddReceive(workflow.GetSignalChannel(ctx, "finish"), func(c workflow.ReceiveChannel, _ bool) { c.Receive(ctx, &farewell) })
	sel.AddReceive(ctx.Done(), func(workflow.ReceiveChannel, bool) { canceled = true })
	sel.Select(ctx)
	if canceled {
		return "", ctx.Err()
	}
	return fmt.Sprintf("finished: %s (state %s)", farewell, state), nil
}

// cliGreet completes at once.
func cliGreet(_ workflow.Context, name string) (string, error) { return "hello " + name, nil }

// cliExecution is the part of a WorkflowExecutionInfo the CLI test reads, as the
// CLI prints it with -o json.
type cliExecution struct {
	Execution struct {
		WorkflowID string `json:"workflowId"`
		RunID      string `json:"runId"`
	} `json:"execution"`
	Type struct {
		Name string `json:"name"`
	} `json:"type"`
	Status    string `json:"status"`
	TaskQueue string `json:"taskQueue"`
}

// cliNamespace is the part of a DescribeNamespaceResponse the CLI test reads.
type cliNamespace struct {
	Info struct {
		Name        string `json:"name"`
		State       string `json:"state"`
		Description string `json:"description"`
	} `json:"namespaceInfo"`
	Config struct {
		Retention string `json:"workflowExecutionRetentionTtl"`
	} `json:"config"`
}

// cliPoller is one poller as `task-queue describe -o json` prints it (the legacy
// mode has no task queue type).
type cliPoller struct {
	TaskQueueType string `json:"taskQueueType"`
	Identity      string `json:"identity"`
}

// cliStarted is what `workflow start -o json` prints.
type cliStarted struct {
	WorkflowID string `json:"workflowId"`
	RunID      string `json:"runId"`
	Type       string `json:"type"`
	Namespace  string `json:"namespace"`
	TaskQueue  string `json:"taskQueue"`
}

// TestTemporalCLI drives Sundial with Temporal's own command-line client, run as a
// subprocess, the way an operator would: the workflow commands, search attributes,
// namespaces and task queues.
func TestTemporalCLI(t *testing.T) {
	if testing.Short() {
		t.Skip("skipping the temporal CLI test in -short mode (it builds the CLI)")
	}
	// In parallel with the other tests, so that a first, slow build of the CLI
	// overlaps them instead of adding to the run.
	t.Parallel()
	binary := temporalCLI(t)
	tg, c := setup(t)
	cli := newCLIRunner(t, binary, tg)

	queue := uniqueName(t, "cli")
	waiterType := uniqueName(t, "CLIWaiter")
	greetType := uniqueName(t, "CLIGreet")
	startWorker(t, c, queue, func(r worker.Registry) {
		r.RegisterWorkflowWithOptions(cliWaiter, workflow.RegisterOptions{Name: waiterType})
		r.RegisterWorkflowWithOptions(cliGreet, workflow.RegisterOptions{Name: greetType})
	})
	ids := struct{ waiter, finisher, greeter, terminated string }{
		waiter:     uniqueName(t, "waiter"),
		finisher:   uniqueName(t, "finisher"),
		greeter:    uniqueName(t, "greeter"),
		terminated: uniqueName(t, "terminated"),
	}
	runIDs := map[string]string{}
	startWith := func(t *testing.T, id, workflowType, input string, extra ...string) cliStarted {
		t.Helper()
		var started cliStarted
		cli.mustRunJSON(t, &started, append([]string{"workflow", "start", "--workflow-id", id, "--type", workflowType,
			"--task-queue", queue, "--input", input}, extra...)...)
		if started.WorkflowID != id || started.RunID == "" || started.Type != workflowType || started.TaskQueue != queue {
			t.Fatalf("workflow start printed %+v; want workflow id %s, a run id, type %s, task queue %s", started, id, workflowType, queue)
		}
		runIDs[id] = started.RunID
		return started
	}
	describe := func(t *testing.T, id string) cliExecution {
		t.Helper()
		var out struct {
			Info cliExecution `json:"workflowExecutionInfo"`
		}
		cli.mustRunJSON(t, &out, "workflow", "describe", "--workflow-id", id)
		return out.Info
	}

	t.Run("workflow start", func(t *testing.T) {
		startWith(t, ids.waiter, waiterType, `"first"`)
		startWith(t, ids.finisher, waiterType, `"second"`)
		startWith(t, ids.terminated, waiterType, `"doomed"`)
		startWith(t, ids.greeter, greetType, `"Ada"`)
		ctx := testContext(t, 30*time.Second)
		var greeting string
		if err := c.GetWorkflow(ctx, ids.greeter, runIDs[ids.greeter]).Get(ctx, &greeting); err != nil || greeting != "hello Ada" {
			t.Fatalf("result of the workflow the CLI started = %q, %v; want %q", greeting, err, "hello Ada")
		}
		// Starting a running workflow id again returns that run (the SDK's default),
		// unless --fail-existing asks for the conflict to be an error.
		var again cliStarted
		cli.mustRunJSON(t, &again, "workflow", "start", "--workflow-id", ids.waiter, "--type", waiterType, "--task-queue", queue, "--input", `"again"`)
		if again.RunID != runIDs[ids.waiter] {
			t.Errorf("starting a running workflow id again printed run %s, want the running run %s", again.RunID, runIDs[ids.waiter])
		}
		res := cli.run(t, "workflow", "start", "--workflow-id", ids.waiter, "--type", waiterType, "--task-queue", queue, "--input", `"again"`, "--fail-existing")
		if res.exitCode == 0 || !strings.Contains(strings.ToLower(res.stderr), "already") {
			t.Errorf("starting a running workflow id again with --fail-existing: want a failure mentioning it is already started, got\n%s", res)
		}
	})

	t.Run("workflow describe", func(t *testing.T) {
		info := describe(t, ids.waiter)
		if info.Execution.WorkflowID != ids.waiter || info.Execution.RunID != runIDs[ids.waiter] ||
			info.Type.Name != waiterType || info.TaskQueue != queue || !enumIs(info.Status, "WORKFLOW_EXECUTION_STATUS_", "Running") {
			t.Errorf("workflow describe printed %+v; want workflow %s run %s of type %s on %s, running",
				info, ids.waiter, runIDs[ids.waiter], waiterType, queue)
		}
		if info := describe(t, ids.greeter); !enumIs(info.Status, "WORKFLOW_EXECUTION_STATUS_", "Completed") {
			t.Errorf("workflow describe of a completed workflow printed status %q, want Completed", info.Status)
		}
		res := cli.mustRun(t, "workflow", "describe", "--workflow-id", ids.waiter)
		for _, want := range []string{ids.waiter, runIDs[ids.waiter], waiterType, queue, "HistoryLength"} {
			if !strings.Contains(res.stdout, want) {
				t.Errorf("workflow describe (text) does not mention %q:\n%s", want, res)
			}
		}
	})

	t.Run("workflow query", func(t *testing.T) {
		requireCLIQueryResult(t, cli, ids.waiter, "first")
		res := cli.mustRun(t, "workflow", "query", "--workflow-id", ids.waiter, "--type", "state")
		if !strings.Contains(res.stdout, `"first"`) {
			t.Errorf("workflow query (text) does not show the handler's answer \"first\":\n%s", res)
		}
		// An unknown query type fails with the worker's explanation, which lists the
		// known types.
		res = cli.run(t, "workflow", "query", "--workflow-id", ids.waiter, "--type", "no-such-query")
		if res.exitCode == 0 || !strings.Contains(res.stderr, "no-such-query") || !strings.Contains(res.stderr, "state") {
			t.Errorf("querying an unknown type: want a failure naming it and the known types, got\n%s", res)
		}
	})

	t.Run("workflow update execute", func(t *testing.T) {
		var out struct {
			Name     string          `json:"name"`
			UpdateID string          `json:"updateId"`
			Result   json.RawMessage `json:"result"`
		}
		res := cli.mustRunJSON(t, &out, "workflow", "update", "execute", "--workflow-id", ids.waiter,
			"--name", "set-state", "--update-id", "cli-update-1", "--input", `"updated"`)
		var previous string
		if err := json.Unmarshal(out.Result, &previous); err != nil || previous != "first" || out.UpdateID != "cli-update-1" {
			t.Errorf("workflow update execute printed result %s (%v), update id %q; want \"first\" and cli-update-1\n%s",
				out.Result, err, out.UpdateID, res)
		}
		requireCLIQueryResult(t, cli, ids.waiter, "updated")
		// The validator's rejection reaches the user.
		res = cli.run(t, "workflow", "update", "execute", "--workflow-id", ids.waiter, "--name", "set-state", "--input", `""`)
		if res.exitCode == 0 || !strings.Contains(res.stderr, "must not be empty") {
			t.Errorf("an update the validator rejects: want a failure with the validator's message, got\n%s", res)
		}
		requireCLIQueryResult(t, cli, ids.waiter, "updated")
	})

	t.Run("workflow signal", func(t *testing.T) {
		cli.mustRun(t, "workflow", "signal", "--workflow-id", ids.finisher, "--name", "finish", "--input", `"bye"`)
		ctx := testContext(t, 30*time.Second)
		var result string
		if err := c.GetWorkflow(ctx, ids.finisher, runIDs[ids.finisher]).Get(ctx, &result); err != nil || result != "finished: bye (state second)" {
			t.Fatalf("result after the CLI's signal = %q, %v; want %q", result, err, "finished: bye (state second)")
		}
	})

	t.Run("workflow show", func(t *testing.T) {
		var out struct {
			Events []struct {
				EventID   protoInt `json:"eventId"`
				EventType string   `json:"eventType"`
			} `json:"events"`
		}
		res := cli.mustRunJSON(t, &out, "workflow", "show", "--workflow-id", ids.finisher)
		want := fetchHistory(t, c, ids.finisher, runIDs[ids.finisher])
		if len(out.Events) != len(want) {
			t.Fatalf("workflow show printed %d events, the history has %d:\n%s", len(out.Events), len(want), res)
		}
		for i, e := range out.Events {
			if int64(e.EventID) != want[i].GetEventId() || !enumIs(e.EventType, "EVENT_TYPE_", cliEventName(want[i].GetEventType())) {
				t.Errorf("workflow show event %d = %d %s, want %d %s", i, e.EventID, e.EventType, want[i].GetEventId(), want[i].GetEventType())
			}
		}
		text := cli.mustRun(t, "workflow", "show", "--workflow-id", ids.finisher)
		for _, want := range []string{"WorkflowExecutionStarted", "WorkflowExecutionSignaled", "WorkflowExecutionCompleted", "finished: bye"} {
			if !strings.Contains(text.stdout, want) {
				t.Errorf("workflow show (text) does not mention %q:\n%s", want, text)
			}
		}
	})

	t.Run("workflow list", func(t *testing.T) {
		all := []string{ids.waiter, ids.finisher, ids.greeter, ids.terminated}
		cliEventually(t, 10*time.Second, func() error {
			listed := cliList(t, cli)
			for _, id := range all {
				if _, ok := listed[id]; !ok {
					return fmt.Errorf("workflow list does not show %s; it shows %v", id, listed)
				}
			}
			if got := listed[ids.greeter]; !enumIs(got.Status, "WORKFLOW_EXECUTION_STATUS_", "Completed") || got.Type.Name != greetType {
				return fmt.Errorf("workflow list shows %s as %+v, want a completed %s", ids.greeter, got, greetType)
			}
			return nil
		})
		running := fmt.Sprintf("WorkflowType='%s' AND ExecutionStatus='Running'", waiterType)
		cliEventually(t, 10*time.Second, func() error {
			return sameIDs(cliList(t, cli, "--query", running), ids.waiter, ids.terminated)
		})
		cliEventually(t, 10*time.Second, func() error {
			return sameIDs(cliList(t, cli, "--query", fmt.Sprintf("TaskQueue='%s' AND ExecutionStatus='Completed'", queue)), ids.finisher, ids.greeter)
		})
		text := cli.mustRun(t, "workflow", "list", "--query", running)
		if !strings.Contains(text.stdout, ids.waiter) || !strings.Contains(text.stdout, ids.terminated) || strings.Contains(text.stdout, ids.greeter) {
			t.Errorf("workflow list (text) with %s: want %s and %s only:\n%s", running, ids.waiter, ids.terminated, text)
		}
		// One execution per page: the CLI follows next_page_token to the end.
		cliEventually(t, 10*time.Second, func() error {
			return sameIDs(cliList(t, cli, "--query", fmt.Sprintf("TaskQueue='%s'", queue), "--page-size", "1"), all...)
		})
		if got := cliList(t, cli, "--query", fmt.Sprintf("TaskQueue='%s'", queue), "--page-size", "1", "--limit", "3"); len(got) != 3 {
			t.Errorf("workflow list --limit 3 showed %d executions, want 3", len(got))
		}
		// A malformed filter is refused.
		if res := cli.run(t, "workflow", "list", "--query", "WorkflowType = = 'x'"); res.exitCode == 0 {
			t.Errorf("workflow list with a malformed query succeeded:\n%s", res)
		}
	})

	t.Run("workflow count", func(t *testing.T) {
		inQueue := fmt.Sprintf("TaskQueue='%s'", queue)
		cliEventually(t, 10*time.Second, func() error {
			if got := cliCount(t, cli, inQueue).Count; got != 4 {
				return fmt.Errorf("workflow count --query %q = %d, want 4", inQueue, got)
			}
			return nil
		})
		if got := cliCount(t, cli, "").Count; got < 4 || !targetIsTemporal() && got != 4 {
			t.Errorf("workflow count (no query) = %d, want 4", got)
		}
		grouped := cliCount(t, cli, inQueue+" GROUP BY ExecutionStatus")
		groups := map[string]int64{}
		for _, g := range grouped.Groups {
			if len(g.GroupValues) != 1 {
				t.Fatalf("count group %+v has %d values, want 1", g, len(g.GroupValues))
			}
			var status string
			if err := json.Unmarshal(g.GroupValues[0], &status); err != nil {
				t.Fatalf("count group value %s is not a string: %v", g.GroupValues[0], err)
			}
			groups[status] = int64(g.Count)
		}
		if grouped.Count != 4 || len(groups) != 2 || groups["Running"] != 2 || groups["Completed"] != 2 {
			t.Errorf("workflow count GROUP BY ExecutionStatus = total %d, groups %v; want 4, Running 2, Completed 2", grouped.Count, groups)
		}
		text := cli.mustRun(t, "workflow", "count", "--query", inQueue)
		if !strings.Contains(text.stdout, "Total: 4") {
			t.Errorf("workflow count (text) does not say Total: 4:\n%s", text)
		}
	})

	// The commands below start more workflows on the queue, so they come after the
	// count assertions.
	t.Run("workflow execute", func(t *testing.T) {
		text := cli.mustRun(t, "workflow", "execute", "--workflow-id", uniqueName(t, "executed"), "--type", greetType,
			"--task-queue", queue, "--input", `"Lin"`)
		for _, want := range []string{"WorkflowExecutionStarted", "WorkflowExecutionCompleted", "hello Lin"} {
			if !strings.Contains(text.stdout, want) {
				t.Errorf("workflow execute (text), which follows the history, does not mention %q:\n%s", want, text)
			}
		}
		var out struct {
			Status string          `json:"status"`
			Result json.RawMessage `json:"result"`
		}
		res := cli.mustRunJSON(t, &out, "workflow", "execute", "--workflow-id", uniqueName(t, "executed"), "--type", greetType,
			"--task-queue", queue, "--input", `"Kay"`)
		if !enumIs(out.Status, "WORKFLOW_EXECUTION_STATUS_", "Completed") || !slices.Equal(jsonStrings(out.Result), []string{"hello Kay"}) {
			t.Errorf("workflow execute printed status %q and result %s; want COMPLETED and \"hello Kay\"\n%s", out.Status, out.Result, res)
		}
	})

	t.Run("workflow result", func(t *testing.T) {
		res := cli.mustRun(t, "workflow", "result", "--workflow-id", ids.greeter)
		if !strings.Contains(res.stdout, "hello Ada") {
			t.Errorf("workflow result does not show the result \"hello Ada\":\n%s", res)
		}
	})

	t.Run("workflow signal-with-start", func(t *testing.T) {
		id := uniqueName(t, "signal-with-start")
		cli.mustRun(t, "workflow", "signal-with-start", "--workflow-id", id, "--type", waiterType, "--task-queue", queue,
			"--input", `"fresh"`, "--signal-name", "finish", "--signal-input", `"at once"`)
		ctx := testContext(t, 30*time.Second)
		var result string
		if err := c.GetWorkflow(ctx, id, "").Get(ctx, &result); err != nil || result != "finished: at once (state fresh)" {
			t.Fatalf("result of the signal-with-start workflow = %q, %v; want %q", result, err, "finished: at once (state fresh)")
		}
	})

	t.Run("workflow execute-update-with-start", func(t *testing.T) {
		id := uniqueName(t, "update-with-start")
		var out struct {
			UpdateID string          `json:"updateId"`
			Result   json.RawMessage `json:"updateResult"`
		}
		res := cli.mustRunJSON(t, &out, "workflow", "execute-update-with-start", "--workflow-id", id, "--type", waiterType,
			"--task-queue", queue, "--input", `"initial"`, "--id-conflict-policy", "UseExisting",
			"--update-name", "set-state", "--update-id", "cli-uws", "--update-input", `"replaced"`)
		if out.UpdateID != "cli-uws" || !slices.Equal(jsonStrings(out.Result), []string{"initial"}) {
			t.Errorf("workflow execute-update-with-start printed update %q with result %s; want cli-uws and \"initial\"\n%s",
				out.UpdateID, out.Result, res)
		}
		requireCLIQueryResult(t, cli, id, "replaced")
		cli.mustRun(t, "workflow", "terminate", "--workflow-id", id, "--reason", "done with it")
	})

	t.Run("workflow stack", func(t *testing.T) {
		res := cli.mustRun(t, "workflow", "stack", "--workflow-id", ids.waiter)
		if !strings.Contains(res.stdout, "cliWaiter") {
			t.Errorf("workflow stack does not show the workflow function cliWaiter:\n%s", res)
		}
	})

	t.Run("workflow cancel", func(t *testing.T) {
		cli.mustRun(t, "workflow", "cancel", "--workflow-id", ids.waiter)
		ctx := testContext(t, 30*time.Second)
		err := c.GetWorkflow(ctx, ids.waiter, runIDs[ids.waiter]).Get(ctx, nil)
		var canceled *temporal.CanceledError
		if !errors.As(err, &canceled) {
			t.Fatalf("after workflow cancel the workflow returned %v, want a cancellation", err)
		}
		if info := describe(t, ids.waiter); !enumIs(info.Status, "WORKFLOW_EXECUTION_STATUS_", "Canceled") {
			t.Errorf("workflow describe after cancel printed status %q, want Canceled", info.Status)
		}
		events := fetchHistory(t, c, ids.waiter, runIDs[ids.waiter])
		if len(eventsOfType(events, evWorkflowCancelRequested)) != 1 || events[len(events)-1].GetEventType() != evWorkflowCanceled {
			t.Errorf("history after workflow cancel lacks the cancel request or does not end canceled")
		}
	})

	t.Run("workflow terminate", func(t *testing.T) {
		cli.mustRun(t, "workflow", "terminate", "--workflow-id", ids.terminated, "--reason", "the CLI says stop")
		if info := describe(t, ids.terminated); !enumIs(info.Status, "WORKFLOW_EXECUTION_STATUS_", "Terminated") {
			t.Errorf("workflow describe after terminate printed status %q, want Terminated", info.Status)
		}
		events := fetchHistory(t, c, ids.terminated, runIDs[ids.terminated])
		last := events[len(events)-1]
		if last.GetEventType() != evWorkflowTerminated || last.GetWorkflowExecutionTerminatedEventAttributes().GetReason() != "the CLI says stop" {
			t.Errorf("last event after workflow terminate = %v, want a termination with the CLI's reason", last)
		}
	})

	t.Run("workflow reset", func(t *testing.T) {
		var out struct {
			RunID string `json:"runId"`
		}
		args := []string{"workflow", "reset", "--workflow-id", ids.finisher, "--type", "FirstWorkflowTask", "--reason", "replay from the start"}
		res := cli.run(t, append(args, "--output", "json")...)
		if res.exitCode != 0 {
			t.Fatalf("workflow reset failed:\n%s", res)
		}
		if err := decodeFirstJSON(res.stdout, &out); err != nil || out.RunID == "" || out.RunID == runIDs[ids.finisher] {
			t.Fatalf("workflow reset printed no new run id (%v):\n%s", err, res)
		}
		// The new run replays from its first workflow task; the signal is reapplied,
		// so it finishes the same way.
		ctx := testContext(t, 30*time.Second)
		var result string
		if err := c.GetWorkflow(ctx, ids.finisher, out.RunID).Get(ctx, &result); err != nil || result != "finished: bye (state second)" {
			t.Fatalf("result of the reset run = %q, %v; want %q", result, err, "finished: bye (state second)")
		}
		events := fetchHistory(t, c, ids.finisher, out.RunID)
		if len(eventsOfType(events, evTaskFailed)) != 1 || len(eventsOfType(events, evWorkflowSignaled)) != 1 {
			t.Errorf("history of the reset run should hold one failed workflow task (the reset point) and the reapplied signal:\n%s",
				eventTypeDiff(nil, eventTypes(events)))
		}
		if info := describe(t, ids.finisher); info.Execution.RunID != out.RunID {
			t.Errorf("workflow describe after reset shows run %s, want the new run %s", info.Execution.RunID, out.RunID)
		}
	})

	t.Run("workflow reset --type LastWorkflowTask", func(t *testing.T) {
		// A terminated run can be reset too; its new run waits for the signal again.
		var out struct {
			RunID string `json:"runId"`
		}
		res := cli.run(t, "workflow", "reset", "--workflow-id", ids.terminated, "--type", "LastWorkflowTask",
			"--reason", "bring it back", "--output", "json")
		if res.exitCode != 0 {
			t.Fatalf("workflow reset failed:\n%s", res)
		}
		if err := decodeFirstJSON(res.stdout, &out); err != nil || out.RunID == "" || out.RunID == runIDs[ids.terminated] {
			t.Fatalf("workflow reset printed no new run id (%v):\n%s", err, res)
		}
		if info := describe(t, ids.terminated); info.Execution.RunID != out.RunID || !enumIs(info.Status, "WORKFLOW_EXECUTION_STATUS_", "Running") {
			t.Errorf("workflow describe after reset printed %+v, want the new run %s running", info, out.RunID)
		}
		cli.mustRun(t, "workflow", "signal", "--workflow-id", ids.terminated, "--name", "finish", "--input", `"revived"`)
		ctx := testContext(t, 30*time.Second)
		var result string
		if err := c.GetWorkflow(ctx, ids.terminated, out.RunID).Get(ctx, &result); err != nil || result != "finished: revived (state doomed)" {
			t.Fatalf("result of the reset run = %q, %v; want %q", result, err, "finished: revived (state doomed)")
		}
	})

	t.Run("workflow describe --reset-points", func(t *testing.T) {
		var out struct {
			Info struct {
				AutoResetPoints struct {
					Points []struct {
						RunID                        string   `json:"runId"`
						FirstWorkflowTaskCompletedID protoInt `json:"firstWorkflowTaskCompletedId"`
						Resettable                   bool     `json:"resettable"`
					} `json:"points"`
				} `json:"autoResetPoints"`
			} `json:"workflowExecutionInfo"`
		}
		res := cli.mustRunJSON(t, &out, "workflow", "describe", "--workflow-id", ids.greeter)
		points := out.Info.AutoResetPoints.Points
		if len(points) == 0 {
			t.Fatalf("DescribeWorkflowExecution left workflow_execution_info.auto_reset_points empty; Temporal records "+
				"a reset point (run id, first completed workflow task id, resettable) for each worker build that completes a "+
				"workflow task, and `temporal workflow describe --reset-points` lists them for choosing a reset target:\n%s", res)
		}
		if points[0].RunID != runIDs[ids.greeter] || points[0].FirstWorkflowTaskCompletedID != 4 {
			t.Errorf("reset points = %+v, want one at event 4 of run %s", points, runIDs[ids.greeter])
		}
		text := cli.mustRun(t, "workflow", "describe", "--workflow-id", ids.greeter, "--reset-points")
		if !strings.Contains(text.stdout, runIDs[ids.greeter]) {
			t.Errorf("workflow describe --reset-points does not list the run's reset point:\n%s", text)
		}
	})

	t.Run("workflow delete", func(t *testing.T) {
		res := cli.run(t, "workflow", "delete", "--workflow-id", ids.greeter)
		if res.exitCode != 0 {
			t.Fatalf("workflow delete failed:\n%s", res)
		}
		if targetIsTemporal() {
			return // Temporal deletes in the background, on no deadline the test can rely on.
		}
		cliEventually(t, 10*time.Second, func() error {
			if res := cli.run(t, "workflow", "describe", "--workflow-id", ids.greeter); res.exitCode == 0 {
				return fmt.Errorf("workflow describe still finds the deleted workflow:\n%s", res)
			}
			return nil
		})
	})

	t.Run("operator search-attribute", func(t *testing.T) {
		// Search attribute names are identifiers; uniqueName ends in eight hex digits.
		suffix := uniqueName(t, "sa")
		name := "CLICustomer_" + suffix[len(suffix)-8:]
		cli.mustRun(t, "operator", "search-attribute", "create", "--name", name, "--type", "Keyword")
		var listed struct {
			Custom map[string]string `json:"customAttributes"`
			System map[string]string `json:"systemAttributes"`
		}
		res := cli.mustRunJSON(t, &listed, "operator", "search-attribute", "list")
		if !enumIs(listed.Custom[name], "INDEXED_VALUE_TYPE_", "Keyword") || !enumIs(listed.System["WorkflowType"], "INDEXED_VALUE_TYPE_", "Keyword") {
			t.Fatalf("operator search-attribute list: want custom %s and system WorkflowType as Keyword:\n%s", name, res)
		}
		id := uniqueName(t, "customer")
		startWith(t, id, greetType, `"Grace"`, "--search-attribute", name+`="acme"`)
		filter := fmt.Sprintf("%s='acme'", name)
		cliEventually(t, 10*time.Second, func() error { return sameIDs(cliList(t, cli, "--query", filter), id) })
		if got := cliCount(t, cli, filter).Count; got != 1 {
			t.Errorf("workflow count --query %q = %d, want 1", filter, got)
		}
		cli.mustRun(t, "operator", "search-attribute", "remove", "--name", name, "--yes")
		listed.Custom = nil
		res = cli.mustRunJSON(t, &listed, "operator", "search-attribute", "list")
		if _, ok := listed.Custom[name]; ok {
			t.Errorf("operator search-attribute list still shows %s after remove:\n%s", name, res)
		}
	})

	t.Run("operator namespace", func(t *testing.T) {
		var namespaces []cliNamespace
		res := cli.mustRunJSON(t, &namespaces, "operator", "namespace", "list")
		if !slices.ContainsFunc(namespaces, func(n cliNamespace) bool { return n.Info.Name == tg.Namespace }) {
			t.Errorf("operator namespace list does not show %s:\n%s", tg.Namespace, res)
		}
		created := strings.ToLower(uniqueName(t, "ns"))
		cli.inNamespace(created).mustRun(t, "operator", "namespace", "create", "--retention", "48h", "--description", "made by the CLI")
		for _, ns := range []string{tg.Namespace, created} {
			var described cliNamespace
			res := cli.inNamespace(ns).mustRunJSON(t, &described, "operator", "namespace", "describe")
			if described.Info.Name != ns || !enumIs(described.Info.State, "NAMESPACE_STATE_", "Registered") {
				t.Errorf("operator namespace describe %s: want it registered:\n%s", ns, res)
			}
			if ns == created && (described.Config.Retention != "172800s" || described.Info.Description != "made by the CLI") {
				t.Errorf("operator namespace describe %s: want 48h retention and the description:\n%s", ns, res)
			}
		}
		cli.inNamespace(created).mustRun(t, "operator", "namespace", "update", "--retention", "72h", "--description", "changed by the CLI")
		var updated cliNamespace
		res = cli.inNamespace(created).mustRunJSON(t, &updated, "operator", "namespace", "describe")
		if updated.Config.Retention != "259200s" || updated.Info.Description != "changed by the CLI" {
			t.Errorf("operator namespace describe after update: want 72h retention and the new description:\n%s", res)
		}
	})

	t.Run("operator cluster", func(t *testing.T) {
		if res := cli.mustRun(t, "operator", "cluster", "health"); !strings.Contains(res.stdout, "SERVING") {
			t.Errorf("operator cluster health does not report SERVING:\n%s", res)
		}
		var system struct {
			ServerVersion string `json:"serverVersion"`
		}
		cli.mustRunJSON(t, &system, "operator", "cluster", "system")
		var cluster struct {
			ClusterName string `json:"clusterName"`
		}
		res := cli.mustRunJSON(t, &cluster, "operator", "cluster", "describe")
		if cluster.ClusterName == "" {
			t.Errorf("operator cluster describe printed no cluster name:\n%s", res)
		}
	})

	t.Run("task-queue describe", func(t *testing.T) {
		res := cli.run(t, "task-queue", "describe", "--task-queue", queue, "--output", "json")
		if res.exitCode != 0 {
			// "does not support `DescribeTaskQueueEnhanced`" here means the server
			// answered api_mode=ENHANCED with the legacy shape (no versions_info).
			t.Fatalf("task-queue describe failed:\n%s", res)
		}
		var out struct {
			Pollers []cliPoller `json:"pollers"`
		}
		workflowPoller := func(p cliPoller) bool { return p.TaskQueueType == "workflow" && p.Identity != "" }
		if err := decodeFirstJSON(res.stdout, &out); err != nil || !slices.ContainsFunc(out.Pollers, workflowPoller) {
			t.Errorf("task-queue describe shows no workflow poller for the worker on %s (%v):\n%s", queue, err, res)
		}
	})

	t.Run("task-queue describe --legacy-mode", func(t *testing.T) {
		res := cli.run(t, "task-queue", "describe", "--task-queue", queue, "--legacy-mode", "--output", "json")
		if res.exitCode != 0 {
			// A "nil pointer dereference" here means the server left task_queue_status
			// unset although include_task_queue_status was true (Temporal always
			// fills it then), and the CLI dereferenced it.
			t.Fatalf("task-queue describe --legacy-mode failed:\n%s", res)
		}
		var out struct {
			Pollers []cliPoller `json:"pollers"`
		}
		if err := decodeFirstJSON(res.stdout, &out); err != nil || len(out.Pollers) == 0 || out.Pollers[0].Identity == "" {
			t.Errorf("task-queue describe --legacy-mode shows no poller for the worker on %s (%v):\n%s", queue, err, res)
		}
	})
}

// cliEventName is an event type as the CLI's short enum form writes it.
func cliEventName(e enumspb.EventType) string {
	return strings.ReplaceAll(strings.TrimPrefix(e.String(), "EVENT_TYPE_"), "_", "")
}

// eventTypes lists the types of events, for printing.
func eventTypes(events []*historypb.HistoryEvent) []enumspb.EventType {
	out := make([]enumspb.EventType, len(events))
	for i, e := range events {
		out[i] = e.GetEventType()
	}
	return out
}

// jsonStrings reads a payload the CLI printed as JSON: a single string or a list of
// strings.
func jsonStrings(raw json.RawMessage) []string {
	var one string
	if err := json.Unmarshal(raw, &one); err == nil {
		return []string{one}
	}
	var many []string
	if err := json.Unmarshal(raw, &many); err == nil {
		return many
	}
	return nil
}

// requireCLIQueryResult runs the "state" query through the CLI and fails unless the
// handler answered want.
func requireCLIQueryResult(t *testing.T, cli *cliRunner, workflowID, want string) {
	t.Helper()
	var out struct {
		Result json.RawMessage `json:"queryResult"`
	}
	res := cli.mustRunJSON(t, &out, "workflow", "query", "--workflow-id", workflowID, "--type", "state")
	var answers []string
	if err := json.Unmarshal(out.Result, &answers); err != nil || len(answers) != 1 || answers[0] != want {
		t.Fatalf("workflow query state = %s (%v), want [%q]\n%s", out.Result, err, want, res)
	}
}

// cliList runs `workflow list` with extra arguments and returns the executions by
// workflow id.
func cliList(t *testing.T, cli *cliRunner, extra ...string) map[string]cliExecution {
	t.Helper()
	var executions []cliExecution
	cli.mustRunJSON(t, &executions, append([]string{"workflow", "list"}, extra...)...)
	byID := map[string]cliExecution{}
	for _, e := range executions {
		byID[e.Execution.WorkflowID] = e
	}
	return byID
}

// cliCountResult is what `workflow count -o json` prints.
type cliCountResult struct {
	Count  protoInt `json:"count"`
	Groups []struct {
		GroupValues []json.RawMessage `json:"groupValues"`
		Count       protoInt          `json:"count"`
	} `json:"groups"`
}

func cliCount(t *testing.T, cli *cliRunner, query string) cliCountResult {
	t.Helper()
	args := []string{"workflow", "count"}
	if query != "" {
		args = append(args, "--query", query)
	}
	var out cliCountResult
	cli.mustRunJSON(t, &out, args...)
	return out
}

// sameIDs reports how listed differs from exactly the wanted workflow ids.
func sameIDs(listed map[string]cliExecution, want ...string) error {
	got := make([]string, 0, len(listed))
	for id := range listed {
		got = append(got, id)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	if !slices.Equal(got, want) {
		return fmt.Errorf("listed workflows %v, want %v", got, want)
	}
	return nil
}
