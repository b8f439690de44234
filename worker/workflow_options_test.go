package worker

import (
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/workflow"
	enumspb "go.temporal.io/api/enums/v1"
)

func TestWorkflowPollersAreSplitBetweenQueues(t *testing.T) {
	for _, tc := range []struct {
		pollers              int
		disableSticky        bool
		wantNormal, wantStky int
	}{
		{pollers: 0, wantNormal: 1, wantStky: 1}, // the default, 2
		{pollers: 1, wantNormal: 1, wantStky: 1},
		{pollers: 5, wantNormal: 3, wantStky: 2},
		{pollers: 4, disableSticky: true, wantNormal: 4, wantStky: 0},
	} {
		opts, err := Options{MaxConcurrentWorkflowTaskPollers: tc.pollers, DisableStickyExecution: tc.disableSticky}.withDefaults("id", nil)
		if err != nil {
			t.Fatal(err)
		}
		normal, sticky := opts.workflowPollers()
		if normal != tc.wantNormal || sticky != tc.wantStky {
			t.Errorf("%d pollers (sticky disabled %v): %d normal, %d sticky; want %d, %d",
				tc.pollers, tc.disableSticky, normal, sticky, tc.wantNormal, tc.wantStky)
		}
	}
}

func TestWorkflowOptionDefaultsAndValidation(t *testing.T) {
	opts, err := Options{}.withDefaults("id", nil)
	if err != nil {
		t.Fatal(err)
	}
	if opts.MaxConcurrentWorkflowTaskExecutionSize != DefaultMaxConcurrentWorkflowTaskExecutionSize ||
		opts.workflowCacheSize() != DefaultStickyWorkflowCacheSize || opts.StickyScheduleToStartTimeout != DefaultStickyScheduleToStartTimeout {
		t.Fatalf("defaults: %+v", opts)
	}
	for _, bad := range []Options{
		{StickyWorkflowCacheSize: -1}, {MaxConcurrentWorkflowTaskPollers: -1},
		{MaxConcurrentWorkflowTaskExecutionSize: -1}, {StickyScheduleToStartTimeout: -time.Second},
	} {
		if _, err := bad.withDefaults("id", nil); err == nil {
			t.Errorf("%+v accepted", bad)
		}
	}
}

func noop(ctx workflow.Context) error { return nil }

// A worker with only workflows polls no activity queue, and at Stop tells the server
// its sticky queue is gone.
func TestWorkflowOnlyWorkerShutsDownItsStickyQueue(t *testing.T) {
	b := setup(t)
	w := b.newWorker(t, Options{Logger: slog.New(slog.DiscardHandler)})
	if err := w.RegisterWorkflowWithOptions(noop, RegisterWorkflowOptions{Name: "Noop"}); err != nil {
		t.Fatal(err)
	}
	if err := w.RegisterWorkflowWithOptions(noop, RegisterWorkflowOptions{Name: "Noop"}); err == nil || !strings.Contains(err.Error(), "already registered") {
		t.Fatalf("second registration under one name: %v", err)
	}
	start(t, w)
	// Negative check: give a wrongful activity poller the time to poll (the
	// fake server records no workflow polls to wait on instead).
	time.Sleep(50 * time.Millisecond)
	w.Stop()
	if polls := b.server.Polls(); len(polls) != 0 {
		t.Fatalf("a worker without activities polled activity tasks %d times", len(polls))
	}
	reqs := b.server.ShutdownRequests()
	if len(reqs) != 1 {
		t.Fatalf("ShutdownWorker requests: %v", reqs)
	}
	req := reqs[0]
	if !strings.HasSuffix(req.GetStickyTaskQueue(), ":"+w.instanceKey) || req.GetWorkerInstanceKey() != w.instanceKey ||
		len(req.GetTaskQueueTypes()) != 1 || req.GetTaskQueueTypes()[0] != enumspb.TASK_QUEUE_TYPE_WORKFLOW {
		t.Fatalf("ShutdownWorker request %v", req)
	}
}
