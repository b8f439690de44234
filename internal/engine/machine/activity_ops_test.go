package machine_test

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

var opsRetry = &commonpb.RetryPolicy{InitialInterval: durationpb.New(time.Second), BackoffCoefficient: 2, MaximumAttempts: 3}

// TestPausedActivityIsNotStartedNorRetried: a waiting attempt of a paused
// activity cannot start and has no deadline; a running attempt that fails
// waits, paused, beyond its retry limit; unpause makes it due again.
func TestPausedActivityIsNotStartedNorRetried(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, opsRetry))
	act := r.startActivity(at(3*time.Second), 5)
	r.do(at(4*time.Second), func(tx *machine.Tx) {
		if err := tx.PauseActivity(r.activity(5), machine.PauseRequest{Identity: "ops", Reason: "look", RequestID: "p1"}); err != nil {
			t.Fatalf("PauseActivity: %v", err)
		}
	})
	if paused, reset := r.activity(5).HeartbeatFlags(); !paused || reset {
		t.Fatalf("heartbeat flags after pause: paused=%v reset=%v", paused, reset)
	}
	r.wantNextDeadline(time.Time{})
	// The same request again changes nothing; another request is refused.
	r.do(at(4*time.Second), func(tx *machine.Tx) {
		if err := tx.PauseActivity(r.activity(5), machine.PauseRequest{RequestID: "p1"}); err != nil {
			t.Errorf("repeated pause: %v", err)
		}
		if err := tx.PauseActivity(r.activity(5), machine.PauseRequest{RequestID: "p2"}); err != machine.ErrAlreadyPaused {
			t.Errorf("second pause: %v, want ErrAlreadyPaused", err)
		}
	})
	// Attempts 1..3 fail while paused: with MaximumAttempts 3 the activity
	// would end, but a paused activity only waits.
	for attempt := int32(1); attempt <= 3; attempt++ {
		if attempt > 1 {
			r.do(at(5*time.Second), func(tx *machine.Tx) { tx.UnpauseActivity(r.activity(5), machine.UnpauseRequest{}) })
			act = r.startActivity(at(6*time.Second), 5)
			r.do(at(6*time.Second), func(tx *machine.Tx) { _ = tx.PauseActivity(r.activity(5), machine.PauseRequest{}) })
		}
		if evs := r.do(at(7*time.Second), func(tx *machine.Tx) { tx.FailActivity(act, appFailure("boom", "E"), nil, "w") }); len(evs) != 0 {
			t.Fatalf("attempt %d: a paused failure wrote %s", attempt, types(evs))
		}
		a := r.activity(5)
		if a.State != machine.ActivityScheduled || !a.Paused || a.Attempt != attempt+1 {
			t.Fatalf("attempt %d failed while paused: state %v paused %v attempt %d", attempt, a.State, a.Paused, a.Attempt)
		}
		tx := machine.Begin(r.s.Clone(), at(8*time.Second))
		if _, err := tx.StartActivity(5, a.Attempt, "w", "r"); err != machine.ErrStale {
			t.Fatalf("starting a paused activity: %v, want ErrStale", err)
		}
		r.wantNextDeadline(time.Time{})
	}
	// Unpause with a delay: attempt 4 is due after it, counted from now.
	r.do(at(9*time.Second), func(tx *machine.Tx) {
		tx.UnpauseActivity(r.activity(5), machine.UnpauseRequest{ResetAttempts: true, Delay: 2 * time.Second})
	})
	a := r.activity(5)
	if a.Paused || a.PauseIdentity != "" || a.State != machine.ActivityBackoff || a.Attempt != 1 {
		t.Fatalf("after unpause: paused %v identity %q state %v attempt %d", a.Paused, a.PauseIdentity, a.State, a.Attempt)
	}
	r.wantNextDeadline(at(11 * time.Second))
}

