package main

import (
	"context"
	"fmt"
	"time"

	"go.temporal.io/sdk/client"
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
// observed. The scenario is bounded by the open cap, counted from the first start:
// a timer whose workflow has not reported by then counts with the lag it has at
// least accumulated, measured on the driver's clock from when its start was
// acknowledged, so a slow server's p99 is a lower bound rather than an omission.
// Workflows that could not be started at all are left out (and said so).
func timerLag(n int, d time.Duration) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		capped, cancel := context.WithTimeout(ctx, e.openCap)
		defer cancel()
		start := time.Now()
		started := make([]time.Time, n)
		// A start that fails (a server too slow to answer within the SDK's deadline)
		// ends the starting; the rest count as never started.
		startErr := forEach(capped, n, 50, func(ctx context.Context, seq int) error {
			if _, err := e.client.ExecuteWorkflow(ctx, e.workflowOptions(fmt.Sprintf("timer-%d", seq)), "TimerLag", d); err != nil {
				return err
			}
			started[seq] = time.Now()
			return nil
		})
		startedIn := time.Since(start)
		lags := make([]time.Duration, n)
		finished := make([]bool, n)
		_ = forEach(capped, n, 50, func(ctx context.Context, seq int) error {
			if started[seq].IsZero() {
				return nil
			}
			if err := e.client.GetWorkflow(ctx, fmt.Sprintf("timer-%d", seq), "").Get(ctx, &lags[seq]); err != nil {
				if capped.Err() != nil {
					return nil // counted below as unfinished
				}
				return err
			}
			finished[seq] = true
			return nil
		})
		if err := ctx.Err(); err != nil {
			return outcome{}, err
		}
		end := time.Now()
		ids := make([]string, n)
		for seq := range ids {
			ids[seq] = fmt.Sprintf("timer-%d", seq)
		}
		done := 0
		var samples []time.Duration
		for seq := range n {
			switch {
			case finished[seq]:
				done++
				samples = append(samples, lags[seq])
			case !started[seq].IsZero():
				samples = append(samples, end.Sub(started[seq].Add(d)))
			}
		}
		note := fmt.Sprintf("the %d starts took %v", n, startedIn.Round(time.Millisecond))
		if done < n {
			note = fmt.Sprintf("only %d of %d timer workflows reported within the %v cap (starting took %v); the others count with the lag they had reached, so p50/p99 are lower bounds",
				done, n, e.openCap, startedIn.Round(time.Millisecond))
			if startErr != nil && capped.Err() == nil {
				note += fmt.Sprintf("; starting stopped: %v", startErr)
			}
		}
		if done == 0 {
			return outcome{}, fmt.Errorf("no timer workflow reported within the cap: %v", startErr)
		}
		if len(samples) < n {
			note += fmt.Sprintf("; %d workflows could not be started and are left out", n-len(samples))
		}
		return outcome{ops: done, elapsed: end.Sub(start), samples: samples, note: note,
			afterMeasure: func(ctx context.Context) (string, timerParts) {
				return timerHistories(ctx, e, ids, finished, d)
			},
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
		// A start that fails (a server too slow to answer within the SDK's deadline)
		// ends the starting; the workflows already started still count.
		startErr := forEach(capped, n, inFlight, func(ctx context.Context, seq int) error {
			_, err := e.client.ExecuteWorkflow(ctx, e.workflowOptions(fmt.Sprintf("open-%d", seq)), "TimerLag", time.Hour)
			return err
		})
		started := e.rpcs.count("StartWorkflowExecution")
		if capped.Err() == nil {
			// Wait (within the cap) until every started workflow has armed its timer.
			_ = e.rpcs.waitForCount(capped, armed, started)
		}
		if err := ctx.Err(); err != nil {
			return outcome{}, err
		}
		elapsed := time.Since(start)
		done := e.rpcs.count(armed)
		if done == 0 {
			return outcome{}, fmt.Errorf("no workflow armed its timer: %v", startErr)
		}
		note := fmt.Sprintf("%d workflows open", done)
		if done < n {
			note = fmt.Sprintf("only %d of %d workflows open within the %v cap", done, n, e.openCap)
			if startErr != nil && capped.Err() == nil {
				note += fmt.Sprintf(" (starting stopped: %v)", startErr)
			}
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

// backlog starts n workflows, inFlight at a time, on a task queue no worker
// polls, so that each waits with its first workflow task queued, within the
// open-workflows cap. The note reports the server's RSS with them all waiting
// and the backlog the server reports for the queue.
func backlog(n, inFlight int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		capped, cancel := context.WithTimeout(ctx, e.openCap)
		defer cancel()
		queue := e.taskQueue + "-unpolled"
		start := time.Now()
		startErr := forEach(capped, n, inFlight, func(ctx context.Context, seq int) error {
			opts := e.workflowOptions(fmt.Sprintf("waiting-%d", seq))
			opts.TaskQueue = queue
			_, err := e.client.ExecuteWorkflow(ctx, opts, "OneActivity", "never runs")
			return err
		})
		elapsed := time.Since(start)
		if err := ctx.Err(); err != nil {
			return outcome{}, err
		}
		started := e.rpcs.count("StartWorkflowExecution")
		if started == 0 {
			return outcome{}, fmt.Errorf("no workflow started: %v", startErr)
		}
		note := fmt.Sprintf("%d workflows waiting", started)
		if started < n {
			note = fmt.Sprintf("only %d of %d workflows started within the %v cap", started, n, e.openCap)
			if startErr != nil && capped.Err() == nil {
				note += fmt.Sprintf(" (starting stopped: %v)", startErr)
			}
		}
		if desc, err := e.client.DescribeTaskQueueEnhanced(ctx, client.DescribeTaskQueueEnhancedOptions{
			TaskQueue: queue, TaskQueueTypes: []client.TaskQueueType{client.TaskQueueTypeWorkflow}, ReportStats: true,
		}); err == nil {
			if info, ok := desc.VersionsInfo[""]; ok {
				if stats := info.TypesInfo[client.TaskQueueTypeWorkflow].Stats; stats != nil {
					note += fmt.Sprintf(", backlog reported %d", stats.ApproximateBacklogCount)
				}
			}
		}
		if e.memory != nil {
			time.Sleep(2 * time.Second) // let the server settle before reading its RSS
			mem, err := e.memory()
			if err != nil {
				return outcome{}, err
			}
			note += fmt.Sprintf(", server RSS %s with them waiting (peak %s)", megabytes(mem.RSS), megabytes(mem.Peak))
		}
		return outcome{ops: started, elapsed: elapsed, samples: e.rpcs.latenciesOf("StartWorkflowExecution"), note: note}, nil
	}
}
