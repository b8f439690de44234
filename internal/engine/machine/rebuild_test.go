package machine_test

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	updatepb "go.temporal.io/api/update/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// TestRebuildMatchesMachine drives a run through every kind of event the
// machine writes and, after each transition, checks that Rebuild of the
// history so far gives back the machine's state (on everything history
// records).
func TestRebuildMatchesMachine(t *testing.T) {
	p := defaultStart()
	p.RunTimeout = time.Hour
	p.ExecutionTimeout = 2 * time.Hour
	p.RetryPolicy = &commonpb.RetryPolicy{MaximumAttempts: 3}
	p.Input = payloads("in")
	p.Memo = &commonpb.Memo{Fields: map[string]*commonpb.Payload{"m": payload("1")}}
	p.SearchAttributes = &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{"CustomKeywordField": payload("k")}}
	p.Parent = &machine.ParentInfo{NamespaceID: "ns-id", Namespace: "default", WorkflowID: "parent", RunID: "parent-run",
		InitiatedEventID: 9, RootWorkflowID: "parent", RootRunID: "parent-run"}
	r := startRun(t, p)
	check := func(step string) {
		t.Helper()
		checkRebuild(t, step, r)
	}
	check("start")

	r.startWFT(at(time.Second))
	check("first task started")
	a2 := activityAttrs(time.Minute, nil)
	a2.ActivityId = "a2"
	r.complete(at(2*time.Second), machine.CompletionOptions{Identity: "wf-worker", Sticky: sticky("sticky-q", 5*time.Second)},
		scheduleActivity(activityAttrs(time.Minute, &commonpb.RetryPolicy{MaximumAttempts: 2})),
		scheduleActivity(a2),
		startTimer("t1", time.Minute),
		startTimer("t2", time.Hour),
		upsertSearchAttributes("CustomIntField", "5"),
		modifyMemo("m", "2"),
		recordMarker("Version"),
		startChild("child-wf"),
		signalExternal("other-wf"),
		cancelExternal("third-wf"),
	)
	check("first task completed")

	// Activity a1 fails once and retries: nothing in history, attempt 2 runs.
	act := r.startActivity(at(3*time.Second), 5)
	r.do(at(4*time.Second), func(tx *machine.Tx) { tx.FailActivity(act, appFailure("boom", "E"), nil, "act-worker") })
	check("a1 in backoff")
	r.fire(at(6 * time.Second))
	act = r.startActivity(at(7*time.Second), 5)
	r.do(at(8*time.Second), func(tx *machine.Tx) { tx.CompleteActivity(act, payloads("ok"), "act-worker") })
	check("a1 completed (new sticky task)")

	r.do(at(9*time.Second), func(tx *machine.Tx) {
		tx.SignalRun(&machine.Signal{Name: "go", Input: payloads("s"), RequestID: "sig-1", Identity: "client"})
	})
	check("signal")
	initiated := childInitiatedAt(t, r)
	r.do(at(10*time.Second), func(tx *machine.Tx) {
		if err := tx.ChildStarted(initiated, "child-run", nil); err != nil {
			t.Fatalf("ChildStarted: %v", err)
		}
	})
	check("child started")

	r.startWFT(at(11 * time.Second))
	r.complete(at(12*time.Second), machine.CompletionOptions{Identity: "wf-worker", Messages: []*protocolpb.Message{
		updateMessage(t, "m1", "u1", &updatepb.Acceptance{AcceptedRequestMessageId: "req-u1", AcceptedRequestSequencingEventId: 1}),
		updateMessage(t, "m2", "u1", &updatepb.Response{Meta: &updatepb.Meta{UpdateId: "u1"}, Outcome: &updatepb.Outcome{Value: &updatepb.Outcome_Success{Success: payloads("done")}}}),
		updateMessage(t, "m3", "u2", &updatepb.Acceptance{AcceptedRequestMessageId: "req-u2"}),
	}}, cancelTimer("t2"), cancelActivity(6))
	check("second task: updates, timer and activity canceled")

	r.do(at(13*time.Second), func(tx *machine.Tx) {
		if err := tx.ExternalSignalDone(initiated+1, "other-run", enumspb.SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_UNSPECIFIED); err != nil {
			t.Fatalf("ExternalSignalDone: %v", err)
		}
		if err := tx.ExternalCancelDone(initiated+2, "", enumspb.CANCEL_EXTERNAL_WORKFLOW_EXECUTION_FAILED_CAUSE_EXTERNAL_WORKFLOW_EXECUTION_NOT_FOUND); err != nil {
			t.Fatalf("ExternalCancelDone: %v", err)
		}
	})
	check("external requests done")
	r.startWFT(at(14 * time.Second))
	r.do(at(15*time.Second), func(tx *machine.Tx) {
		tx.FailWorkflowTask(enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE, appFailure("panic", "P"), "wf-worker", "")
	})
	check("workflow task failed")
	r.startWFT(at(16 * time.Second))
	r.fire(at(16*time.Second + machine.DefaultWorkflowTaskTimeout))
	check("workflow task timed out")

	r.do(at(time.Minute+2*time.Second), func(tx *machine.Tx) {
		if changed, err := tx.FireDeadlines(); err != nil || !changed {
			t.Fatal("timer t1 did not fire")
		}
	})
	check("timer fired")
	r.do(at(2*time.Minute), func(tx *machine.Tx) {
		if err := tx.ChildClosed(initiated, "child-run", &historypb.HistoryEvent{EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED,
			Attributes: &historypb.HistoryEvent_WorkflowExecutionCompletedEventAttributes{WorkflowExecutionCompletedEventAttributes: &historypb.WorkflowExecutionCompletedEventAttributes{}}}); err != nil {
			t.Fatalf("ChildClosed: %v", err)
		}
		tx.RequestCancelRun("stop", "client")
	})
	check("child closed, cancel requested")

	r.startWFT(at(3 * time.Minute))
	r.complete(at(3*time.Minute+time.Second), machine.CompletionOptions{Identity: "wf-worker"}, completeWorkflow("bye"))
	check("completed")
}

