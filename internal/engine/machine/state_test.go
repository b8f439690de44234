package machine_test

import (
	"reflect"
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// busyRun builds a run with a bit of everything pending: a started sticky
// workflow task, a running activity with heartbeat details, one in backoff with
// a last failure, a timer, and a buffered activity completion and signal.
func busyRun(t *testing.T) *run {
	t.Helper()
	p := defaultStart()
	p.RunTimeout = time.Hour
	r := startRun(t, p)
	r.startWFT(at(time.Second))
	second := activityAttrs(time.Minute, nil)
	second.ActivityId = "a2"
	r.complete(at(2*time.Second), machine.CompletionOptions{Sticky: sticky("sticky-1", 5*time.Second)},
		scheduleActivity(activityAttrs(time.Minute, nil)), scheduleActivity(second), startTimer("t1", time.Hour)) // [5], [6], [7]
	a1 := r.startActivity(at(3*time.Second), 5)
	r.do(at(3500*time.Millisecond), func(tx *machine.Tx) { tx.HeartbeatActivity(a1, payloads("hb")) })
	a2 := r.startActivity(at(3*time.Second), 6)
	r.do(at(4*time.Second), func(tx *machine.Tx) { tx.FailActivity(a2, appFailure("boom", "X"), nil, "act-worker") })
	r.do(at(5*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s1"}) }) // [8], [9] sticky
	r.startWFT(at(6 * time.Second))                                                             // [10]
	r.do(at(7*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(r.activity(5), payloads("ok"), "act-worker") })
	r.do(at(8*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "s2", Input: payloads("x")}) })
	if len(r.s.Buffered) != 3 || len(r.s.Activities) != 1 || len(r.s.Timers) != 1 {
		t.Fatalf("busy run: %d buffered, %d activities, %d timers", len(r.s.Buffered), len(r.s.Activities), len(r.s.Timers))
	}
	return r
}

// TestEncodeDecodeRoundTrip: a state survives the store, buffered events
// included, and the decoded state continues exactly like the original.
func TestEncodeDecodeRoundTrip(t *testing.T) {
	r := busyRun(t)
	b, err := machine.Encode(r.s)
	if err != nil {
		t.Fatal(err)
	}
	got, err := machine.Decode(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Buffered) != len(r.s.Buffered) {
		t.Fatalf("decoded %d buffered events, want %d", len(got.Buffered), len(r.s.Buffered))
	}
	for i := range got.Buffered {
		if !proto.Equal(got.Buffered[i], r.s.Buffered[i]) {
			t.Errorf("buffered event %d:\n got %v\nwant %v", i, got.Buffered[i], r.s.Buffered[i])
		}
	}
	a, w := *got, *r.s
	a.Buffered, w.Buffered = nil, nil
	if !reflect.DeepEqual(&a, &w) {
		t.Errorf("decoded state differs:\n got %+v\nwant %+v", a, w)
	}
	if !got.NextDeadline().Equal(r.s.NextDeadline()) {
		t.Errorf("NextDeadline %v after decode, want %v", fmtTime(got.NextDeadline()), fmtTime(r.s.NextDeadline()))
	}

	// The decoded state flushes the buffered pair with correct ids.
	decoded := &run{t: t, s: got, history: r.history}
	evs := decoded.complete(at(9*time.Second), machine.CompletionOptions{})
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED,
		enumspb.EVENT_TYPE_ACTIVITY_TASK_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	wantInt(t, "ActivityTaskCompleted.started_event_id", evs[2].GetActivityTaskCompletedEventAttributes().StartedEventId, evs[1].EventId)
	if got := payloadString(decoded.activity(6).DecodedHeartbeatDetails()); got != "<0 payloads>" {
		t.Errorf("activity a2 never heartbeated but has details %q", got)
	}
	if decoded.activity(6).Attempt != 2 || decoded.activity(6).State != machine.ActivityBackoff {
		t.Errorf("decoded backoff activity: %+v", decoded.activity(6))
	}
}

// TestDecodeRejectsGarbage: unreadable state is an error, not a panic or an
// empty run.
func TestDecodeRejectsGarbage(t *testing.T) {
	for _, b := range [][]byte{nil, []byte("{"), []byte(`{"BufferedEvents":["!!"]}`), []byte(`{"BufferedEvents":["/w=="]}`)} {
		if _, err := machine.Decode(b); err == nil {
			t.Errorf("Decode(%q) succeeded", b)
		}
	}
}

// TestCloneIsIndependent: a transition run on a clone and then abandoned leaves
// the original untouched, so the engine can discard failed transitions.
func TestCloneIsIndependent(t *testing.T) {
	r := busyRun(t)
	origBuffered := make([][]byte, len(r.s.Buffered))
	for i, ev := range r.s.Buffered {
		origBuffered[i], _ = proto.Marshal(ev)
	}
	orig := encodeWithoutBuffer(t, r.s)

	// Run several transitions on a clone: flush the buffer, retry and time out
	// activities, fire the timer, close the run.
	c := r.s.Clone()
	tx := machine.Begin(c, at(9*time.Second))
	if _, err := tx.CompleteWorkflowTask(nil, machine.CompletionOptions{}); err != nil {
		t.Fatal(err)
	}
	tx = machine.Begin(c, at(2*time.Hour))
	if _, err := tx.FireDeadlines(); err != nil {
		t.Fatalf("FireDeadlines: %v", err)
	}
	tx = machine.Begin(c, at(3*time.Hour))
	tx.TerminateRun("gone", nil, "x")
	if c.Open() {
		t.Fatal("clone did not close")
	}

	if after := encodeWithoutBuffer(t, r.s); after != orig {
		t.Errorf("transitions on a clone changed the original state\nbefore %s\nafter  %s", orig, after)
	}
	if len(r.s.Buffered) != len(origBuffered) {
		t.Fatalf("original has %d buffered events, had %d", len(r.s.Buffered), len(origBuffered))
	}
	for i, ev := range r.s.Buffered {
		if b, _ := proto.Marshal(ev); string(b) != string(origBuffered[i]) {
			t.Errorf("State.Clone shares buffered *HistoryEvent values: flushing them on the clone changed the original's event %d (now id %d, %s); "+
				"an abandoned transition that flushed would leave the original with stale ids and started_event_id links", i, ev.EventId, ev.EventType)
		}
	}
}

// encodeWithoutBuffer is the encoded state without its buffered events.
func encodeWithoutBuffer(t *testing.T, s *machine.State) string {
	t.Helper()
	c := *s
	c.Buffered = nil
	b, err := machine.Encode(&c)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
