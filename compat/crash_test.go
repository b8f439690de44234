package compat

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/activity"
	"go.temporal.io/sdk/client"
	"go.temporal.io/sdk/temporal"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"
)

const (
	crashWorkflows      = 250
	crashStepsPerRun    = 4
	crashKills          = 3
	crashTestBudget     = 170 * time.Second
	crashWorkflowName   = "CrashSteps"
	crashStepActivity   = "CrashStep"
	crashServerStartMax = 20 * time.Second
)

// executionLog counts how many times each (workflow id, step) activity ran.
type executionLog struct {
	mu    sync.Mutex
	runs  map[string]int
	total atomic.Int64
	// grew, when a waiter made it, is closed by the next record.
	grew chan struct{}
}

func (l *executionLog) record(workflowID string, step int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.runs[fmt.Sprintf("%s/%d", workflowID, step)]++
	l.total.Add(1)
	if l.grew != nil {
		close(l.grew)
		l.grew = nil
	}
}

// waitTotal waits until at least n executions are recorded, woken by each
// record; false when ctx ends first.
func (l *executionLog) waitTotal(ctx context.Context, n int64) bool {
	for {
		l.mu.Lock()
		if l.grew == nil {
			l.grew = make(chan struct{})
		}
		grew := l.grew
		l.mu.Unlock()
		if l.total.Load() >= n {
			return true
		}
		select {
		case <-grew:
		case <-ctx.Done():
			return l.total.Load() >= n
		}
	}
}

func (l *executionLog) snapshot() map[string]int {
	l.mu.Lock()
	defer l.mu.Unlock()
	out := make(map[string]int, len(l.runs))
	for k, v := range l.runs {
		out[k] = v
	}
	return out
}

// sundialProcess is a `sundial server` child process on a fixed address and file.
type sundialProcess struct {
	t       *testing.T
	binary  string
	addr    string
	db      string
	logPath string
	cmd     *exec.Cmd
	exited  chan error
}

// start launches the server and waits until it accepts connections.
func (p *sundialProcess) start() {
	p.t.Helper()
	logFile, err := os.OpenFile(p.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		p.t.Fatalf("opening server log: %v", err)
	}
	defer logFile.Close()
	p.cmd = exec.Command(p.binary, "server", "--listen", p.addr, "--db", p.db, "--log-level", "info", "--no-ui")
	p.cmd.Stdout, p.cmd.Stderr = logFile, logFile
	if err := p.cmd.Start(); err != nil {
		p.t.Fatalf("starting %s: %v", p.binary, err)
	}
	p.exited = make(chan error, 1)
	go func(cmd *exec.Cmd, exited chan<- error) { exited <- cmd.Wait() }(p.cmd, p.exited)
	deadline := time.Now().Add(crashServerStartMax)
	for {
		conn, err := net.DialTimeout("tcp", p.addr, 200*time.Millisecond)
		if err == nil {
			conn.Close()
			return
		}
		select {
		case err := <-p.exited:
			p.t.Fatalf("server exited while starting: %v; log:\n%s", err, p.log())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("server did not accept connections on %s within %v; log:\n%s", p.addr, crashServerStartMax, p.log())
		}
	}
}

// kill sends SIGKILL and waits for the process to be gone.
func (p *sundialProcess) kill() {
	p.t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		p.t.Fatalf("killing server: %v", err)
	}
	<-p.exited
}

// stopGracefully sends SIGINT and returns the exit error (nil for status 0).
func (p *sundialProcess) stopGracefully(timeout time.Duration) error {
	if err := p.cmd.Process.Signal(os.Interrupt); err != nil {
		return fmt.Errorf("interrupting server: %w", err)
	}
	select {
	case err := <-p.exited:
		return err
	case <-time.After(timeout):
		p.kill()
		return fmt.Errorf("server did not stop within %v of SIGINT", timeout)
	}
}

func (p *sundialProcess) log() string {
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		return fmt.Sprintf("(reading log: %v)", err)
	}
	if len(b) > 8000 {
		b = b[len(b)-8000:]
	}
	return string(b)
}