// TestRebuildTerminatedDuringTask checks a run closed from outside while a
// workflow task ran.
func TestRebuildTerminatedDuringTask(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	r.do(at(2*time.Second), func(tx *machine.Tx) { tx.TerminateRun("bye", nil, "admin") })
	checkRebuild(t, "terminated", r)
}

// TestRebuildDelayedStart checks a run whose first task waits for its start
// delay.
func TestRebuildDelayedStart(t *testing.T) {
	p := defaultStart()
	p.StartDelay = time.Minute
	p.RunTimeout = time.Hour
	r := startRun(t, p)
	checkRebuild(t, "delayed", r)
	r.fire(at(time.Minute))
	checkRebuild(t, "delay over", r)
}

func TestRebuildRejectsBadHistory(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	cases := map[string][]*historypb.HistoryEvent{
		"empty":           nil,
		"no start event":  r.history[1:],
		"gap in ids":      {r.history[0], r.history[2]},
		"unknown started": {r.history[0], r.history[2]},
	}
	for name, evs := range cases {
		if _, err := machine.Rebuild(evs, "ns-id", "default"); err == nil {
			t.Errorf("%s: Rebuild succeeded", name)
		}
	}
	bad := proto.Clone(r.history[2]).(*historypb.HistoryEvent)
	bad.GetWorkflowTaskStartedEventAttributes().ScheduledEventId = 7
	if _, err := machine.Rebuild([]*historypb.HistoryEvent{r.history[0], r.history[1], bad}, "ns-id", "default"); err == nil ||
		!strings.Contains(err.Error(), "event 3") {
		t.Errorf("Rebuild with a task started for no scheduled task: err = %v, want one naming event 3", err)
	}
}

// checkRebuild compares Rebuild(history) with the machine's state.
func checkRebuild(t *testing.T, step string, r *run) {
	t.Helper()
	got, err := machine.Rebuild(r.history, "ns-id", "default")
	if err != nil {
		t.Fatalf("%s: Rebuild: %v", step, err)
	}
	if len(r.s.Buffered) > 0 {
		t.Fatalf("%s: the machine holds buffered events; pick a step without", step)
	}
	if r.s.WorkflowTaskStarted() && got.HistorySize != r.s.HistorySize {
		t.Errorf("%s: HistorySize = %d, machine has %d", step, got.HistorySize, r.s.HistorySize)
	}
	want := historyView(r.s)
	if g := historyView(got); !reflect.DeepEqual(g, want) {
		gj, _ := json.MarshalIndent(g, "", "  ")
		wj, _ := json.MarshalIndent(want, "", "  ")
		t.Fatalf("%s: rebuilt state differs from the machine's\n%s", step, lineDiff(string(gj), string(wj)))
	}
}

// historyView keeps of a state what its history determines.
func historyView(s *machine.State) *machine.State {
	c := s.Clone()
	c.StartRequest = ""
	c.StickyQueue, c.StickyTimeout = "", 0
	c.WorkflowTaskNeeded = false
	c.Buffered = nil
	c.HistorySize = 0
	if c.Parent != nil {
		c.Parent.ClosePolicy = enumspb.PARENT_CLOSE_POLICY_UNSPECIFIED
	}
	if wt := c.WorkflowTask; wt != nil {
		wt.ScheduleToStartDeadline = time.Time{}
		wt.Inline = false
	}
	for _, a := range c.Activities {
		a.State = machine.ActivityScheduled
		a.Attempt = 1
		a.AttemptScheduledTime = a.ScheduledTime
		a.StartedTime, a.LastHeartbeat = time.Time{}, time.Time{}
		a.StartedIdentity, a.StartedRequestID, a.LastIdentity = "", "", ""
		a.HeartbeatDetails, a.LastFailure = nil, nil
		// Operator actions and retries write no events.
		a.LastAttemptCompleteTime = time.Time{}
		a.Paused, a.PauseTime, a.PauseIdentity, a.PauseReason, a.PauseRequestID = false, time.Time{}, "", "", ""
		a.ResetRequested, a.ResetHeartbeat, a.ResetAttempts = false, false, false
	}
	if len(c.Updates) == 0 {
		c.Updates = nil
	}
	if len(c.Children) == 0 {
		c.Children = nil
	}
	if len(c.ExternalSignals) == 0 {
		c.ExternalSignals = nil
	}
	if len(c.ExternalCancels) == 0 {
		c.ExternalCancels = nil
	}
	c.Memo = canonical(c.Memo, &commonpb.Memo{})
	c.SearchAttributes = canonical(c.SearchAttributes, &commonpb.SearchAttributes{})
	return c
}

