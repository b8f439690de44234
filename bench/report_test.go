package main

import (
	"errors"
	"fmt"
	"slices"
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
		loadCPU:   3 * cpu,
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
	if s.server != "sundial" || s.throughput != "1000.0 wf/s" || s.cpu != "0.500" || s.loadCPU != "1.500" || s.calls != "4.0" {
		t.Errorf("sundial row = %+v", s)
	}
	if rows[1].loadCPU != "90.000" || rows[2].loadCPU != "—" {
		t.Errorf("load CPU of temporal row %q, of idle row %q", rows[1].loadCPU, rows[2].loadCPU)
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

func TestTableHasLoadCPUColumnAfterServerCPU(t *testing.T) {
	m := fakeMeasurement("activity-30", sundialServer, 1000, time.Second, 500*time.Millisecond, 40e6, 10*time.Millisecond)
	m.loadCPU = 2 * time.Second
	table := markdownTable(tableRows([]measurement{m}))
	lines := strings.Split(table, "\n")
	cells := func(line string) []string {
		var out []string
		for _, c := range strings.Split(strings.Trim(line, "|"), "|") {
			out = append(out, strings.TrimSpace(c))
		}
		return out
	}
	header, first := cells(lines[0]), cells(lines[2])
	i := slices.Index(header, "server CPU ms/op")
	if i < 0 || i+1 >= len(header) || header[i+1] != "load CPU ms/op" {
		t.Fatalf("header = %q, want load CPU ms/op right after server CPU ms/op", header)
	}
	if len(first) != len(header) || first[i] != "0.500" || first[i+1] != "2.000" {
		t.Errorf("row = %q, want server 0.500 and load 2.000 ms/op", first)
	}
}

func TestInProcessRunShowsNoLoadCPU(t *testing.T) {
	m := fakeMeasurement("activity-30", sundialServer, 1000, time.Second, 500*time.Millisecond, 40e6, 10*time.Millisecond)
	m.inProcess = true
	if got := m.loadCPUPerOp(); got != 0 {
		t.Errorf("in-process load CPU per op = %v, want 0 (not measured)", got)
	}
	if r := tableRows([]measurement{m})[0]; r.loadCPU != "—" || r.cpu != "0.500" {
		t.Errorf("in-process row = %+v, want server CPU and a dash for load CPU", r)
	}
}

func TestLoadCeiling(t *testing.T) {
	for _, c := range []struct {
		cpus       int
		loadMsOp   float64
		wantPerSec float64
	}{
		{2, 2.5, 800}, // 2 CPUs × 1000 ms/s ÷ 2.5 ms
		{8, 1, 8000},
		{4, 0, 0}, // not measured
		{0, 1, 0}, // CPU count unknown
	} {
		if got := loadCeiling(c.cpus, c.loadMsOp); got != c.wantPerSec {
			t.Errorf("loadCeiling(%d, %v) = %v, want %v", c.cpus, c.loadMsOp, got, c.wantPerSec)
		}
	}
}

func TestThroughputGoalStatesTheLoadBoundCeiling(t *testing.T) {
	s := fakeMeasurement("activity-30", sundialServer, 500, time.Second, 300*time.Millisecond, 40e6, 10*time.Millisecond)
	s.loadCPU = 1250 * time.Millisecond // 2.5 ms per workflow
	ms := []measurement{
		fakeMeasurement("activity-30", temporalServer, 40, time.Second, 600*time.Millisecond, 200e6, time.Second),
		s,
	}
	table := goalsTable(ms, 2)
	// 2 CPUs × 1000 ÷ 2.5 ms = 800 wf/s, 20× Temporal's 40 wf/s.
	want := "| 12.5× (500 vs 40.0 wf/s); load-bound ceiling ≈ 800 wf/s (20.0× Temporal): 2 CPUs ÷ 2.500 ms of load CPU per workflow | not met |"
	if !strings.Contains(table, want) {
		t.Errorf("goals table lacks %q:\n%s", want, table)
	}
	// With the Sundial-SDK scenario measured on both servers, the row adds it.
	withSDK := append(ms,
		fakeMeasurement("sdk-activity-30", sundialServer, 900, time.Second, 30*time.Millisecond, 40e6, 10*time.Millisecond),
		fakeMeasurement("sdk-activity-30", temporalServer, 45, time.Second, 600*time.Millisecond, 200e6, time.Second))
	wantSDK := "; with Sundial's SDK as the load on both servers (sdk-activity-30): 20.0× (900 vs 45.0 wf/s) | not met |"
	if table := goalsTable(withSDK, 2); !strings.Contains(table, wantSDK) {
		t.Errorf("goals table lacks %q:\n%s", wantSDK, table)
	}
	s.inProcess = true
	if table := goalsTable([]measurement{ms[0], s}, 2); strings.Contains(table, "ceiling") {
		t.Errorf("a ceiling was given without a load CPU measurement:\n%s", table)
	}
}

func TestTimerGoalSeparatesServerFireLagFromObservedLag(t *testing.T) {
	ms := func(observed, fire time.Duration) []measurement {
		m := fakeMeasurement("timers-1000", sundialServer, 100, time.Second, 0, 40e6, observed)
		for range 100 {
			m.out.timerParts.add(timerBreakdown{firstTask: 7 * time.Millisecond, fireLag: fire, dispatch: 90 * time.Millisecond})
		}
		return []measurement{m}
	}
	for _, c := range []struct {
		observed, fire time.Duration
		status         string
	}{
		{30 * time.Millisecond, 3 * time.Millisecond, "met"},
		{120 * time.Millisecond, 3 * time.Millisecond, "met (server fire lag)"},
		{120 * time.Millisecond, 60 * time.Millisecond, "not met"},
	} {
		table := goalsTable(ms(c.observed, c.fire), 2)
		want := fmt.Sprintf("| server fire lag p99 %s; observed p99 %s ≈ first workflow task (p99 7.00 ms) + server fire lag + dispatch wait (p99 90 ms) | %s |",
			formatLatency(c.fire), formatLatency(c.observed), c.status)
		if !strings.Contains(table, want) {
			t.Errorf("observed %v, fire lag %v: goals table lacks %q:\n%s", c.observed, c.fire, want, table)
		}
	}
	noHistory := fakeMeasurement("timers-1000", sundialServer, 100, time.Second, 0, 40e6, 30*time.Millisecond)
	if table := goalsTable([]measurement{noHistory}, 2); !strings.Contains(table, "observed p99 30 ms (no history read for the server fire lag) | met |") {
		t.Errorf("without histories:\n%s", table)
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
	table := goalsTable(ms, 0)
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

func TestServersTakeTurnsGoingFirst(t *testing.T) {
	all, err := parseKinds("")
	if err != nil || len(all) != 4 {
		t.Fatalf("default servers %v, %v", all, err)
	}
	for i, want := range []serverKind{sundialServer, temporalServer, sundialPGServer, temporalPGServer, sundialServer} {
		got := serversFor(i, all)
		if got[0] != want || len(got) != 4 {
			t.Errorf("scenario %d: %v, want %s first", i, got, want)
		}
	}
	only, err := parseKinds("sundial-pg, temporal-pg")
	if err != nil {
		t.Fatal(err)
	}
	if got := serversFor(1, only); len(got) != 2 || got[0] != temporalPGServer || got[1] != sundialPGServer {
		t.Errorf("-only sundial-pg,temporal-pg, scenario 1: %v", got)
	}
	if got := withoutPostgres(all); len(got) != 2 || got[0] != sundialServer || got[1] != temporalServer {
		t.Errorf("without PostgreSQL: %v", got)
	}
}

func TestRatiosCompareWithTemporalOnTheSameStore(t *testing.T) {
	ms := []measurement{
		fakeMeasurement("activity-1", sundialServer, 100, time.Second, time.Second, 40e6, 5*time.Millisecond),
		fakeMeasurement("activity-1", temporalServer, 10, time.Second, time.Second, 200e6, 50*time.Millisecond),
		fakeMeasurement("activity-1", sundialPGServer, 80, time.Second, time.Second, 40e6, 8*time.Millisecond),
		fakeMeasurement("activity-1", temporalPGServer, 20, time.Second, time.Second, 200e6, 40*time.Millisecond),
	}
	rows := tableRows(ms)
	if rows[0].server != "sundial" || !strings.HasPrefix(rows[0].ratios, "thr 10×") {
		t.Errorf("sundial row: %+v", rows[0])
	}
	if rows[2].server != "sundial-pg" || !strings.HasPrefix(rows[2].ratios, "thr 4.00× · p50 0.20×") {
		t.Errorf("sundial-pg row: %+v", rows[2])
	}
	table := goalsTable(ms, 2)
	for _, want := range []string{
		"| on PostgreSQL (issue 14): one at a time: p50 ≤ 10 ms from start to result | 8.00 ms (Temporal on PostgreSQL: 40 ms) | met |",
	} {
		if !strings.Contains(table, want) {
			t.Errorf("goals table lacks %q:\n%s", want, table)
		}
	}
}

func TestParseOptionsRejectsBadInput(t *testing.T) {
	for _, args := range [][]string{
		{"-only", "both"},
		{"-only", "sundial,postgres"},
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

func TestMarkdownExplainsLoadCPUAndUsesTheMachinesCPUs(t *testing.T) {
	s := fakeMeasurement("activity-30", sundialServer, 500, time.Second, 300*time.Millisecond, 40e6, 10*time.Millisecond)
	s.loadCPU = 1250 * time.Millisecond
	ms := []measurement{s, fakeMeasurement("activity-30", temporalServer, 40, time.Second, 600*time.Millisecond, 200e6, time.Second)}
	md := renderMarkdown(runInfo{machine: machine{CPUs: 4}}, ms)
	for _, want := range []string{
		"- **load CPU ms/op**: the same for the load driver's own process",
		"| server CPU ms/op | load CPU ms/op |",
		"load-bound ceiling ≈ 1600 wf/s (40.0× Temporal): 4 CPUs",
	} {
		if !strings.Contains(md, want) {
			t.Errorf("BENCHMARKS.md lacks %q", want)
		}
	}
}

func TestOneAtATimeGoalStatesTheLoadAndSundialSDK(t *testing.T) {
	official := fakeMeasurement("activity-1", sundialServer, 100, time.Second, 300*time.Millisecond, 40e6, 6*time.Millisecond)
	official.loadCPU = 250 * time.Millisecond // 2.5 ms per workflow
	sdk := fakeMeasurement("sdk-activity-1", sundialServer, 300, time.Second, 300*time.Millisecond, 40e6, 3*time.Millisecond)
	table := goalsTable([]measurement{official, sdk}, 2)
	want := "| 6.00 ms (the official SDK's own CPU: 2.50 ms per workflow, most of it on the one workflow's path); with Sundial's SDK as the load (sdk-activity-1): 3.00 ms | not met |"
	if !strings.Contains(table, want) {
		t.Errorf("goals table lacks %q:\n%s", want, table)
	}
}
