package main

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/sdk/client"
)

// scheduleFiringWindow is how long the schedules scenario measures the
// schedules firing, after creating them all.
const scheduleFiringWindow = 90 * time.Second

// everyMinuteSchedules creates n schedules that each start a workflow every
// minute (their phases spread over the minute, on a task queue nobody
// polls, overlap allow-all so each firing starts one), then measures the
// server's CPU while they fire for scheduleFiringWindow: one operation is
// one action a schedule took.
func everyMinuteSchedules(n, inFlight int) func(context.Context, *env) (outcome, error) {
	return func(ctx context.Context, e *env) (outcome, error) {
		queue := e.taskQueue + "-unpolled"
		created := time.Now()
		err := forEach(ctx, n, inFlight, func(ctx context.Context, seq int) error {
			_, err := e.client.ScheduleClient().Create(ctx, client.ScheduleOptions{
				ID: fmt.Sprintf("minutely-%05d", seq),
				Spec: client.ScheduleSpec{Intervals: []client.ScheduleIntervalSpec{{
					Every: time.Minute, Offset: time.Duration(seq%600) * 100 * time.Millisecond,
				}}},
				Action: &client.ScheduleWorkflowAction{
					ID: fmt.Sprintf("minutely-%05d-wf", seq), Workflow: "OneActivity", Args: []any{"never runs"}, TaskQueue: queue,
				},
				Overlap: enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL,
			})
			return err
		})
		if err != nil {
			return outcome{}, fmt.Errorf("creating the schedules: %w", err)
		}
		creation := time.Since(created)
		count := func() (int64, error) {
			resp, err := e.client.WorkflowService().CountWorkflowExecutions(ctx, &workflowservice.CountWorkflowExecutionsRequest{
				Namespace: "default", Query: "TemporalScheduledById IS NOT NULL",
			})
			return resp.GetCount(), err
		}
		// The measured part starts now: the schedules exist and fire.
		if e.resetCPU != nil {
			if err := e.resetCPU(); err != nil {
				return outcome{}, err
			}
		}
		before, err := count()
		if err != nil {
			return outcome{}, fmt.Errorf("counting scheduled workflows: %w", err)
		}
		start := time.Now()
		select {
		case <-time.After(scheduleFiringWindow):
		case <-ctx.Done():
			return outcome{}, ctx.Err()
		}
		after, err := count()
		if err != nil {
			return outcome{}, fmt.Errorf("counting scheduled workflows: %w", err)
		}
		fired := int(after - before)
		want := float64(n) * scheduleFiringWindow.Minutes()
		note := fmt.Sprintf("%d schedules created in %v (not measured); %d actions fired in %v, %.0f%% of the %.0f due",
			n, creation.Round(time.Second), fired, scheduleFiringWindow, 100*float64(fired)/want, want)
		return outcome{ops: fired, elapsed: time.Since(start), note: note}, nil
	}
}

// cpuRestarter returns what restarts p's CPU reading (not its profile), or
// nil for a probe that reads no CPU.
func cpuRestarter(p probe) func() error {
	switch p := p.(type) {
	case *inProcessProbe:
		return p.processProbe.begin
	case *processProbe:
		return p.begin
	}
	return nil
}
