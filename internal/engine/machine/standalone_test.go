package machine

import (
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
)

var standaloneStart = time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)

func newStandaloneForTest(t *testing.T, p StandaloneParams) *State {
	t.Helper()
	if p.ActivityID == "" {
		p.ActivityID, p.RunID, p.ActivityType, p.TaskQueue = "a1", "r1", "Charge", "q"
	}
	tx, err := NewStandaloneActivity(p, standaloneStart)
	if err != nil {
		t.Fatal(err)
	}
	if len(tx.Events) != 1 || tx.Events[0].EventType != enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
		t.Fatalf("start wrote %v", tx.Events)
	}
	return tx.S
}

func eventTypes(tx *Tx) []enumspb.EventType {
	var out []enumspb.EventType
	for _, ev := range tx.Events {
		out = append(out, ev.EventType)
	}
	return out
}

// A failed attempt is retried without events; the completed one closes the
// run with the started and completed events.
func TestStandaloneRetryThenComplete(t *testing.T) {
	s := newStandaloneForTest(t, StandaloneParams{
		ActivityID: "a1", RunID: "r1", ActivityType: "Charge", TaskQueue: "q", StartToClose: time.Minute,
		RetryPolicy: &commonpb.RetryPolicy{MaximumAttempts: 3},
	})
	now := standaloneStart
	tx := Begin(s.Clone(), now)
	act, err := tx.StartActivity(1, 1, "w1", "req")
	if err != nil {
		t.Fatal(err)
	}
	tx.HeartbeatActivity(act, &commonpb.Payloads{Payloads: []*commonpb.Payload{{Data: []byte("1")}}})
	tx.FailActivity(act, &failurepb.Failure{Message: "boom"}, nil, "w1")
	if len(tx.Events) != 0 || !tx.S.Open() || tx.S.StandaloneActivity().State != ActivityBackoff {
		t.Fatalf("after a failed attempt: events %v, state %+v", eventTypes(tx), tx.S.StandaloneActivity())
	}
	s = tx.S
	retryAt := s.NextDeadline()
	if want := now.Add(DefaultInitialInterval); !retryAt.Equal(want) {
		t.Fatalf("retry at %v, want %v", retryAt, want)
	}
	tx = Begin(s.Clone(), retryAt)
	if changed, err := tx.FireDeadlines(); err != nil || !changed {
		t.Fatalf("FireDeadlines = %v, %v", changed, err)
	}
	act, err = tx.StartActivity(1, 2, "w2", "req2")
	if err != nil {
		t.Fatal(err)
	}
	if act.DecodedHeartbeatDetails() == nil {
		t.Error("the second attempt lost the first one's heartbeat details")
	}
	tx.CompleteActivity(act, nil, "w2")
	want := []enumspb.EventType{enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED, enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED}
	if got := eventTypes(tx); len(got) != 2 || got[0] != want[0] || got[1] != want[1] {
		t.Fatalf("events %v, want %v", got, want)
	}
	s = tx.S
	if s.Open() || s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || s.CloseEventID != 3 || s.WorkflowTask != nil {
		t.Fatalf("closed state: status %v close event %d workflow task %v", s.Status, s.CloseEventID, s.WorkflowTask)
	}
	if sa := s.Standalone; sa.Attempt != 2 || sa.LastWorkerIdentity != "w2" || sa.HeartbeatCount != 1 || !sa.LastAttemptCompleteTime.Equal(retryAt) {
		t.Fatalf("standalone record %+v", sa)
	}
	decoded := roundTrip(t, s)
	if decoded.Standalone == nil || decoded.Standalone.Attempt != 2 || ActivityStatusOf(decoded.Status) != enumspb.ACTIVITY_EXECUTION_STATUS_COMPLETED {
		t.Fatalf("decoded %+v", decoded.Standalone)
	}
}