func buildSundial(t *testing.T) string {
	t.Helper()
	binary := filepath.Join(t.TempDir(), "sundial")
	cmd := exec.Command("go", "build", "-o", binary, "github.com/sundialdev/sundial/cmd/sundial")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building cmd/sundial: %v\n%s", err, out)
	}
	return binary
}

func freeLoopbackAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer l.Close()
	return l.Addr().String()
}

// TestCrashRecovery runs a few hundred multi-activity workflows against a real
// `sundial server` process, kills it with SIGKILL several times mid-run and restarts
// it on the same database file and port. Every workflow must complete with the right
// result, and every activity's completion must be in its history exactly once.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped with -short")
	}
	if targetIsTemporal() {
		t.Skip("the crash test runs the sundial binary")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	t.Logf("random seed %d", seed)

	dir := t.TempDir()
	proc := &sundialProcess{
		t: t, binary: buildSundial(t), addr: freeLoopbackAddr(t),
		db: testDatabaseFlag(t, dir), logPath: filepath.Join(dir, "server.log"),
	}
	started := time.Now()
	proc.start()
	stopped := false
	t.Cleanup(func() {
		if !stopped {
			proc.kill()
		}
	})

	ctx, cancel := context.WithTimeout(context.Background(), crashTestBudget)
	defer cancel()
	c := dial(t, target{HostPort: proc.addr, Namespace: "default"})
	executions := &executionLog{runs: map[string]int{}}
	taskQueue := uniqueName(t, "crash")
	w := startCrashWorker(t, c, taskQueue, executions)
	workerStopped := false
	defer func() {
		if !workerStopped {
			w.Stop()
		}
	}()

	// Start the workflows from a few goroutines while the kills below happen, so
	// some starts meet a dead server and must be retried by the SDK.
	type startedRun struct {
		run  client.WorkflowRun
		base int
		err  error
	}
	runs := make([]startedRun, crashWorkflows)
	var starters sync.WaitGroup
	const starterCount = 4
	for s := range starterCount {
		starters.Add(1)
		go func() {
			defer starters.Done()
			for i := s; i < crashWorkflows; i += starterCount {
				run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID:                  fmt.Sprintf("%s-wf-%03d", taskQueue, i),
					TaskQueue:           taskQueue,
					WorkflowTaskTimeout: 3 * time.Second,
				}, crashWorkflowName, i)
				runs[i] = startedRun{run: run, base: i, err: err}
			}
		}()
	}

	// Kill when a growing share of all activity executions has happened, so every
	// kill lands mid-run, with some randomness in the exact moment.
	totalSteps := int64(crashWorkflows * crashStepsPerRun)
	for kill := 1; kill <= crashKills; kill++ {
		threshold := totalSteps * int64(kill) / int64(crashKills+2)
		threshold += int64(rng.IntN(int(totalSteps / int64(crashKills+2) / 2)))
		if !executions.waitTotal(ctx, threshold) {
			t.Fatalf("before kill %d: only %d of %d activity executions happened within the budget; server log:\n%s",
				kill, executions.total.Load(), threshold, proc.log())
		}
		proc.kill()
		t.Logf("kill %d: SIGKILL after %d activity executions (%v into the test)", kill, executions.total.Load(), time.Since(started).Round(time.Millisecond))
		time.Sleep(time.Duration(rng.IntN(300)) * time.Millisecond) // the scenario: a random outage
		proc.start()
	}
	starters.Wait()
	for _, r := range runs {
		if r.err != nil {
			t.Fatalf("starting workflow %d: %v", r.base, r.err)
		}
	}

	// Every workflow completes with the right result.
	var failures []string
	for _, r := range runs {
		var got int
		err := r.run.Get(ctx, &got)
		want := 0
		for step := 1; step <= crashStepsPerRun; step++ {
			want += r.base*10 + step
		}
		if err != nil || got != want {
			failures = append(failures, fmt.Sprintf("%s: result %d, error %v; want %d", r.run.GetID(), got, err, want))
		}
	}
	if len(failures) > 0 {
		t.Fatalf("%d of %d workflows did not complete correctly, first ones:\n%v\nserver log:\n%s",
			len(failures), len(runs), failures[:min(len(failures), 10)], proc.log())
	}
	t.Logf("all %d workflows completed %v into the test", len(runs), time.Since(started).Round(time.Millisecond))
	w.Stop()
	workerStopped = true

	// Each history records each activity's completion exactly once, in step order.
	for _, r := range runs {
		events := fetchHistory(t, c, r.run.GetID(), r.run.GetRunID())
		scheduled := eventsOfType(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
		completed := eventsOfType(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
		if len(scheduled) != crashStepsPerRun || len(completed) != crashStepsPerRun {
			t.Errorf("%s: %d activities scheduled and %d completed, want %d each", r.run.GetID(), len(scheduled), len(completed), crashStepsPerRun)
			continue
		}
		seen := map[int64]bool{}
		for i, e := range completed {
			id := e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId()
			if seen[id] || id != scheduled[i].GetEventId() {
				t.Errorf("%s: completion %d refers to scheduled event %d (seen before: %v), want %d",
					r.run.GetID(), i+1, id, seen[id], scheduled[i].GetEventId())
			}
			seen[id] = true
		}
		if last := events[len(events)-1]; last.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
			t.Errorf("%s: history ends with %v", r.run.GetID(), last.GetEventType())
		}
	}

	// Executions: every step ran at least once; re-runs are allowed (an attempt whose
	// completion died with the server is retried) but are reported.
	reruns := 0
	counts := executions.snapshot()
	for i := range crashWorkflows {
		for step := 1; step <= crashStepsPerRun; step++ {
			n := counts[fmt.Sprintf("%s-wf-%03d/%d", taskQueue, i, step)]
			if n == 0 {
				t.Errorf("workflow %d step %d never ran", i, step)
			}
			reruns += max(n-1, 0)
		}
	}
	t.Logf("%d activity executions for %d steps (%d re-runs after crashes)", executions.total.Load(), totalSteps, reruns)

	stopped = true
	if err := proc.stopGracefully(15 * time.Second); err != nil {
		var exitErr *exec.ExitError
		if errors.As(err, &exitErr) {
			t.Errorf("graceful stop exited with %v; log:\n%s", exitErr, proc.log())
		} else {
			t.Errorf("graceful stop: %v", err)
		}
	}
	if elapsed := time.Since(started); elapsed > crashTestBudget {
		t.Errorf("crash test took %v, over its %v budget", elapsed, crashTestBudget)
	}
}