// TestResetRunningActivity: the running attempt hears of the reset through its
// heartbeat; the attempt after it is number 1, without heartbeat details when
// asked, and the flags are cleared.
func TestResetRunningActivity(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, opsRetry))
	failAttempt(r, at(3*time.Second), appFailure("boom", "E"))
	r.fire(at(5 * time.Second))
	act := r.startActivity(at(5*time.Second), 5)
	r.do(at(6*time.Second), func(tx *machine.Tx) { tx.HeartbeatActivity(act, payloads("progress")) })
	r.do(at(7*time.Second), func(tx *machine.Tx) { tx.ResetActivity(r.activity(5), machine.ResetRequest{ResetHeartbeat: true}) })
	if _, reset := r.activity(5).HeartbeatFlags(); !reset {
		t.Fatalf("heartbeat does not report the reset")
	}
	if a := r.activity(5); a.Attempt != 2 || a.DecodedHeartbeatDetails() == nil {
		t.Fatalf("the running attempt changed: attempt %d details %v", a.Attempt, a.DecodedHeartbeatDetails())
	}
	r.do(at(8*time.Second), func(tx *machine.Tx) { tx.FailActivity(r.activity(5), appFailure("stopped", "E"), nil, "w") })
	a := r.activity(5)
	if a.State != machine.ActivityBackoff || a.Attempt != 1 || a.DecodedHeartbeatDetails() != nil || a.ResetRequested {
		t.Fatalf("after the reset attempt failed: state %v attempt %d details %v reset flag %v",
			a.State, a.Attempt, a.DecodedHeartbeatDetails(), a.ResetRequested)
	}
	r.wantNextDeadline(at(9 * time.Second))
}

// TestResetWaitingActivityKeepsPauseWhenAsked: a waiting activity becomes
// attempt 1 at once; KeepPaused leaves it paused and undispatched.
func TestResetWaitingActivityKeepsPauseWhenAsked(t *testing.T) {
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, opsRetry))
	failAttempt(r, at(3*time.Second), appFailure("boom", "E"))
	r.do(at(4*time.Second), func(tx *machine.Tx) { _ = tx.PauseActivity(r.activity(5), machine.PauseRequest{}) })
	r.do(at(5*time.Second), func(tx *machine.Tx) { tx.ResetActivity(r.activity(5), machine.ResetRequest{KeepPaused: true}) })
	if a := r.activity(5); !a.Paused || a.Attempt != 1 {
		t.Fatalf("reset keeping pause: paused %v attempt %d", a.Paused, a.Attempt)
	}
	r.wantNextDeadline(time.Time{})
	r.do(at(6*time.Second), func(tx *machine.Tx) { tx.ResetActivity(r.activity(5), machine.ResetRequest{}) })
	if a := r.activity(5); a.Paused || a.Attempt != 1 || a.State != machine.ActivityScheduled {
		t.Fatalf("reset: paused %v attempt %d state %v", a.Paused, a.Attempt, a.State)
	}
}

// TestUpdateOptionsDuringBackoff: a new retry policy moves the pending retry
// to the end of the failed attempt plus the new interval.
func TestUpdateOptionsDuringBackoff(t *testing.T) {
	long := &commonpb.RetryPolicy{InitialInterval: durationpb.New(time.Hour), MaximumAttempts: 5}
	r := toScheduledActivity(t, defaultStart(), activityAttrs(10*time.Second, long))
	failAttempt(r, at(3*time.Second), appFailure("boom", "E"))
	r.wantNextDeadline(at(4*time.Second + time.Hour))
	r.do(at(5*time.Second), func(tx *machine.Tx) {
		o := r.activity(5).Options()
		o.Retry = machine.NormalizeRetryPolicy(&commonpb.RetryPolicy{InitialInterval: durationpb.New(2 * time.Second)})
		o.TaskQueue = "elsewhere"
		tx.UpdateActivityOptions(r.activity(5), o)
	})
	if a := r.activity(5); a.TaskQueue != "elsewhere" || a.Retry.MaximumAttempts != 0 {
		t.Fatalf("options not applied: queue %q policy %+v", a.TaskQueue, a.Retry)
	}
	r.wantNextDeadline(at(6 * time.Second))
}

func TestNormalizeActivityTimeouts(t *testing.T) {
	if _, ok := machine.NormalizeActivityTimeouts(0, time.Second, 0, 0, 0); ok {
		t.Errorf("no start-to-close nor schedule-to-close was accepted")
	}
	o, ok := machine.NormalizeActivityTimeouts(time.Minute, 0, 2*time.Minute, 3*time.Minute, 0)
	if !ok || o.ScheduleToStart != time.Minute || o.StartToClose != time.Minute || o.Heartbeat != time.Minute {
		t.Errorf("schedule-to-close does not bound the others: %+v", o)
	}
}
