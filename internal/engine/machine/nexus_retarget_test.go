package machine_test

import (
	"testing"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// fireAt runs the deadlines due at ts with resolve looking endpoints up.
func fireAt(t *testing.T, r *run, ts time.Time, resolve machine.NexusEndpointResolver) {
	t.Helper()
	r.do(ts, func(tx *machine.Tx) {
		tx.NexusEndpointByID = resolve
		if _, err := tx.FireDeadlines(); err != nil {
			t.Fatal(err)
		}
	})
}

func TestNexusUnpolledAttemptRetriesAtEndpointsNewTarget(t *testing.T) {
	r := toScheduledNexus(t, time.Minute)
	moved := func(id string) (machine.NexusTarget, bool, error) {
		if id != "ep-id" {
			t.Fatalf("looked up endpoint %q", id)
		}
		return machine.NexusTarget{EndpointID: id, NamespaceID: "other-ns-id", Namespace: "other-ns", TaskQueue: "other-tq"}, true, nil
	}
	// No worker takes the first request: it fails as timed out and backs off.
	fireAt(t, r, at(2*time.Second+machine.NexusRequestTimeout), moved)
	op := r.s.NexusOperations[5]
	if op.State != machine.NexusBackoff || op.Attempt != 2 || op.LastFailure != "upstream timeout" {
		t.Fatalf("after the unpolled request: %+v", op)
	}
	// The retry goes where the endpoint now points.
	fireAt(t, r, op.AttemptTime, moved)
	op = r.s.NexusOperations[5]
	if op.State != machine.NexusScheduled || op.TaskQueue != "other-tq" || op.NamespaceID != "other-ns-id" {
		t.Fatalf("retry scheduled at %+v", op)
	}
}

func TestNexusDeletedEndpointFailsRetry(t *testing.T) {
	r := toScheduledNexus(t, time.Minute)
	gone := func(string) (machine.NexusTarget, bool, error) { return machine.NexusTarget{}, false, nil }
	fireAt(t, r, at(2*time.Second+machine.NexusRequestTimeout), gone)
	fireAt(t, r, r.s.NexusOperations[5].AttemptTime, gone)
	failed := false
	if _, open := r.s.NexusOperations[5]; open {
		t.Fatalf("operation still open after its endpoint was deleted")
	}
	for _, ev := range r.history {
		if ev.EventType == enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED {
			cause := ev.GetNexusOperationFailedEventAttributes().GetFailure().GetCause()
			failed = cause.GetMessage() == "endpoint not registered" && cause.GetNexusHandlerFailureInfo().GetType() == "NOT_FOUND"
		}
	}
	if !failed {
		t.Fatalf("no NexusOperationFailed with the endpoint-not-registered handler error")
	}
}
