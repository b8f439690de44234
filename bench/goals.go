package main

import (
	"fmt"
	"strings"
	"time"
)

// goal is one of issue 5's targets, judged from a run's measurements.
type goal struct {
	target string
	// judge returns what was measured and whether the target is met; ok is false
	// when the run lacks the measurements to judge it.
	judge func(ms []measurement) (measured string, met, ok bool)
}

func goals() []goal {
	return []goal{
		{
			target: "one-activity workflow at 30 in flight: ≥ 20× Temporal's throughput",
			judge: func(ms []measurement) (string, bool, bool) {
				s, ok1 := find(ms, "activity-30", sundialServer)
				t, ok2 := find(ms, "activity-30", temporalServer)
				if !ok1 || !ok2 || t.throughput() == 0 {
					return "", false, false
				}
				r := s.throughput() / t.throughput()
				return fmt.Sprintf("%.1f× (%.0f vs %.1f wf/s)", r, s.throughput(), t.throughput()), r >= 20, true
			},
		},
		{
			target: "one at a time: p50 ≤ 5 ms from start to result",
			judge: func(ms []measurement) (string, bool, bool) {
				s, ok := find(ms, "activity-1", sundialServer)
				if !ok {
					return "", false, false
				}
				return formatLatency(s.p50()), s.p50() <= 5*time.Millisecond, true
			},
		},
		{
			target: "server CPU per one-activity workflow ≤ 0.5 ms and ≥ 50× below Temporal's (at 30 in flight)",
			judge: func(ms []measurement) (string, bool, bool) {
				s, ok1 := find(ms, "activity-30", sundialServer)
				t, ok2 := find(ms, "activity-30", temporalServer)
				if !ok1 || !ok2 || s.cpuPerOp() == 0 {
					return "", false, false
				}
				r := t.cpuPerOp() / s.cpuPerOp()
				return fmt.Sprintf("%.3f ms vs %.3f ms (%.0f× below)", s.cpuPerOp(), t.cpuPerOp(), r),
					s.cpuPerOp() <= 0.5 && r >= 50, true
			},
		},
		{
			target: "timer lag p99 ≤ 50 ms with 1,000 timers due together",
			judge: func(ms []measurement) (string, bool, bool) {
				s, ok := find(ms, "timers-1000", sundialServer)
				if !ok {
					return "", false, false
				}
				measured := "p99 " + formatLatency(s.p99()) + " as the workflow observes it"
				if len(s.out.secondary) > 0 {
					measured += fmt.Sprintf(" (server fire lag alone: p99 %s)", formatLatency(percentile(s.out.secondary, 99)))
				}
				return measured, s.p99() <= 50*time.Millisecond, true
			},
		},
		{
			target: "idle server RSS ≤ 50 MB",
			judge: func(ms []measurement) (string, bool, bool) {
				idle := idleRSS(ms, sundialServer)
				if idle == 0 {
					return "", false, false
				}
				return megabytes(idle), idle <= 50e6, true
			},
		},
		{
			target: "10,000 open workflows waiting on timers ≤ 300 MB",
			judge: func(ms []measurement) (string, bool, bool) {
				s, ok := find(ms, "open-10000", sundialServer)
				if !ok || s.out.ops < 10000 {
					return "", false, false
				}
				return "peak " + megabytes(s.peakRSS), s.peakRSS <= 300e6, true
			},
		},
	}
}

// goalsTable renders where each goal stands.
func goalsTable(ms []measurement) string {
	var b strings.Builder
	b.WriteString("| goal | measured | status |\n|---|---|---|\n")
	for _, g := range goals() {
		measured, met, ok := g.judge(ms)
		status := "not met"
		switch {
		case !ok:
			measured, status = "—", "not measured in this run"
		case met:
			status = "met"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.target, measured, status)
	}
	return b.String()
}