func roundTrip(t *testing.T, s *State) *State {
	t.Helper()
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// Cancel ends an activity that waits for a worker at once, and only flags a
// running one; a second request is refused. Terminate ends a running one.
func TestStandaloneCancelAndTerminate(t *testing.T) {
	s := newStandaloneForTest(t, StandaloneParams{ActivityID: "a1", RunID: "r1", ActivityType: "T", TaskQueue: "q", ScheduleToClose: time.Minute})
	tx := Begin(s.Clone(), standaloneStart)
	if err := tx.RequestCancelStandalone("why", "me", "c1"); err != nil {
		t.Fatal(err)
	}
	if tx.S.Status != enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED || len(tx.Events) != 1 || tx.S.Standalone.CancelReason != "why" {
		t.Fatalf("cancel while scheduled: status %v events %v", tx.S.Status, eventTypes(tx))
	}
	if err := tx.RequestCancelStandalone("again", "me", "c2"); err == nil {
		t.Fatal("a cancel of a closed activity was accepted")
	}

	tx = Begin(s.Clone(), standaloneStart)
	if _, err := tx.StartActivity(1, 1, "w", "r"); err != nil {
		t.Fatal(err)
	}
	if err := tx.RequestCancelStandalone("why", "me", "c1"); err != nil {
		t.Fatal(err)
	}
	act := tx.S.StandaloneActivity()
	if !tx.S.Open() || act == nil || !tx.HeartbeatActivity(act, nil) {
		t.Fatal("a running attempt was not told of the cancellation through its heartbeat")
	}
	var pre *PreconditionError
	if err := tx.RequestCancelStandalone("why", "me", "c2"); err == nil || !asPrecondition(err, &pre) {
		t.Fatalf("second cancel = %v, want a PreconditionError", err)
	}
	if err := tx.TerminateStandalone("stop", "me", "t1"); err != nil {
		t.Fatal(err)
	}
	if tx.S.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED || len(tx.S.Activities) != 0 {
		t.Fatalf("after terminate: status %v", tx.S.Status)
	}
	if err := tx.TerminateStandalone("stop", "me", "t1"); err != nil {
		t.Fatalf("repeated terminate = %v", err)
	}
	if err := tx.TerminateStandalone("stop", "me", "t2"); err == nil {
		t.Fatal("a second terminate with another request id was accepted")
	}
}

func asPrecondition(err error, target **PreconditionError) bool {
	p, ok := err.(*PreconditionError)
	*target = p
	return ok
}

// A start delay holds the first attempt back; schedule-to-start without a
// worker ends the activity timed out.
func TestStandaloneStartDelayAndTimeout(t *testing.T) {
	s := newStandaloneForTest(t, StandaloneParams{ActivityID: "a1", RunID: "r1", ActivityType: "T", TaskQueue: "q",
		StartToClose: time.Minute, ScheduleToStart: 5 * time.Second, StartDelay: 10 * time.Second})
	if got := s.NextDeadline(); !got.Equal(standaloneStart.Add(10 * time.Second)) {
		t.Fatalf("first deadline %v, want the end of the start delay", got)
	}
	if _, err := Begin(s.Clone(), standaloneStart).StartActivity(1, 1, "w", "r"); err == nil {
		t.Fatal("a delayed activity started before its delay ended")
	}
	tx := Begin(s.Clone(), standaloneStart.Add(10*time.Second))
	if _, err := tx.FireDeadlines(); err != nil {
		t.Fatal(err)
	}
	s = tx.S
	tx = Begin(s.Clone(), standaloneStart.Add(15*time.Second))
	if _, err := tx.FireDeadlines(); err != nil {
		t.Fatal(err)
	}
	if tx.S.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT {
		t.Fatalf("status %v, want timed out", tx.S.Status)
	}
	if _, err := NewStandaloneActivity(StandaloneParams{ActivityID: "a", RunID: "r", ActivityType: "T", TaskQueue: "q"}, standaloneStart); err == nil {
		t.Fatal("an activity without timeouts was accepted")
	}
}
