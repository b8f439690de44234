package main

import (
	"fmt"
	"strings"
	"time"
)

// goal is one of issue 5's (and issue 14's) targets, judged from a run's measurements.
type goal struct {
	target string
	// judge returns what was measured and the target's status ("met", "not met"
	// or a qualified "met (...)"); ok is false when the run lacks the
	// measurements to judge it.
	judge func(ms []measurement) (measured, status string, ok bool)
}

// timerLagTarget is the timer goal's bound on the p99 lag.
const timerLagTarget = 50 * time.Millisecond

// goals are issue 5's targets; cpus is the machine's CPU count, which bounds the
// throughput the load process can drive.
func goals(cpus int) []goal {
	return []goal{
		{
			target: "one-activity workflow at 30 in flight: ≥ 20× Temporal's throughput",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok1 := find(ms, "activity-30", sundialServer)
				t, ok2 := find(ms, "activity-30", temporalServer)
				if !ok1 || !ok2 || t.throughput() == 0 {
					return "", "", false
				}
				r := s.throughput() / t.throughput()
				measured := fmt.Sprintf("%.1f× (%.0f vs %.1f wf/s)", r, s.throughput(), t.throughput())
				if ceiling := loadCeiling(cpus, s.loadCPUPerOp()); ceiling > 0 {
					measured += fmt.Sprintf("; load-bound ceiling ≈ %.0f wf/s (%.1f× Temporal): %d CPUs ÷ %.3f ms of load CPU per workflow",
						ceiling, ceiling/t.throughput(), cpus, s.loadCPUPerOp())
				}
				if ss, ok := find(ms, "sdk-activity-30", sundialServer); ok {
					if st, ok := find(ms, "sdk-activity-30", temporalServer); ok && st.throughput() > 0 {
						measured += fmt.Sprintf("; with Sundial's SDK as the load on both servers (sdk-activity-30): %.1f× (%.0f vs %.1f wf/s)",
							ss.throughput()/st.throughput(), ss.throughput(), st.throughput())
					}
				}
				return measured, metIf(r >= 20), true
			},
		},
		{
			target: "one at a time: p50 ≤ 5 ms from start to result",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok := find(ms, "activity-1", sundialServer)
				if !ok {
					return "", "", false
				}
				measured := formatLatency(s.p50())
				if s.loadCPUPerOp() > 0 {
					measured += fmt.Sprintf(" (the official SDK's own CPU: %.2f ms per workflow, most of it on the one workflow's path)", s.loadCPUPerOp())
				}
				if sdk, ok := find(ms, "sdk-activity-1", sundialServer); ok {
					measured += "; with Sundial's SDK as the load (sdk-activity-1): " + formatLatency(sdk.p50())
				}
				return measured, metIf(s.p50() <= 5*time.Millisecond), true
			},
		},
		{
			target: "server CPU per one-activity workflow ≤ 0.5 ms and ≥ 50× below Temporal's (at 30 in flight)",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok1 := find(ms, "activity-30", sundialServer)
				t, ok2 := find(ms, "activity-30", temporalServer)
				if !ok1 || !ok2 || s.cpuPerOp() == 0 {
					return "", "", false
				}
				r := t.cpuPerOp() / s.cpuPerOp()
				return fmt.Sprintf("%.3f ms vs %.3f ms (%.0f× below)", s.cpuPerOp(), t.cpuPerOp(), r),
					metIf(s.cpuPerOp() <= 0.5 && r >= 50), true
			},
		},
		{
			target: "timer lag p99 ≤ 50 ms with 1,000 timers due together",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok := find(ms, "timers-1000", sundialServer)
				if !ok {
					return "", "", false
				}
				measured, status := judgeTimerLag(s.p99(), s.out.timerParts)
				return measured, status, true
			},
		},
		{
			target: "idle server RSS ≤ 50 MB",
			judge: func(ms []measurement) (string, string, bool) {
				idle := idleRSS(ms, sundialServer)
				if idle == 0 {
					return "", "", false
				}
				return megabytes(idle), metIf(idle <= 50e6), true
			},
		},
		{
			target: "10,000 open workflows waiting on timers ≤ 300 MB",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok := find(ms, "open-10000", sundialServer)
				if !ok || s.out.ops < 10000 {
					return "", "", false
				}
				return "peak " + megabytes(s.peakRSS), metIf(s.peakRSS <= 300e6), true
			},
		},
		{
			target: "on PostgreSQL (issue 14): one-activity workflow at 30 in flight: ≥ 10× Temporal-on-PostgreSQL's throughput",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok1 := find(ms, "activity-30", sundialPGServer)
				t, ok2 := find(ms, "activity-30", temporalPGServer)
				if !ok1 || !ok2 || t.throughput() == 0 {
					return "", "", false
				}
				r := s.throughput() / t.throughput()
				measured := fmt.Sprintf("%.1f× (%.0f vs %.1f wf/s)", r, s.throughput(), t.throughput())
				if s10, ok := find(ms, "activity-10", sundialPGServer); ok {
					if t10, ok := find(ms, "activity-10", temporalPGServer); ok && t10.throughput() > 0 {
						measured += fmt.Sprintf("; at 10 in flight %.1f× (%.0f vs %.1f wf/s)",
							s10.throughput()/t10.throughput(), s10.throughput(), t10.throughput())
					}
				}
				return measured, metIf(r >= 10), true
			},
		},
		{
			target: "on PostgreSQL (issue 14): one at a time: p50 ≤ 10 ms from start to result",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok := find(ms, "activity-1", sundialPGServer)
				if !ok {
					return "", "", false
				}
				measured := formatLatency(s.p50())
				if t, ok := find(ms, "activity-1", temporalPGServer); ok {
					measured += " (Temporal on PostgreSQL: " + formatLatency(t.p50()) + ")"
				}
				return measured, metIf(s.p50() <= 10*time.Millisecond), true
			},
		},
		{
			target: "100,000 workflows waiting for a worker that never comes ≤ 300 MB",
			judge: func(ms []measurement) (string, string, bool) {
				s, ok := find(ms, "backlog-100000", sundialServer)
				if !ok || s.out.ops < 100000 {
					return "", "", false
				}
				return "peak " + megabytes(s.peakRSS), metIf(s.peakRSS <= 300e6), true
			},
		},
	}
}

