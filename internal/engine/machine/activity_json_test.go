package machine

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"
)

// encodeActivity is appendJSON from an empty buffer.
func encodeActivity(a *Activity) ([]byte, error) { return a.appendJSON(nil) }

func requireSameJSON(t *testing.T, a *Activity) {
	t.Helper()
	want, wantErr := json.Marshal(a)
	got, gotErr := encodeActivity(a)
	if (wantErr != nil) != (gotErr != nil) {
		t.Fatalf("errors differ: reflection %v, MarshalJSON %v", wantErr, gotErr)
	}
	if wantErr != nil {
		return
	}
	if !bytes.Equal(got, want) {
		t.Fatalf("MarshalJSON differs from reflection:\n got %s\nwant %s", got, want)
	}
	// What Decode reads back encodes the same both ways too (it differs from
	// a only where JSON cannot hold a string: invalid UTF-8 becomes U+FFFD).
	var back Activity
	if err := json.Unmarshal(got, &back); err != nil {
		t.Fatalf("reading back %s: %v", got, err)
	}
	again, _ := encodeActivity(&back)
	wantAgain, _ := json.Marshal(&back)
	if !bytes.Equal(again, wantAgain) {
		t.Fatalf("after a round trip MarshalJSON differs from reflection:\n got %s\nwant %s", again, wantAgain)
	}
}

func fullActivity() *Activity {
	at := time.Date(2026, 11, 22, 1, 2, 3, 456789012, time.UTC)
	return &Activity{
		ScheduledEventID: 5, ActivityID: "charge-1", ActivityType: "ChargeCard", TaskQueue: "orders",
		State: ActivityBackoff, Attempt: 3,
		ScheduledTime: at, AttemptScheduledTime: at.Add(time.Second), StartedTime: at.In(time.FixedZone("x", 3600)),
		StartedIdentity: "worker@host", StartedRequestID: "req",
		ScheduleToClose: time.Hour, ScheduleToStart: time.Minute, StartToClose: 10 * time.Second, Heartbeat: 3 * time.Second,
		Retry:            RetryPolicy{InitialInterval: time.Second, BackoffCoefficient: 2, MaximumInterval: time.Minute, MaximumAttempts: 5, NonRetryableErrorTypes: []string{"Fatal", "Bad<Input>"}},
		HeartbeatDetails: []byte{0, 1, 2, 250}, LastHeartbeat: at, LastFailure: []byte("failure"), LastIdentity: "w2",
		CancelRequested: true, CancelRequestedEventID: 9, Priority: []byte{8, 1},
		Paused: true, PauseTime: at, PauseIdentity: "ops@host", PauseReason: "investigating \"it\"", PauseRequestID: "p-1",
		ResetRequested: true, ResetHeartbeat: true, ResetAttempts: true, LastAttemptCompleteTime: at.Add(time.Minute),
	}
}

func TestActivityJSONMatchesReflection(t *testing.T) {
	cases := map[string]func(a *Activity){
		"full":                func(*Activity) {},
		"zero":                func(a *Activity) { *a = Activity{} },
		"empty byte slices":   func(a *Activity) { a.HeartbeatDetails, a.LastFailure, a.Priority = []byte{}, []byte{}, []byte{} },
		"empty error types":   func(a *Activity) { a.Retry.NonRetryableErrorTypes = []string{} },
		"zero retry":          func(a *Activity) { a.Retry = RetryPolicy{} },
		"only coefficient":    func(a *Activity) { a.Retry = RetryPolicy{BackoffCoefficient: 1.5} },
		"tiny coefficient":    func(a *Activity) { a.Retry.BackoffCoefficient = 1e-7 },
		"huge coefficient":    func(a *Activity) { a.Retry.BackoffCoefficient = 1.5e21 },
		"fraction":            func(a *Activity) { a.Retry.BackoffCoefficient = 0.1 },
		"negative exponent":   func(a *Activity) { a.Retry.BackoffCoefficient = -2.5e-10 },
		"big exponent":        func(a *Activity) { a.Retry.BackoffCoefficient = 1e300 },
		"nan":                 func(a *Activity) { a.Retry.BackoffCoefficient = math.NaN() },
		"negative values":     func(a *Activity) { a.Attempt, a.Heartbeat = -1, -time.Second },
		"escapes":             func(a *Activity) { a.ActivityID = "q\"b\\s/\b\f\n\r\t\x00\x1f<>&\u2028\u2029é😀\x7f" },
		"invalid utf8":        func(a *Activity) { a.ActivityType = "a\xffb\xc3(c\xe2\x82" },
		"year out of range":   func(a *Activity) { a.StartedTime = time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC) },
		"only cancel request": func(a *Activity) { *a = Activity{CancelRequested: true} },
		"only paused":         func(a *Activity) { *a = Activity{Paused: true} },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			a := fullActivity()
			edit(a)
			requireSameJSON(t, a)
		})
	}
}

// TestEncodeKeepsActivities: the state Encode writes reads back with every
// activity, and a state encoded the old way (the whole state by reflection)
// still reads.
func TestEncodeKeepsActivities(t *testing.T) {
	s := &State{WorkflowID: "wf", NextEventID: 20, Activities: map[int64]*Activity{5: fullActivity(), 7: {ScheduledEventID: 7}, 12: {}}}
	data, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(data) {
		t.Fatalf("Encode wrote invalid JSON: %s", data)
	}
	old, err := json.Marshal(struct{ *State }{s})
	if err != nil {
		t.Fatal(err)
	}
	for name, blob := range map[string][]byte{"new": data, "old": old} {
		back, err := Decode(blob)
		if err != nil {
			t.Fatalf("%s encoding: %v", name, err)
		}
		if back.WorkflowID != "wf" || back.NextEventID != 20 || len(back.Activities) != 3 {
			t.Fatalf("%s encoding read back as %+v", name, back)
		}
		got, _ := json.Marshal(back.Activities)
		want, _ := json.Marshal(s.Activities)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s encoding: activities read back as %s, want %s", name, got, want)
		}
	}
	empty, err := Encode(&State{})
	if err != nil || !json.Valid(empty) {
		t.Fatalf("Encode(empty) = %s, %v", empty, err)
	}
	if back, err := Decode(empty); err != nil || back.Activities == nil {
		t.Fatalf("empty state read back as %+v, %v", back, err)
	}
}

func FuzzActivityJSON(f *testing.F) {
	f.Add("id", "type", "queue", int64(5), 2.0, int64(1700000000123456789), []byte("d"))
	f.Add("\u2028<&>\"", "\xff", "", int64(-1), 1e-9, int64(0), []byte(nil))
	f.Fuzz(func(t *testing.T, id, typ, queue string, n int64, coef float64, unixNanos int64, details []byte) {
		a := &Activity{
			ScheduledEventID: n, ActivityID: id, ActivityType: typ, TaskQueue: queue,
			ScheduledTime:    time.Unix(0, unixNanos).UTC(),
			Retry:            RetryPolicy{BackoffCoefficient: coef, NonRetryableErrorTypes: []string{id, typ}},
			HeartbeatDetails: details,
		}
		requireSameJSON(t, a)
	})
}
