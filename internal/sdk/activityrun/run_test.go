package activityrun

import (
	"context"
	"errors"
	"testing"
	"time"
)

type testInfo struct{ ID string }

type testMeter struct{}

var (
	errFirst  = errors.New("first cause")
	errSecond = errors.New("second cause")
	errLate   = errors.New("deadline cause")
)

func TestFromFindsTheRunInDerivedContexts(t *testing.T) {
	ctx, run := Start(context.Background(), Config[testInfo, testMeter]{Info: testInfo{ID: "a"}})
	derived, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Hour)
	defer cancel()
	got, ok := From[testInfo, testMeter](derived)
	if !ok || got != run || got.Info().ID != "a" {
		t.Fatalf("From = %v, %v", got, ok)
	}
	if _, ok := From[testInfo, testMeter](context.Background()); ok {
		t.Error("a plain context holds no run")
	}
	if _, ok := From[string, testMeter](ctx); ok {
		t.Error("a run of other types must not match")
	}
}

func TestTheFirstCauseSticks(t *testing.T) {
	ctx, run := Start(context.Background(), Config[testInfo, testMeter]{
		Deadline: time.Now().Add(20 * time.Millisecond), DeadlineCause: errLate,
	})
	if run.Cause() != nil {
		t.Fatalf("cause %v before any cancellation", run.Cause())
	}
	run.Cancel(errFirst)
	run.Cancel(errSecond)
	<-ctx.Done()
	time.Sleep(30 * time.Millisecond) // the scenario: the deadline passes after the first cause
	if !errors.Is(run.Cause(), errFirst) || !errors.Is(context.Cause(ctx), errFirst) {
		t.Errorf("cause %v, want the first one", run.Cause())
	}
	run.Finish()
	if !errors.Is(run.Cause(), errFirst) {
		t.Errorf("Finish changed the cause to %v", run.Cause())
	}
}

func TestTheDeadlineCancelsWithItsCause(t *testing.T) {
	ctx, run := Start(context.Background(), Config[testInfo, testMeter]{
		Deadline: time.Now().Add(10 * time.Millisecond), DeadlineCause: errLate,
	})
	if _, ok := ctx.Deadline(); !ok {
		t.Error("the context must carry the deadline")
	}
	<-ctx.Done()
	run.Cancel(errFirst)
	if !errors.Is(run.Cause(), errLate) || !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		t.Errorf("cause %v, err %v", run.Cause(), ctx.Err())
	}
}

func TestFinishReleasesTheContextAndStopsHeartbeats(t *testing.T) {
	var sunk [][]any
	ctx, run := Start(context.Background(), Config[testInfo, testMeter]{
		Heartbeat: func(details []any) { sunk = append(sunk, details) },
	})
	run.RecordHeartbeat([]any{1})
	run.Finish()
	run.Finish() // idempotent
	run.RecordHeartbeat([]any{2})
	select {
	case <-run.Finished():
	default:
		t.Error("Finished must be closed")
	}
	if !errors.Is(context.Cause(ctx), ErrFinished) {
		t.Errorf("cause after Finish %v", context.Cause(ctx))
	}
	if len(sunk) != 1 {
		t.Errorf("heartbeats after Finish reached the sink: %v", sunk)
	}
	if last, ok := run.LastHeartbeatDetails(); !ok || last[0] != 1 {
		t.Errorf("last details %v, %v", last, ok)
	}
}

func TestParentCancellationPropagatesItsCause(t *testing.T) {
	parent, cancel := context.WithCancelCause(context.Background())
	_, run := Start(parent, Config[testInfo, testMeter]{})
	cancel(errFirst)
	<-run.Context().Done()
	if !errors.Is(run.Cause(), errFirst) {
		t.Errorf("cause %v", run.Cause())
	}
}