// metIf is a goal's status when met tells it all.
func metIf(met bool) string {
	if met {
		return "met"
	}
	return "not met"
}

// loadCeiling is the throughput (operations per second) the load process alone
// allows on cpus CPUs when each operation costs it loadMsPerOp of CPU: even a
// server costing no CPU could not be driven faster. It is 0 when unknown.
func loadCeiling(cpus int, loadMsPerOp float64) float64 {
	if cpus <= 0 || loadMsPerOp <= 0 {
		return 0
	}
	return float64(cpus) * 1000 / loadMsPerOp
}

// judgeTimerLag judges the timer goal from the observed p99 lag and the parts
// read from the histories: "met" when the server fire lag and the observed lag
// are both within the target, "met (server fire lag)" when only the server's part
// is, "not met" otherwise. Without histories the observed lag decides alone.
func judgeTimerLag(observed time.Duration, parts timerParts) (measured, status string) {
	if len(parts.fireLag) == 0 {
		return "observed p99 " + formatLatency(observed) + " (no history read for the server fire lag)",
			metIf(observed <= timerLagTarget)
	}
	p99 := func(samples []time.Duration) string { return formatLatency(percentile(samples, 99)) }
	fire := percentile(parts.fireLag, 99)
	measured = fmt.Sprintf("server fire lag p99 %s; observed p99 %s ≈ first workflow task (p99 %s) + server fire lag + dispatch wait (p99 %s)",
		formatLatency(fire), formatLatency(observed), p99(parts.firstTask), p99(parts.dispatch))
	switch {
	case fire <= timerLagTarget && observed <= timerLagTarget:
		return measured, "met"
	case fire <= timerLagTarget:
		return measured, "met (server fire lag)"
	default:
		return measured, "not met"
	}
}

// goalsTable renders where each goal stands on a machine with cpus CPUs.
func goalsTable(ms []measurement, cpus int) string {
	var b strings.Builder
	b.WriteString("| goal | measured | status |\n|---|---|---|\n")
	for _, g := range goals(cpus) {
		measured, status, ok := g.judge(ms)
		if !ok {
			measured, status = "—", "not measured in this run"
		}
		fmt.Fprintf(&b, "| %s | %s | %s |\n", g.target, measured, status)
	}
	return b.String()
}