// startCrashWorker runs the crash scenario's worker: each workflow runs
// crashStepsPerRun activities, each recorded in executions and busy a few
// milliseconds, so work is in flight when the server dies.
func startCrashWorker(t *testing.T, c client.Client, taskQueue string, executions *executionLog) worker.Worker {
	t.Helper()
	w := worker.New(c, taskQueue, worker.Options{MaxConcurrentActivityExecutionSize: 50})
	w.RegisterWorkflowWithOptions(func(ctx workflow.Context, base int) (int, error) {
		ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{
			StartToCloseTimeout: 5 * time.Second,
			RetryPolicy:         &temporal.RetryPolicy{InitialInterval: 200 * time.Millisecond, MaximumInterval: time.Second},
		})
		total := 0
		for step := 1; step <= crashStepsPerRun; step++ {
			var out int
			if err := workflow.ExecuteActivity(ctx, crashStepActivity, base, step).Get(ctx, &out); err != nil {
				return 0, err
			}
			total += out
		}
		return total, nil
	}, workflow.RegisterOptions{Name: crashWorkflowName})
	w.RegisterActivityWithOptions(func(ctx context.Context, base, step int) (int, error) {
		executions.record(activity.GetInfo(ctx).WorkflowExecution.ID, step)
		time.Sleep(time.Duration(5+rand.IntN(20)) * time.Millisecond) // work in flight when the server dies
		return base*10 + step, nil
	}, activity.RegisterOptions{Name: crashStepActivity})
	if err := w.Start(); err != nil {
		t.Fatalf("starting worker: %v", err)
	}
	return w
}
