package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
)

// env is what a scenario works with: a server that is up, an official SDK client
// whose calls are recorded, and a worker of that client already polling taskQueue.
type env struct {
	hostPort  string
	client    client.Client
	rpcs      *rpcRecorder
	taskQueue string
	// duration is how long open-ended (closed-loop) scenarios run.
	duration time.Duration
	// openCap bounds the 10,000-open-workflows scenario.
	openCap time.Duration
	// memory reads the server's memory now (in-process: the whole driver's).
	memory func() (memoryUsage, error)
	// resetCPU starts the CPU measurement again from now, for scenarios
	// whose setup should not be charged to their operations.
	resetCPU func() error
}

// scenario is one load shape, run the same way against each server.
type scenario struct {
	name string
	// description says what one operation is and how the load is applied.
	description string
	// unit names the throughput: operations per second.
	unit string
	// latency says what p50 and p99 measure.
	latency string
	run     func(ctx context.Context, e *env) (outcome, error)
	// onlyOn, when set, is the one engine (sundialServer or temporalServer)
	// the scenario runs against, on every store; why is in skipReason,
	// printed for the others.
	onlyOn     serverKind
	skipReason string
}

// runsOn reports whether the scenario is measured on kind (onlyOn names an
// engine, whatever its store).
func (s scenario) runsOn(kind serverKind) bool {
	return s.onlyOn == "" || s.onlyOn == kind.engine()
}

// scenarios is every scenario, in the order they run.
func scenarios() []scenario {
	return []scenario{
		{
			name: "activity-1", unit: "wf/s", latency: "start→result",
			description: "one-activity workflow, 1 in flight (closed loop)",
			run:         oneActivity(1),
		},
		{
			name: "activity-10", unit: "wf/s", latency: "start→result",
			description: "one-activity workflow, 10 in flight",
			run:         oneActivity(10),
		},
		{
			name: "activity-30", unit: "wf/s", latency: "start→result",
			description: "one-activity workflow, 30 in flight",
			run:         oneActivity(30),
		},
		{
			name: "chain-10", unit: "wf/s", latency: "start→result",
			description: "workflow running 10 activities one after another, 10 in flight",
			run: workflowLoop(10, func(seq int) (string, []any) {
				return "ActivityChain", []any{10}
			}),
		},
		{
			name: "fanout-100", unit: "wf/s", latency: "start→result",
			description: "workflow scheduling 100 activities at once and awaiting all, 1 in flight",
			run: workflowLoop(1, func(seq int) (string, []any) {
				return "ActivityFanOut", []any{100}
			}),
		},
		{
			name: "retry-2", unit: "wf/s", latency: "start→result",
			description: "activity failing twice then succeeding, 10 ms fixed backoff, 10 in flight",
			run: workflowLoop(10, func(seq int) (string, []any) {
				return "RetriedActivity", nil
			}),
		},
		{
			name: "heartbeat-1000", unit: "hb/s", latency: "heartbeat RPC",
			description: "one activity heartbeating 1,000 times, each heartbeat a server round trip; repeated for the duration",
			run:         heartbeats(1000),
		},
		{
			name: "timers-1000", unit: "timers/s", latency: "firing lag",
			description: "1,000 workflows each sleeping 1 s, started 50 at a time; lag = workflow.Now after the timer − (workflow.Now at start + 1 s), so it includes the worker answering the first task and the dispatch of the task that reports the timer; the note breaks it down from the histories into first workflow task (first WorkflowTaskStarted → WorkflowTaskCompleted) + server fire lag (TimerFired − TimerStarted − 1 s) + dispatch wait (TimerFired → next WorkflowTaskStarted)",
			run:         timerLag(1000, time.Second),
		},
		{
			name: "starts", unit: "starts/s", latency: "start RPC",
			description: "StartWorkflowExecution alone (no worker on the queue), 30 in flight",
			run:         starts(30),
		},
		{
			name: "signals", unit: "signals/s", latency: "signal RPC",
			description: "signals to 10 running workflows that count them, 30 senders",
			run:         signals(10, 30),
		},
		{
			name: "open-10000", unit: "wf/s", latency: "start RPC",
			description: "10,000 workflows started 50 at a time, each then waiting on a 1 h timer; throughput counts workflows whose timer is armed",
			run:         openWorkflows(10000, 50),
		},
		{
			name: "backlog-100000", unit: "starts/s", latency: "start RPC",
			description: "100,000 workflows started 50 at a time on a task queue no worker polls, so every one waits with its first workflow task queued; the note reports the server's RSS with them all waiting",
			run:         backlog(100000, 50),
			onlyOn:      sundialServer,
			skipReason:  "Sundial only: Temporal's server starts about 140 workflows/s here (see starts), so 100,000 would take about 12 minutes",
		},
		{
			name: "schedules-10000", unit: "actions/s", latency: "none",
			description: "10,000 schedules each starting a workflow every minute (phases spread over the minute, no worker): server CPU per action while they fire for 90 s, after creating them",
			run:         everyMinuteSchedules(10000, 50),
			onlyOn:      sundialServer,
			skipReason:  "Sundial only: not measured on Temporal's server, which runs each schedule as a workflow",
		},
		{
			name: "sdk-activity-1", unit: "wf/s", latency: "start→result",
			description: "Sundial's SDK alone: its client starts, and its worker runs, the one-activity workflow (workflow and activity), 1 in flight",
			run:         sundialSDKActivities(1),
		},
		{
			name: "sdk-activity-10", unit: "wf/s", latency: "start→result",
			description: "as sdk-activity-1, 10 in flight",
			run:         sundialSDKActivities(10),
		},
		{
			name: "sdk-activity-30", unit: "wf/s", latency: "start→result",
			description: "as sdk-activity-10, 30 in flight",
			run:         sundialSDKActivities(30),
		},
	}
}

// selectScenarios returns the named scenarios ("all" for every one), in run order.
func selectScenarios(names []string) ([]scenario, error) {
	all := scenarios()
	if len(names) == 1 && names[0] == "all" {
		return all, nil
	}
	var chosen []scenario
	for _, name := range names {
		found := false
		for _, s := range all {
			if s.name == name {
				chosen = append(chosen, s)
				found = true
			}
		}
		if !found {
			return nil, fmt.Errorf("unknown scenario %q", name)
		}
	}
	return chosen, nil
}

// workflowOptions are the start options of every workflow the scenarios start.
func (e *env) workflowOptions(id string) client.StartWorkflowOptions {
	return client.StartWorkflowOptions{ID: id, TaskQueue: e.taskQueue, WorkflowRunTimeout: 10 * time.Minute}
}

// executeAndWait starts a workflow and waits for its result, decoded into result
// when it is not nil.
func (e *env) executeAndWait(ctx context.Context, id, workflowType string, args []any, result any) error {
	run, err := e.client.ExecuteWorkflow(ctx, e.workflowOptions(id), workflowType, args...)
	if err != nil {
		return fmt.Errorf("starting %s %s: %w", workflowType, id, err)
	}
	if err := run.Get(ctx, result); err != nil {
		return fmt.Errorf("waiting for %s %s: %w", workflowType, id, err)
	}
	return nil
}

// warmUp runs a few one-activity workflows so that neither server pays for its
// first task queue or cold caches inside the measurement.
func warmUp(ctx context.Context, e *env) error {
	for i := range 5 {
		if err := e.executeAndWait(ctx, fmt.Sprintf("warmup-%d", i), "OneActivity", []any{"warm"}, nil); err != nil {
			return fmt.Errorf("warming up: %w", err)
		}
	}
	return nil
}
