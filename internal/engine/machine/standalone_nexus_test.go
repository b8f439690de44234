package machine

import (
	"errors"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

func newStandaloneNexusForTest(t *testing.T) *State {
	t.Helper()
	tx := NewStandaloneNexusOperation(StandaloneNexusParams{
		NamespaceID: "ns", Namespace: "default", OperationID: "op", RunID: "r1",
		Target:   NexusTarget{EndpointID: "e1", NamespaceID: "hns", Namespace: "handler", TaskQueue: "htq"},
		Endpoint: "ep", Service: "svc", Operation: "run", Input: &commonpb.Payload{Data: []byte(`1`)},
		Header: map[string]string{"X-A": "b"}, ScheduleToClose: time.Minute, RequestID: "req",
	}, standaloneStart)
	if len(tx.Events) != 1 || tx.Events[0].EventType != enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED || tx.Events[0].EventId != StandaloneNexusScheduledID {
		t.Fatalf("first events %v", tx.Events)
	}
	return tx.S
}

// The run's state survives encoding, and a start, a cancel answer and a
// completion end the run without a workflow task.
func TestStandaloneNexusLifecycle(t *testing.T) {
	s := newStandaloneNexusForTest(t)
	b, err := Encode(s)
	if err != nil {
		t.Fatal(err)
	}
	if s, err = Decode(b); err != nil {
		t.Fatal(err)
	}
	op := s.StandaloneNexusOperation()
	if op == nil || op.TaskQueue != "htq" || op.RequestID != "r1" || s.StandaloneNexus.Header["x-a"] != "b" || s.StandaloneNexus.Service != "svc" {
		t.Fatalf("decoded %+v %+v", op, s.StandaloneNexus)
	}
	now := standaloneStart.Add(time.Second)
	tx := Begin(s.Clone(), now)
	if _, err := tx.DispatchNexus(StandaloneNexusScheduledID, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := tx.NexusStartAsync(StandaloneNexusScheduledID, 1, "tok", nil); err != nil {
		t.Fatal(err)
	}
	if err := tx.RequestCancelStandaloneNexus("why", "me", "c1"); err != nil {
		t.Fatal(err)
	}
	if err := tx.RequestCancelStandaloneNexus("", "", "c1"); err != nil {
		t.Fatalf("a retried cancel: %v", err)
	}
	var pre *PreconditionError
	if err := tx.RequestCancelStandaloneNexus("", "", "c2"); !errors.As(err, &pre) {
		t.Fatalf("a second cancel: %v", err)
	}
	if _, err := tx.DispatchNexus(StandaloneNexusScheduledID, 1, true); err != nil {
		t.Fatal(err)
	}
	if err := tx.NexusCancelAnswered(StandaloneNexusScheduledID, 1, nil, false); err != nil {
		t.Fatal(err)
	}
	if err := tx.NexusCompleted(StandaloneNexusScheduledID, NexusOutcome{Result: &commonpb.Payload{Data: []byte(`2`)}}); err != nil {
		t.Fatal(err)
	}
	s = tx.S
	if s.Open() || s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED || s.WorkflowTask != nil || s.StandaloneNexus.CancelOutcome != "succeeded" {
		t.Fatalf("closed state %+v", s)
	}
	last := s.StandaloneNexusOperation()
	if last == nil || last.OperationToken != "tok" || s.CloseEventID != tx.Events[len(tx.Events)-1].EventId {
		t.Fatalf("last operation %+v", last)
	}
	if err := Begin(s.Clone(), now).TerminateStandaloneNexus("", "", "t1"); !errors.As(err, &pre) || pre.Message != "operation already completed" {
		t.Fatalf("terminate after close: %v", err)
	}
}

// Terminate closes the run at once; the outstanding request goes stale.
func TestStandaloneNexusTerminate(t *testing.T) {
	s := newStandaloneNexusForTest(t)
	tx := Begin(s, standaloneStart.Add(time.Second))
	if _, err := tx.DispatchNexus(StandaloneNexusScheduledID, 1, false); err != nil {
		t.Fatal(err)
	}
	if err := tx.TerminateStandaloneNexus("stop", "me", "t1"); err != nil {
		t.Fatal(err)
	}
	if tx.S.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED || len(tx.S.NexusOperations) != 0 {
		t.Fatalf("state %+v", tx.S)
	}
	if err := tx.NexusStartCompleted(StandaloneNexusScheduledID, 1, nil, nil); !errors.Is(err, ErrStale) {
		t.Fatalf("a late answer: %v", err)
	}
	if err := tx.TerminateStandaloneNexus("", "", "t1"); err != nil {
		t.Fatalf("a retried terminate: %v", err)
	}
	var pre *PreconditionError
	if err := tx.TerminateStandaloneNexus("", "", "t2"); !errors.As(err, &pre) || pre.Message != "already terminated with request ID t1" {
		t.Fatalf("a second terminate: %v", err)
	}
}

// A schedule-to-close deadline times the operation out and closes the run.
func TestStandaloneNexusTimeout(t *testing.T) {
	s := newStandaloneNexusForTest(t)
	tx := Begin(s, standaloneStart.Add(time.Minute))
	if !tx.fireNexusDeadlines() {
		t.Fatal("nothing fired")
	}
	if tx.S.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT || NexusStatusOf(tx.S.Status) != enumspb.NEXUS_OPERATION_EXECUTION_STATUS_TIMED_OUT {
		t.Fatalf("status %v", tx.S.Status)
	}
}
