//go:build unix

package compat

import (
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/sdk/client"
	"google.golang.org/grpc"
	"google.golang.org/grpc/resolver"
	"google.golang.org/grpc/resolver/manual"

	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
)

const (
	failoverCrashWorkflows = 200
	failoverCrashKills     = 2
	failoverCrashBudget    = 90 * time.Second
)

// dialNodes dials a client that spreads its calls over every node's
// address (the SDK's round robin), so it reaches standbys, which forward,
// and survives any one node's death.
func dialNodes(t *testing.T, addresses ...string) client.Client {
	t.Helper()
	nodes := manual.NewBuilderWithScheme("sundialnodes")
	state := resolver.State{}
	for _, a := range addresses {
		state.Addresses = append(state.Addresses, resolver.Address{Addr: a})
	}
	nodes.InitialState(state)
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:          "sundialnodes:///cluster",
		Namespace:         "default",
		Logger:            newSDKLogger(t),
		ConnectionOptions: client.ConnectionOptions{DialOptions: []grpc.DialOption{grpc.WithResolvers(nodes)}},
	})
	if err != nil {
		t.Fatalf("dialing %v: %v", addresses, err)
	}
	t.Cleanup(c.Close)
	return c
}

// TestFailoverCrashRecovery runs a few hundred multi-activity workflows on
// two `sundial server` processes sharing a PostgreSQL database, one active
// and one standby, and SIGKILLs the active node twice mid-run, restarting
// each killed node, once the standby has taken over, as a new standby. The
// client is given both addresses.
// Every workflow must complete with the right result, and every activity's
// completion must be in its history exactly once.
func TestFailoverCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped with -short")
	}
	if targetIsTemporal() {
		t.Skip("failover runs sundial processes on PostgreSQL")
	}
	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, seed>>1))
	t.Logf("random seed %d", seed)

	url := pgtest.NewDatabase(t)
	binary := buildSundial(t)
	dir := t.TempDir()
	leases := openLeaseView(t, url)
	started := time.Now()
	nodes := map[string]*sundialProcess{}
	first := startFailoverNode(t, binary, url, dir, "node-1")
	nodes[first.addr] = first
	leases.waitHolder(t, first.addr)
	second := startFailoverNode(t, binary, url, dir, "node-2")
	nodes[second.addr] = second

	ctx, cancel := context.WithTimeout(context.Background(), failoverCrashBudget)
	defer cancel()
	c := dialNodes(t, first.addr, second.addr)
	executions := &executionLog{runs: map[string]int{}}
	taskQueue := uniqueName(t, "failover-crash")
	w := startCrashWorker(t, c, taskQueue, executions)
	defer w.Stop()

	runs := make([]client.WorkflowRun, failoverCrashWorkflows)
	startErrs := make([]error, failoverCrashWorkflows)
	var starters sync.WaitGroup
	const starterCount = 4
	for s := range starterCount {
		starters.Add(1)
		go func() {
			defer starters.Done()
			for i := s; i < failoverCrashWorkflows; i += starterCount {
				runs[i], startErrs[i] = c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{
					ID:                  fmt.Sprintf("%s-wf-%03d", taskQueue, i),
					TaskQueue:           taskQueue,
					WorkflowTaskTimeout: 3 * time.Second,
				}, crashWorkflowName, i)
			}
		}()
	}

	// Kill the active node when a growing share of the activity executions
	// has happened, so every kill lands mid-run.
	totalSteps := int64(failoverCrashWorkflows * crashStepsPerRun)
	for kill := 1; kill <= failoverCrashKills; kill++ {
		threshold := totalSteps * int64(kill) / int64(failoverCrashKills+2)
		threshold += int64(rng.IntN(int(totalSteps / int64(failoverCrashKills+2) / 2)))
		if !executions.waitTotal(ctx, threshold) {
			t.Fatalf("before kill %d: only %d of %d activity executions happened within the budget", kill, executions.total.Load(), threshold)
		}
		activeAddr, epoch := leases.holder(t)
		active, ok := nodes[activeAddr]
		if !ok {
			t.Fatalf("before kill %d: the lease names %q, not one of the nodes", kill, activeAddr)
		}
		killed := time.Now()
		active.kill()
		t.Logf("kill %d: SIGKILL of the active node %s (epoch %d) after %d activity executions (%v into the test)",
			kill, activeAddr, epoch, executions.total.Load(), time.Since(started).Round(time.Millisecond))
		for addr := range nodes {
			if addr != activeAddr {
				leases.waitHolder(t, addr)
				t.Logf("kill %d: the standby %s took over %v after the kill", kill, addr, time.Since(killed).Round(10*time.Millisecond))
			}
		}
		// The killed node comes back as a new standby.
		active.start()
	}
	starters.Wait()
	for i, err := range startErrs {
		if err != nil {
			t.Fatalf("starting workflow %d: %v", i, err)
		}
	}

	var failures []string
	for i, run := range runs {
		var got int
		err := run.Get(ctx, &got)
		want := 0
		for step := 1; step <= crashStepsPerRun; step++ {
			want += i*10 + step
		}
		if err != nil || got != want {
			failures = append(failures, fmt.Sprintf("%s: result %d, error %v; want %d", run.GetID(), got, err, want))
		}
	}
	if len(failures) > 0 {
		t.Fatalf("%d of %d workflows did not complete correctly, first ones:\n%v\nnode logs:\n%s\n%s",
			len(failures), len(runs), failures[:min(len(failures), 10)], first.log(), second.log())
	}
	t.Logf("all %d workflows completed %v into the test", len(runs), time.Since(started).Round(time.Millisecond))

	for _, run := range runs {
		requireOneCompletionPerStep(t, c, run)
	}
	reruns := 0
	for _, n := range executions.snapshot() {
		reruns += max(n-1, 0)
	}
	t.Logf("%d activity executions for %d steps (%d re-runs after kills)", executions.total.Load(), totalSteps, reruns)
	if elapsed := time.Since(started); elapsed > failoverCrashBudget {
		t.Errorf("the failover crash test took %v, over its %v budget", elapsed, failoverCrashBudget)
	}
}

// requireOneCompletionPerStep checks that run's history schedules and
// completes each step once, in order, and ends completed.
func requireOneCompletionPerStep(t *testing.T, c client.Client, run client.WorkflowRun) {
	t.Helper()
	events := fetchHistory(t, c, run.GetID(), run.GetRunID())
	scheduled := eventsOfType(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED)
	completed := eventsOfType(events, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED)
	if len(scheduled) != crashStepsPerRun || len(completed) != crashStepsPerRun {
		t.Errorf("%s: %d activities scheduled and %d completed, want %d each", run.GetID(), len(scheduled), len(completed), crashStepsPerRun)
		return
	}
	for i, e := range completed {
		if id := e.GetActivityTaskCompletedEventAttributes().GetScheduledEventId(); id != scheduled[i].GetEventId() {
			t.Errorf("%s: completion %d refers to scheduled event %d, want %d", run.GetID(), i+1, id, scheduled[i].GetEventId())
		}
	}
	if last := events[len(events)-1]; last.GetEventType() != enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED {
		t.Errorf("%s: history ends with %v", run.GetID(), last.GetEventType())
	}
}
