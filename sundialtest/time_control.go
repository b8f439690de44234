package sundialtest

import (
	"context"
	"errors"
	"time"
)

// LockTimeSkipping stops time from skipping until the matching UnlockTimeSkipping:
// while locked, the server's clock moves with the wall clock only. Locks nest. Without
// TimeSkipping time never skips and both calls do nothing.
func (e *WorkflowEnvironment) LockTimeSkipping() {
	e.t.Helper()
	if e.testSvc == nil {
		return
	}
	if err := e.testSvc.LockTimeSkipping(context.Background()); err != nil {
		e.t.Fatalf("sundialtest: locking time skipping: %v", err)
	}
}

// UnlockTimeSkipping releases one LockTimeSkipping. Unlocking more often than
// locking fails the test.
func (e *WorkflowEnvironment) UnlockTimeSkipping() {
	e.t.Helper()
	if e.testSvc == nil {
		return
	}
	if err := e.testSvc.UnlockTimeSkipping(context.Background()); err != nil {
		e.t.Fatalf("sundialtest: unlocking time skipping: %v", err)
	}
}

// WithoutTimeSkipping runs fn with time skipping locked, and unlocks it when fn
// returns (or panics): a scoped LockTimeSkipping.
func (e *WorkflowEnvironment) WithoutTimeSkipping(fn func()) {
	e.t.Helper()
	e.LockTimeSkipping()
	defer e.UnlockTimeSkipping()
	fn()
}

// RegisterDelayedCallback runs fn once the server's clock has advanced by d from now.
// Under time skipping the clock stops at that instant, even if a workflow timer is due
// right after, and stays locked while fn runs (workflow and activity tasks still run),
// so "send an update while the workflow sleeps" is deterministic:
//
//	env.RegisterDelayedCallback(time.Hour, func() { client.ExecuteUpdate(ctx, run, Upgrade, plan) })
//
// Without time skipping fn runs after d of wall time. fn runs on its own goroutine;
// report failures with t.Error, not t.Fatal. Callbacks not yet due when the test ends
// are dropped; Shutdown waits for those running.
func (e *WorkflowEnvironment) RegisterDelayedCallback(d time.Duration, fn func()) {
	e.t.Helper()
	if d < 0 {
		e.t.Fatalf("sundialtest: RegisterDelayedCallback with a negative delay %s", d)
	}
	// Locked now, so that no skip can pass the deadline before the wait below is armed.
	e.LockTimeSkipping()
	e.callbacks.Add(1)
	go func() {
		defer e.callbacks.Done()
		if !e.waitLocked(d) {
			return
		}
		defer e.releaseCallbackLock()
		fn()
	}()
}

// releaseCallbackLock releases the lock a delayed callback held while it ran. It runs
// on the callback's goroutine, so it reports failures with Errorf.
func (e *WorkflowEnvironment) releaseCallbackLock() {
	if e.testSvc == nil {
		return
	}
	if err := e.testSvc.UnlockTimeSkipping(context.Background()); err != nil {
		e.t.Errorf("sundialtest: unlocking time skipping after a delayed callback: %v", err)
	}
}

// waitLocked waits until the server's clock has advanced by d and reports whether it
// did. Under time skipping it releases the caller's lock while waiting and holds it
// again from the deadline on (the TestService's UnlockTimeSkippingWithSleep).
func (e *WorkflowEnvironment) waitLocked(d time.Duration) bool {
	ctx := e.callbackCtx
	if e.testSvc == nil {
		timer := time.NewTimer(d)
		defer timer.Stop()
		select {
		case <-timer.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	err := e.testSvc.UnlockTimeSkippingWithSleep(ctx, d)
	switch {
	case err == nil:
		return true
	case ctx.Err() != nil || errors.Is(err, context.Canceled):
		return false
	default:
		e.t.Errorf("sundialtest: waiting %s of server time for a delayed callback: %v", d, err)
		return false
	}
}
