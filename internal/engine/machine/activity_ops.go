package machine

import (
	"errors"
	"sort"
	"time"

	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/proto"
)

// Operator actions on pending activities: pause, unpause, reset and option
// updates. None writes a history event (Temporal's do not either): they change
// the activity's mutable state only, and a running attempt learns of a pause or
// reset through its next heartbeat.
//
// A paused activity is never dispatched and has no deadlines: a waiting attempt
// stays in the activity's state, a retry timer does not fire, and an attempt
// that was running when the pause came may still finish. If that attempt fails
// with a retryable failure the next attempt waits, paused, with no retry limit
// or schedule-to-close deadline applied, as in Temporal.

// ErrAlreadyPaused is a pause of an activity paused by another request.
var ErrAlreadyPaused = errors.New("activity is already paused")

// ActivitySelector names the pending activities an operator action applies to:
// one activity by id, every activity of a type, or all of them.
type ActivitySelector struct {
	ID   string
	Type string
	All  bool
}

// SelectActivities returns the pending activities sel names, in the order they
// were scheduled; none when nothing matches.
func (s *State) SelectActivities(sel ActivitySelector) []*Activity {
	if sel.ID != "" {
		if a := s.ActivityByID(sel.ID); a != nil {
			return []*Activity{a}
		}
		return nil
	}
	var out []*Activity
	for _, a := range s.Activities {
		if sel.All || (sel.Type != "" && a.ActivityType == sel.Type) {
			out = append(out, a)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ScheduledEventID < out[j].ScheduledEventID })
	return out
}

// PauseRequest says who pauses an activity and why.
type PauseRequest struct {
	Identity  string
	Reason    string
	RequestID string
}

// PauseActivity pauses act. Pausing an activity already paused by the same
// request (same request id) changes nothing; by another, it is ErrAlreadyPaused.
func (tx *Tx) PauseActivity(act *Activity, p PauseRequest) error {
	if act.Paused {
		if act.PauseRequestID == p.RequestID {
			return nil
		}
		return ErrAlreadyPaused
	}
	act.Paused = true
	act.PauseTime = tx.Now
	act.PauseIdentity = p.Identity
	act.PauseReason = p.Reason
	act.PauseRequestID = p.RequestID
	return nil
}

// UnpauseRequest says how a paused activity resumes. Delay holds back its next
// attempt (the engine draws it from the request's jitter).
type UnpauseRequest struct {
	ResetAttempts  bool
	ResetHeartbeat bool
	Delay          time.Duration
}

// UnpauseActivity resumes a paused activity; an activity that is not paused is
// left alone. A waiting attempt is scheduled again at once (or after Delay); a
// running one carries on.
func (tx *Tx) UnpauseActivity(act *Activity, u UnpauseRequest) {
	if !act.Paused {
		return
	}
	act.clearPause()
	if u.ResetHeartbeat {
		act.HeartbeatDetails, act.LastHeartbeat = nil, time.Time{}
	}
	if act.State == ActivityStarted {
		if u.ResetAttempts {
			act.ResetAttempts = true
		}
		return
	}
	if u.ResetAttempts {
		act.Attempt = 1
	}
	tx.rescheduleAttempt(act, u.Delay)
}

// ResetRequest says how an activity is reset. Original, when set, restores
// the options the activity was scheduled with.
type ResetRequest struct {
	ResetHeartbeat bool
	KeepPaused     bool
	Delay          time.Duration
	Original       *ActivityOptions
}

// ResetActivity sets the activity back to its first attempt. A running attempt
// is told through its heartbeat and the attempt after it is number 1; a waiting
// one becomes attempt 1 now and is scheduled at once (or after Delay) unless it
// stays paused.
func (tx *Tx) ResetActivity(act *Activity, r ResetRequest) {
	if r.Original != nil {
		act.applyOptions(*r.Original)
	}
	if act.Paused && !r.KeepPaused {
		act.clearPause()
	}
	act.ResetRequested = true
	if act.State == ActivityStarted {
		act.ResetAttempts = true
		act.ResetHeartbeat = act.ResetHeartbeat || r.ResetHeartbeat
		return
	}
	act.Attempt = 1
	if r.ResetHeartbeat {
		act.HeartbeatDetails, act.LastHeartbeat = nil, time.Time{}
	}
	if act.Paused {
		return
	}
	tx.rescheduleAttempt(act, r.Delay)
}

// ActivityOptions are the options of a pending activity an operator may change.
type ActivityOptions struct {
	TaskQueue       string
	ScheduleToClose time.Duration
	ScheduleToStart time.Duration
	StartToClose    time.Duration
	Heartbeat       time.Duration
	Retry           RetryPolicy
	Priority        []byte // encoded commonpb.Priority, nil if none
}

