package main

import (
	"context"
	"io"
	"log/slog"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/server"
)

// startInProcessSundial serves Sundial on a free port with a database in a temp dir.
func startInProcessSundial(t *testing.T) string {
	t.Helper()
	srv, err := server.New(server.Options{
		ListenAddr:   "127.0.0.1:0",
		DatabasePath: filepath.Join(t.TempDir(), "sundial.db"),
		Logger:       slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Stop(ctx)
	})
	return srv.Addr()
}

// runSmall runs one scenario function against an in-process Sundial through the
// same path as the benchmark (runScenario), with a short duration.
func runSmall(t *testing.T, name string, run func(context.Context, *env) (outcome, error)) (outcome, int) {
	t.Helper()
	addr := startInProcessSundial(t)
	dir := t.TempDir()
	cfg := settings{duration: 500 * time.Millisecond, openCap: 30 * time.Second, workDir: dir}
	sc := scenario{name: name, unit: "ops/s", run: run}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	out, _, rpcs, err := runScenario(ctx, sc, addr, &nullProbe{}, cfg, dir)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return out, rpcs
}

// nullProbe measures nothing; the tests check the load, not the server's usage.
type nullProbe struct{}

func (nullProbe) begin() error                 { return nil }
func (nullProbe) end() (cpuUse, error)         { return cpuUse{}, nil }
func (nullProbe) memory() (memoryUsage, error) { return memoryUsage{RSS: 1}, nil }

func TestOneActivityScenarioMakesFourCallsPerWorkflow(t *testing.T) {
	out, rpcs := runSmall(t, "activity", oneActivity(2))
	if out.ops == 0 || len(out.samples) != out.ops {
		t.Fatalf("ops = %d, samples = %d", out.ops, len(out.samples))
	}
	// Start, workflow task completed (schedules the activity), activity completed,
	// workflow task completed (completes the workflow). The last call's reply may
	// reach the worker after the result reached the starter, so up to one call per
	// workflow in flight may not be counted yet; calls are counted as they
	// return, so the warm-up workflow's last call may be counted in the run.
	if rpcs > 4*out.ops+1 || rpcs < 4*out.ops-2 {
		t.Errorf("calls = %d for %d workflows, want 4 each", rpcs, out.ops)
	}
}

func TestHeartbeatScenarioDeliversEveryHeartbeat(t *testing.T) {
	out, _ := runSmall(t, "heartbeat", heartbeats(50))
	if out.ops < 50 || out.ops%50 != 0 {
		t.Errorf("heartbeats reaching the server = %d, want a multiple of 50", out.ops)
	}
	if len(out.samples) != out.ops {
		t.Errorf("%d latency samples for %d heartbeats", len(out.samples), out.ops)
	}
}

func TestTimerScenarioReportsEveryTimer(t *testing.T) {
	out, _ := runSmall(t, "timers", timerLag(20, 300*time.Millisecond))
	if out.ops != 20 || len(out.samples) != 20 {
		t.Fatalf("ops = %d, samples = %d, want 20 each (note: %s)", out.ops, len(out.samples), out.note)
	}
	for _, lag := range out.samples {
		if lag < 0 || lag > 20*time.Second {
			t.Errorf("lag %v is outside any plausible range", lag)
		}
	}
	for _, want := range []string{
		"from 20 histories, observed lag ≈ first workflow task + server fire lag + dispatch wait",
		"server fire lag (TimerFired − TimerStarted − 300ms) p50 ",
		"dispatch wait (TimerFired → next WorkflowTaskStarted) p50 ",
	} {
		if !strings.Contains(out.note, want) {
			t.Errorf("note = %q, want %q", out.note, want)
		}
	}
	parts := out.timerParts
	if len(parts.firstTask) != 20 || len(parts.fireLag) != 20 || len(parts.dispatch) != 20 {
		t.Fatalf("breakdown of %d/%d/%d histories, want 20 each", len(parts.firstTask), len(parts.fireLag), len(parts.dispatch))
	}
	// The parts come from the server's event times and the observed lags from
	// workflow.Now (also the server's event times), so per workflow they agree up
	// to the gap between the first WorkflowTaskCompleted and TimerStarted.
	var sum time.Duration
	for i := range parts.fireLag {
		sum += parts.firstTask[i] + parts.fireLag[i] + parts.dispatch[i]
	}
	var observed time.Duration
	for _, lag := range out.samples {
		observed += lag
	}
	t.Logf("observed lags sum to %v, their parts to %v", observed, sum)
	if diff := (observed - sum).Abs(); diff > 20*5*time.Millisecond {
		t.Errorf("observed lags sum to %v but their parts to %v", observed, sum)
	}
}

func TestSignalScenarioCountsEverySignal(t *testing.T) {
	// signals itself fails unless the workflows counted exactly the acknowledged signals.
	out, _ := runSmall(t, "signals", signals(2, 4))
	if out.ops == 0 {
		t.Error("no signal was sent")
	}
}

func TestOpenWorkflowsScenarioArmsEveryTimer(t *testing.T) {
	out, _ := runSmall(t, "open", openWorkflows(40, 8))
	if out.ops != 40 {
		t.Errorf("armed = %d, want 40 (note: %s)", out.ops, out.note)
	}
}

func TestScenariosWithRetriesChainsAndFanOut(t *testing.T) {
	for _, sc := range []struct {
		name string
		run  func(context.Context, *env) (outcome, error)
	}{
		{"retry", workflowLoop(2, func(int) (string, []any) { return "RetriedActivity", nil })},
		{"chain", workflowLoop(2, func(int) (string, []any) { return "ActivityChain", []any{3} })},
		{"fanout", workflowLoop(1, func(int) (string, []any) { return "ActivityFanOut", []any{10} })},
		{"sundial-sdk", sundialSDKActivities(2)},
		{"starts", starts(4)},
	} {
		t.Run(sc.name, func(t *testing.T) {
			out, _ := runSmall(t, sc.name, sc.run)
			if out.ops == 0 {
				t.Errorf("%s completed nothing", sc.name)
			}
		})
	}
}