// canonical re-encodes b deterministically, so maps compare equal.
func canonical(b []byte, m proto.Message) []byte {
	if len(b) == 0 {
		return nil
	}
	if err := proto.Unmarshal(b, m); err != nil {
		return b
	}
	out, _ := proto.MarshalOptions{Deterministic: true}.Marshal(m)
	return out
}

func lineDiff(got, want string) string {
	g, w := strings.Split(got, "\n"), strings.Split(want, "\n")
	var b strings.Builder
	for i := 0; i < max(len(g), len(w)); i++ {
		var gl, wl string
		if i < len(g) {
			gl = g[i]
		}
		if i < len(w) {
			wl = w[i]
		}
		if gl != wl {
			b.WriteString("rebuilt: " + gl + "\nmachine: " + wl + "\n")
		}
	}
	return b.String()
}

func childInitiatedAt(t *testing.T, r *run) int64 {
	t.Helper()
	for _, ev := range r.history {
		if ev.EventType == enumspb.EVENT_TYPE_START_CHILD_WORKFLOW_EXECUTION_INITIATED {
			return ev.EventId
		}
	}
	t.Fatal("no child was initiated")
	return 0
}

func payload(json string) *commonpb.Payload {
	return &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(json)}
}

func updateMessage(t *testing.T, id, updateID string, body proto.Message) *protocolpb.Message {
	t.Helper()
	b, err := anypb.New(body)
	if err != nil {
		t.Fatal(err)
	}
	return &protocolpb.Message{Id: id, ProtocolInstanceId: updateID, Body: b}
}

func upsertSearchAttributes(key, json string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_UPSERT_WORKFLOW_SEARCH_ATTRIBUTES,
		Attributes: &commandpb.Command_UpsertWorkflowSearchAttributesCommandAttributes{UpsertWorkflowSearchAttributesCommandAttributes: &commandpb.UpsertWorkflowSearchAttributesCommandAttributes{
			SearchAttributes: &commonpb.SearchAttributes{IndexedFields: map[string]*commonpb.Payload{key: payload(json)}},
		}},
	}
}

func modifyMemo(key, json string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_MODIFY_WORKFLOW_PROPERTIES,
		Attributes: &commandpb.Command_ModifyWorkflowPropertiesCommandAttributes{ModifyWorkflowPropertiesCommandAttributes: &commandpb.ModifyWorkflowPropertiesCommandAttributes{
			UpsertedMemo: &commonpb.Memo{Fields: map[string]*commonpb.Payload{key: payload(json)}},
		}},
	}
}

func recordMarker(name string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_RECORD_MARKER,
		Attributes: &commandpb.Command_RecordMarkerCommandAttributes{RecordMarkerCommandAttributes: &commandpb.RecordMarkerCommandAttributes{
			MarkerName: name, Details: map[string]*commonpb.Payloads{"data": payloads("v1")},
		}},
	}
}

func startChild(workflowID string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_START_CHILD_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_StartChildWorkflowExecutionCommandAttributes{StartChildWorkflowExecutionCommandAttributes: &commandpb.StartChildWorkflowExecutionCommandAttributes{
			WorkflowId: workflowID, WorkflowType: &commonpb.WorkflowType{Name: "Child"},
			WorkflowRunTimeout: durationpb.New(time.Minute), ParentClosePolicy: enumspb.PARENT_CLOSE_POLICY_ABANDON,
		}},
	}
}

func signalExternal(workflowID string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_SignalExternalWorkflowExecutionCommandAttributes{SignalExternalWorkflowExecutionCommandAttributes: &commandpb.SignalExternalWorkflowExecutionCommandAttributes{
			Execution: &commonpb.WorkflowExecution{WorkflowId: workflowID}, SignalName: "poke", Control: "c1",
		}},
	}
}

func cancelExternal(workflowID string) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_EXTERNAL_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_RequestCancelExternalWorkflowExecutionCommandAttributes{RequestCancelExternalWorkflowExecutionCommandAttributes: &commandpb.RequestCancelExternalWorkflowExecutionCommandAttributes{
			WorkflowId: workflowID, Reason: "enough",
		}},
	}
}
