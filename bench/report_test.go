package main

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func fakeMeasurement(name string, server serverKind, ops int, elapsed, cpu time.Duration, peak uint64, latency time.Duration) measurement {
	samples := make([]time.Duration, ops)
	for i := range samples {
		samples[i] = latency
	}
	return measurement{
		scenario:  scenario{name: name, unit: "wf/s"},
		server:    server,
		out:       outcome{ops: ops, elapsed: elapsed, samples: samples},
		serverCPU: cpu,
		peakRSS:   peak,
		idleRSS:   peak / 2,
		rpcs:      4 * ops,
	}
}

func TestTableRowsComputeRatiosOnSundialRows(t *testing.T) {
	ms := []measurement{
		fakeMeasurement("activity-30", temporalServer, 20, time.Second, 600*time.Millisecond, 200e6, time.Second),
		fakeMeasurement("activity-30", sundialServer, 1000, time.Second, 500*time.Millisecond, 40e6, 10*time.Millisecond),
	}
	rows := tableRows(ms)
	if len(rows) != 4 {
		t.Fatalf("got %d rows, want 2 measurements + 2 idle rows", len(rows))
	}
	s := rows[0]
	if s.server != "sundial" || s.throughput != "1000.0 wf/s" || s.cpu != "0.500" || s.calls != "4.0" {
		t.Errorf("sundial row = %+v", s)
	}
	// throughput 1000/20 = 50x, p50 10ms/1s, CPU 0.5/30 ms per op, RSS 40/200.
	if want := "thr 50× · p50 0.010× · CPU 0.017× · RSS 0.20×"; s.ratios != want {
		t.Errorf("ratios = %q, want %q", s.ratios, want)
	}
	if rows[1].ratios != "" {
		t.Errorf("temporal row has ratios %q", rows[1].ratios)
	}
	if rows[2].scenario != "idle" || rows[2].peakRSS != "20 MB" || rows[2].ratios != "RSS 0.20×" {
		t.Errorf("idle row = %+v", rows[2])
	}
}

func TestFailedMeasurementIsShownAndExplained(t *testing.T) {
	m := measurement{scenario: scenario{name: "starts"}, server: temporalServer, err: errors.New("server exited")}
	rows := tableRows([]measurement{m})
	if rows[0].throughput != "failed (see below)" {
		t.Errorf("row = %+v", rows[0])
	}
	if n := notes([]measurement{m}); !strings.Contains(n, "starts on temporal failed: server exited") {
		t.Errorf("notes = %q", n)
	}
}

func TestGoalsAreJudgedFromTheMeasurements(t *testing.T) {
	ms := []measurement{
		fakeMeasurement("activity-30", temporalServer, 20, time.Second, 600*time.Millisecond, 200e6, time.Second),
		fakeMeasurement("activity-30", sundialServer, 1000, time.Second, 300*time.Millisecond, 40e6, 10*time.Millisecond),
		fakeMeasurement("activity-1", sundialServer, 100, time.Second, 0, 40e6, 7*time.Millisecond),
	}
	table := goalsTable(ms)
	for _, want := range []string{
		"| one-activity workflow at 30 in flight: ≥ 20× Temporal's throughput | 50.0× (1000 vs 20.0 wf/s) | met |",
		"| one at a time: p50 ≤ 5 ms from start to result | 7.00 ms | not met |",
		"| 0.300 ms vs 30.000 ms (100× below) | met |",
		"| timer lag p99 ≤ 50 ms with 1,000 timers due together | — | not measured in this run |",
		"| idle server RSS ≤ 50 MB | 20 MB | met |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("goals table lacks %q:\n%s", want, table)
		}
	}
}

func TestServersAlternateWhoGoesFirst(t *testing.T) {
	if got := serversFor(0, ""); got[0] != sundialServer || len(got) != 2 {
		t.Errorf("scenario 0: %v", got)
	}
	if got := serversFor(1, ""); got[0] != temporalServer || len(got) != 2 {
		t.Errorf("scenario 1: %v", got)
	}
	if got := serversFor(1, "sundial"); len(got) != 1 || got[0] != sundialServer {
		t.Errorf("-only sundial: %v", got)
	}
}

func TestParseOptionsRejectsBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-only", "both"},
		{"-temporal-journal", "memory"},
		{"-duration", "0s"},
		{"stray"},
	} {
		if _, err := parseOptions(args, &strings.Builder{}); err == nil {
			t.Errorf("parseOptions(%q) accepted it", args)
		}
	}
	o, err := parseOptions([]string{"-scenarios", "activity-1,starts", "-only", "sundial"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	chosen, err := selectScenarios(o.scenarios)
	if err != nil || len(chosen) != 2 || chosen[1].name != "starts" {
		t.Errorf("selected %v, %v", chosen, err)
	}
	if _, err := selectScenarios([]string{"nope"}); err == nil {
		t.Error("an unknown scenario was accepted")
	}
}
