package machine

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// encodeByReflection is Encode done by encoding/json alone (activities last,
// as Encode puts them): the oracle appendStateJSON must match.
func encodeByReflection(t *testing.T, s *State) []byte {
	t.Helper()
	p := persistedState{State: s}
	for _, ev := range s.Buffered {
		b, err := proto.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		p.BufferedEvents = append(p.BufferedEvents, b)
	}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Activities) == 0 {
		return b
	}
	acts, err := json.Marshal(s.Activities)
	if err != nil {
		t.Fatal(err)
	}
	// Activities are written last; encoding/json puts the shadowing field
	// after the promoted ones too, but omits it here (nil in p).
	b = b[:len(b)-1]
	if b[len(b)-1] != '{' {
		b = append(b, ',')
	}
	b = append(b, `"Activities":`...)
	b = append(b, acts...)
	return append(b, '}')
}

// richState sets every field of State to something distinctive.
func richState() *State {
	at := time.Date(2026, 11, 22, 1, 2, 3, 456789012, time.UTC)
	return &State{
		NamespaceID: "ns-id", Namespace: "default", WorkflowID: "wf <1>", RunID: "run", FirstRunID: "first",
		WorkflowType: "Type", TaskQueue: "queue", Status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		StartRequest: "req", Identity: "id", Attempt: 2,
		StartTime: at, ExecutionTime: at.Add(time.Second), CloseTime: at.Add(time.Hour),
		RunTimeout: time.Hour, ExecutionTimeout: 2 * time.Hour, WorkflowTaskTimeout: 10 * time.Second,
		RunDeadline: at.Add(time.Hour), DelayedStart: true, ExecutionDeadline: at.Add(2 * time.Hour),
		NextEventID: 42, LastCompletedStartedID: 40, CloseEventID: 41, HistorySize: 9000,
		WorkflowTask: &WorkflowTask{ScheduledEventID: 39, StartedEventID: 40, Attempt: 1, TaskQueue: "sticky", Sticky: true,
			ScheduledTime: at, StartedTime: at, Timeout: time.Second, ScheduleToStartDeadline: at, RequestID: "r", Identity: "w", Inline: true},
		WorkflowTaskNeeded: true, StickyQueue: "sticky", StickyTimeout: 5 * time.Second,
		Buffered:        []*historypb.HistoryEvent{{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED}},
		Activities:      map[int64]*Activity{5: fullActivity(), 7: {ScheduledEventID: 7}},
		Timers:          map[string]*Timer{"b": {TimerID: "b", StartedEventID: 3, FireTime: at}, "a\u2028": {TimerID: "a"}, "c": nil},
		Children:        map[int64]*Child{9: {}},
		ExternalSignals: map[int64]*ExternalRequest{10: {}}, ExternalCancels: map[int64]*ExternalRequest{11: {}},
		Parent: &ParentInfo{},
		NexusOperations: map[int64]*NexusOperation{7: {ScheduledEventID: 7, Endpoint: "ep", State: NexusStarted, OperationToken: "tok",
			Cancel: &NexusCancel{RequestedEventID: 9}, Handler: &commonpb.WorkflowExecution{WorkflowId: "h"}}},
		Callbacks:        []NexusCallback{{URL: "temporal://system", Header: map[string]string{"Temporal-Callback-Token": "t"}}},
		Updates:          map[string]*UpdateRecord{"u": {}},
		SignalRequestIDs: []string{"s1", "s2"}, CancelRequested: true,
		Pause: &RunPause{Time: at, Identity: "ops", Reason: "r\u2028", RequestID: "p"},
		Memo:  []byte("memo"), SearchAttributes: []byte{}, RetryPolicy: []byte("rp"), CronSchedule: "@every 1h",
		ResetPoints: []ResetPoint{{BinaryChecksum: "bin", CompletedEventID: 4, CreateTime: at}, {}},
		Priority:    []byte{1}, Input: []byte("in"), Header: []byte("hdr"),
	}
}

func TestStateJSONMatchesReflection(t *testing.T) {
	cases := map[string]func(s *State){
		"rich": func(*State) {},
		"zero": func(s *State) { *s = State{} },
		"empty collections": func(s *State) {
			*s = State{Activities: map[int64]*Activity{}, Timers: map[string]*Timer{}, Children: map[int64]*Child{},
				ResetPoints: []ResetPoint{}, SignalRequestIDs: []string{}, WorkflowTask: &WorkflowTask{}}
		},
		"no buffered":     func(s *State) { s.Buffered = nil },
		"only activities": func(s *State) { *s = State{Activities: map[int64]*Activity{1: {}}} },
		"bad time":        func(s *State) { s.StartTime = time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC) },
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			s := richState()
			edit(s)
			got, err := Encode(s)
			if name == "bad time" {
				if err == nil {
					t.Fatalf("Encode accepted a year outside 0-9999: %s", got)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if want := encodeByReflection(t, s); !bytes.Equal(got, want) {
				t.Fatalf("Encode differs from reflection:\n got %s\nwant %s", got, want)
			}
			back, err := Decode(got)
			if err != nil {
				t.Fatalf("Decode: %v", err)
			}
			again, err := Encode(back)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodeByReflection(t, back); !bytes.Equal(again, want) {
				t.Fatalf("after a round trip Encode differs from reflection:\n got %s\nwant %s", again, want)
			}
		})
	}
}
