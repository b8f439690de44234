package client_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/client"
)

// A standalone activity's handle pauses it (the running attempt stops at
// its heartbeat), updates its options, unpauses it and resets it; each
// resumption runs a new attempt.
func TestStandaloneActivityHandleOperatorActions(t *testing.T) {
	c := startSundial(t)
	waitForCancelFn, started := startActivityWorker(t, c, "operated")
	ctx := typedTestContext(t)
	opts := client.StartActivityOptions{ID: "operated-1", TaskQueue: "operated", StartToCloseTimeout: 10 * time.Second, HeartbeatTimeout: 2 * time.Second}
	h, err := client.StartActivity(ctx, c, opts, waitForCancelFn, "")
	if err != nil {
		t.Fatal(err)
	}
	waitStarted := func(what string) {
		t.Helper()
		select {
		case <-started:
		case <-ctx.Done():
			t.Fatalf("%s: no attempt started", what)
		}
	}
	waitStarted("start")
	if err := h.Pause(ctx, client.PauseActivityOptions{Reason: "inspect"}); err != nil {
		t.Fatal(err)
	}
	// The running attempt stops at its next heartbeat; then it is paused.
	waitFor(t, func() bool {
		info, err := h.Describe(ctx)
		return err == nil && info.GetRunState() == enumspb.PENDING_ACTIVITY_STATE_PAUSED
	})
	longer := 42 * time.Second
	got, err := h.UpdateOptions(ctx, client.ActivityOptionsUpdate{StartToCloseTimeout: &longer})
	if err != nil {
		t.Fatal(err)
	}
	if got.StartToCloseTimeout != longer {
		t.Errorf("options after update: start-to-close %v, want %v", got.StartToCloseTimeout, longer)
	}
	if err := h.Unpause(ctx, client.UnpauseActivityOptions{ResetAttempts: true}); err == nil {
		t.Error("Unpause with ResetAttempts was accepted for a standalone activity")
	}
	if err := h.Unpause(ctx, client.UnpauseActivityOptions{}); err != nil {
		t.Fatal(err)
	}
	waitStarted("unpause")
	if err := h.Reset(ctx, client.ResetActivityOptions{ResetHeartbeat: true}); err != nil {
		t.Fatal(err)
	}
	waitStarted("reset")
	if info, err := h.Describe(ctx); err != nil || info.GetAttempt() != 1 {
		t.Errorf("after Reset: attempt %d, %v; want attempt 1", info.GetAttempt(), err)
	}
	if err := h.Terminate(ctx, "done"); err != nil {
		t.Fatal(err)
	}
}
