package main

import (
	"context"
	"fmt"
	"time"
)

// oneActivity is the one-activity workflow at a given number in flight.
func oneActivity(inFlight int) func(context.Context, *env) (outcome, error) {
	return workflowLoop(inFlight, func(seq int) (string, []any) {
		return "OneActivity", []any{"hello"}
	})
}

// workflowLoop keeps inFlight workflows running for the duration, each started as
// soon as the previous one returned its result; the latency is start to result.
func workflowLoop(inFlight int, workflow func(seq int) (string, []any)) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		return closedLoop(ctx, inFlight, e.duration, func(ctx context.Context, seq int) error {
			workflowType, args := workflow(seq)
			return e.executeAndWait(ctx, fmt.Sprintf("wf-%d", seq), workflowType, args, nil)
		})
	}
}

// heartbeats runs HeartbeatingActivity(perActivity) workflows one after another
// until the duration has passed; the operations are heartbeats.
func heartbeats(perActivity int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		const method = "RecordActivityTaskHeartbeat"
		start := time.Now()
		for seq := 0; seq == 0 || time.Since(start) < e.duration; seq++ {
			var sent int
			if err := e.executeAndWait(ctx, fmt.Sprintf("hb-%d", seq), "HeartbeatingActivity", []any{perActivity}, &sent); err != nil {
				return outcome{}, err
			}
			if sent != perActivity {
				return outcome{}, fmt.Errorf("activity reported %d heartbeats, want %d", sent, perActivity)
			}
		}
		return outcome{
			ops:     e.rpcs.count(method),
			elapsed: time.Since(start),
			samples: e.rpcs.latenciesOf(method),
		}, nil
	}
}

// timerLag starts n TimerLag(d) workflows, 50 at a time, and collects the lag each
// observed.
func timerLag(n int, d time.Duration) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		start := time.Now()
		ids := make([]string, n)
		if err := forEach(ctx, n, 50, func(ctx context.Context, seq int) error {
			ids[seq] = fmt.Sprintf("timer-%d", seq)
			_, err := e.client.ExecuteWorkflow(ctx, e.workflowOptions(ids[seq]), "TimerLag", d)
			return err
		}); err != nil {
			return outcome{}, fmt.Errorf("starting timer workflows: %w", err)
		}
		startedIn := time.Since(start)
		lags := make([]time.Duration, n)
		if err := forEach(ctx, n, 50, func(ctx context.Context, seq int) error {
			return e.client.GetWorkflow(ctx, ids[seq], "").Get(ctx, &lags[seq])
		}); err != nil {
			return outcome{}, fmt.Errorf("waiting for timer workflows: %w", err)
		}
		return outcome{
			ops:     n,
			elapsed: time.Since(start),
			samples: lags,
			note:    fmt.Sprintf("the %d starts took %v", n, startedIn.Round(time.Millisecond)),
		}, nil
	}
}

// starts measures StartWorkflowExecution alone: the workflows go to a queue no
// worker polls, so the server does nothing else for them.
func starts(inFlight int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		return closedLoop(ctx, inFlight, e.duration, func(ctx context.Context, seq int) error {
			opts := e.workflowOptions(fmt.Sprintf("start-%d", seq))
			opts.TaskQueue = e.taskQueue + "-unpolled"
			_, err := e.client.ExecuteWorkflow(ctx, opts, "OneActivity", "never runs")
			return err
		})
	}
}

// signals starts `workflows` SignalCounter workflows, then sends them "ping"
// signals from `senders` goroutines for the duration. At the end each workflow is
// told to stop and must report a count; together they must have seen every signal.
func signals(workflows, senders int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		ids := make([]string, workflows)
		for i := range ids {
			ids[i] = fmt.Sprintf("counter-%d", i)
			if _, err := e.client.ExecuteWorkflow(ctx, e.workflowOptions(ids[i]), "SignalCounter"); err != nil {
				return outcome{}, fmt.Errorf("starting %s: %w", ids[i], err)
			}
		}
		if err := e.rpcs.waitForCount(ctx, "RespondWorkflowTaskCompleted", workflows); err != nil {
			return outcome{}, fmt.Errorf("waiting for the counters' first workflow tasks: %w", err)
		}
		out, err := closedLoop(ctx, senders, e.duration, func(ctx context.Context, seq int) error {
			return e.client.SignalWorkflow(ctx, ids[seq%workflows], "", "ping", seq)
		})
		if err != nil {
			return outcome{}, err
		}
		counted := 0
		for _, id := range ids {
			if err := e.client.SignalWorkflow(ctx, id, "", "stop", nil); err != nil {
				return outcome{}, fmt.Errorf("stopping %s: %w", id, err)
			}
			var n int
			if err := e.client.GetWorkflow(ctx, id, "").Get(ctx, &n); err != nil {
				return outcome{}, fmt.Errorf("waiting for %s: %w", id, err)
			}
			counted += n
		}
		if counted != out.ops {
			return outcome{}, fmt.Errorf("workflows counted %d signals, %d were acknowledged", counted, out.ops)
		}
		return out, nil
	}
}

// openWorkflows starts n TimerLag(1h) workflows, inFlight starts at a time, and
// waits until every one has answered its first workflow task (which arms the
// timer) or the cap passes. The note reports the server's RSS with them open.
func openWorkflows(n, inFlight int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		const armed = "RespondWorkflowTaskCompleted"
		capped, cancel := context.WithTimeout(ctx, e.openCap)
		defer cancel()
		start := time.Now()
		err := forEach(capped, n, inFlight, func(ctx context.Context, seq int) error {
			_, err := e.client.ExecuteWorkflow(ctx, e.workflowOptions(fmt.Sprintf("open-%d", seq)), "TimerLag", time.Hour)
			return err
		})
		if err == nil {
			err = e.rpcs.waitForCount(capped, armed, n)
		}
		elapsed := time.Since(start)
		done := e.rpcs.count(armed)
		if err != nil && capped.Err() == nil {
			return outcome{}, err
		}
		note := fmt.Sprintf("%d workflows open", done)
		if done < n {
			note = fmt.Sprintf("only %d of %d workflows open within the %v cap", done, n, e.openCap)
		}
		if e.memory != nil {
			time.Sleep(2 * time.Second) // let the server settle before reading its RSS
			mem, err := e.memory()
			if err != nil {
				return outcome{}, err
			}
			note += fmt.Sprintf(", server RSS %s with them open", megabytes(mem.RSS))
		}
		return outcome{ops: done, elapsed: elapsed, samples: e.rpcs.latenciesOf("StartWorkflowExecution"), note: note}, nil
	}
}

// megabytes formats a byte count in MB (10^6 bytes).
func megabytes(b uint64) string {
	return fmt.Sprintf("%.0f MB", float64(b)/1e6)
}