// Options returns the activity's current options.
func (a *Activity) Options() ActivityOptions {
	return ActivityOptions{
		TaskQueue: a.TaskQueue, ScheduleToClose: a.ScheduleToClose, ScheduleToStart: a.ScheduleToStart,
		StartToClose: a.StartToClose, Heartbeat: a.Heartbeat, Retry: a.Retry, Priority: a.Priority,
	}
}

// UpdateActivityOptions replaces the activity's options. A running attempt
// keeps its task and is bound by the new timeouts; an attempt in backoff waits
// the interval the new retry policy gives, counted from the end of the failed
// attempt.
func (tx *Tx) UpdateActivityOptions(act *Activity, o ActivityOptions) {
	act.applyOptions(o)
	if act.State == ActivityBackoff && !act.LastAttemptCompleteTime.IsZero() {
		act.AttemptScheduledTime = act.LastAttemptCompleteTime.Add(act.Retry.Backoff(act.Attempt - 1))
	}
}

func (a *Activity) applyOptions(o ActivityOptions) {
	a.TaskQueue = o.TaskQueue
	a.ScheduleToClose, a.ScheduleToStart, a.StartToClose, a.Heartbeat = o.ScheduleToClose, o.ScheduleToStart, o.StartToClose, o.Heartbeat
	a.Retry = o.Retry
	a.Priority = o.Priority
}

// NormalizeActivityTimeouts fills and caps an activity's timeouts as Temporal
// does when it schedules one: schedule-to-close bounds the others, and a run
// timeout (runTimeout > 0) bounds them all. It fails when neither a
// start-to-close nor a schedule-to-close timeout is set.
func NormalizeActivityTimeouts(s2c, s2s, st2c, hb, runTimeout time.Duration) (ActivityOptions, bool) {
	switch {
	case s2c > 0:
		if s2s == 0 || s2s > s2c {
			s2s = s2c
		}
		if st2c == 0 || st2c > s2c {
			st2c = s2c
		}
	case st2c > 0:
		s2c = runTimeout
		if s2s == 0 {
			s2s = runTimeout
		}
	default:
		return ActivityOptions{}, false
	}
	if runTimeout > 0 {
		s2c, s2s, st2c = capAt(s2c, runTimeout), capAt(s2s, runTimeout), capAt(st2c, runTimeout)
	}
	if s2c > 0 && hb > s2c {
		hb = s2c
	}
	return ActivityOptions{ScheduleToClose: s2c, ScheduleToStart: s2s, StartToClose: st2c, Heartbeat: hb}, true
}

// HeartbeatFlags says what a heartbeat of the running attempt reports besides
// a cancellation request: whether the activity is paused or was reset.
func (a *Activity) HeartbeatFlags() (paused, reset bool) {
	return a.Paused, a.ResetRequested
}

func (a *Activity) clearPause() {
	a.Paused = false
	a.PauseTime = time.Time{}
	a.PauseIdentity, a.PauseReason, a.PauseRequestID = "", "", ""
}

// rescheduleAttempt makes a waiting activity's attempt due again after delay.
func (tx *Tx) rescheduleAttempt(act *Activity, delay time.Duration) {
	act.StartedTime = time.Time{}
	if delay > 0 {
		act.State = ActivityBackoff
		act.AttemptScheduledTime = tx.Now.Add(delay)
		return
	}
	act.State = ActivityScheduled
	act.AttemptScheduledTime = tx.Now
}

// startNextAttempt numbers the attempt after the current one (1 after a
// reset) and applies what a reset asked of it.
func (act *Activity) startNextAttempt() {
	if act.ResetAttempts {
		act.Attempt = 1
	} else {
		act.Attempt++
	}
	if act.ResetHeartbeat {
		act.HeartbeatDetails, act.LastHeartbeat = nil, time.Time{}
	}
	act.ResetAttempts, act.ResetRequested, act.ResetHeartbeat = false, false, false
}

// holdPausedAttempt ends a failed attempt of a paused activity: the next
// attempt waits, undispatched, until the activity is unpaused.
func (tx *Tx) holdPausedAttempt(act *Activity, failure *failurepb.Failure) {
	act.LastFailure, _ = proto.Marshal(failure)
	act.LastAttemptCompleteTime = tx.Now
	act.startNextAttempt()
	act.State = ActivityScheduled
	act.AttemptScheduledTime = tx.Now
	act.StartedTime = time.Time{}
}
