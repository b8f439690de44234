package machine_test

import (
	"errors"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

var nexusTarget = machine.NexusTarget{EndpointID: "ep-id", NamespaceID: "handler-ns-id", Namespace: "handler", TaskQueue: "handler-tq"}

func resolveEndpoint(name string) (machine.NexusTarget, bool) {
	return nexusTarget, name == "ep"
}

// completeNexus completes the started workflow task with cmds, resolving the
// endpoint "ep".
func (r *run) completeNexus(now time.Time, cmds ...*commandpb.Command) ([]*historypb.HistoryEvent, error) {
	r.t.Helper()
	var err error
	evs := r.do(now, func(tx *machine.Tx) {
		tx.NexusEndpoints = resolveEndpoint
		_, err = tx.CompleteWorkflowTask(cmds, machine.CompletionOptions{Identity: "wf-worker"})
	})
	return evs, err
}

func scheduleNexus(endpoint string, scheduleToClose time.Duration) *commandpb.Command {
	a := &commandpb.ScheduleNexusOperationCommandAttributes{
		Endpoint: endpoint, Service: "svc", Operation: "op",
		Input:       &commonpb.Payload{Data: []byte(`"in"`)},
		NexusHeader: map[string]string{"X-Custom": "v"},
	}
	if scheduleToClose > 0 {
		a.ScheduleToCloseTimeout = durationpb.New(scheduleToClose)
	}
	return &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_SCHEDULE_NEXUS_OPERATION,
		Attributes: &commandpb.Command_ScheduleNexusOperationCommandAttributes{ScheduleNexusOperationCommandAttributes: a}}
}

func cancelNexus(scheduledID int64) *commandpb.Command {
	return &commandpb.Command{CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_NEXUS_OPERATION,
		Attributes: &commandpb.Command_RequestCancelNexusOperationCommandAttributes{RequestCancelNexusOperationCommandAttributes: &commandpb.RequestCancelNexusOperationCommandAttributes{ScheduledEventId: scheduledID}}}
}

// toScheduledNexus starts a run whose first workflow task schedules an
// operation at event 5.
func toScheduledNexus(t *testing.T, scheduleToClose time.Duration) *run {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	evs, err := r.completeNexus(at(2*time.Second), scheduleNexus("ep", scheduleToClose))
	if err != nil {
		t.Fatal(err)
	}
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED)
	a := evs[1].GetNexusOperationScheduledEventAttributes()
	if a.EndpointId != "ep-id" || a.RequestId == "" || a.NexusHeader["x-custom"] != "v" {
		t.Fatalf("scheduled event %v", a)
	}
	return r
}

func TestNexusSyncCompletion(t *testing.T) {
	r := toScheduledNexus(t, time.Minute)
	op := r.s.NexusOperations[5]
	if op == nil || op.State != machine.NexusScheduled || op.TaskQueue != "handler-tq" || op.NamespaceID != "handler-ns-id" {
		t.Fatalf("operation state %+v", op)
	}
	// The first request waits for a worker no longer than a request may take.
	r.wantNextDeadline(at(2*time.Second + machine.NexusRequestTimeout))
	r.do(at(3*time.Second), func(tx *machine.Tx) {
		if _, err := tx.DispatchNexus(5, 1, false); err != nil {
			t.Fatal(err)
		}
	})
	r.wantNextDeadline(at(3*time.Second + machine.NexusRequestTimeout))
	evs := r.do(at(4*time.Second), func(tx *machine.Tx) {
		if err := tx.NexusStartCompleted(5, 1, &commonpb.Payload{Data: []byte(`"out"`)}, nil); err != nil {
			t.Fatal(err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	if len(r.s.NexusOperations) != 0 {
		t.Fatal("completed operation still open")
	}
	// A second answer to the same attempt is stale.
	r.do(at(5*time.Second), func(tx *machine.Tx) {
		if err := tx.NexusStartCompleted(5, 1, nil, nil); !errors.Is(err, machine.ErrStale) {
			t.Fatalf("second answer: %v, want ErrStale", err)
		}
	})
}

func TestNexusUnknownEndpointFailsTheTask(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	_, err := r.completeNexus(at(2*time.Second), scheduleNexus("missing", 0))
	var cmdErr *machine.CommandError
	if !errors.As(err, &cmdErr) || cmdErr.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES || cmdErr.Message != `endpoint "missing" not found` {
		t.Fatalf("error %v", err)
	}
}

func TestNexusRequestTimeoutRetriesWithBackoff(t *testing.T) {
	r := toScheduledNexus(t, 0)
	r.do(at(3*time.Second), func(tx *machine.Tx) { _, _ = tx.DispatchNexus(5, 1, false) })
	evs, changed := r.fire(at(3*time.Second + machine.NexusRequestTimeout))
	if !changed || len(evs) != 0 {
		t.Fatalf("request timeout: changed %v, events %s", changed, types(evs))
	}
	op := r.s.NexusOperations[5]
	if op.State != machine.NexusBackoff || op.Attempt != 2 {
		t.Fatalf("after a timed-out request: %+v", op)
	}
	_, changed = r.fire(op.AttemptTime)
	if !changed || r.s.NexusOperations[5].State != machine.NexusScheduled {
		t.Fatalf("backoff did not end: %+v", r.s.NexusOperations[5])
	}
	// A late answer to attempt 1 is stale.
	r.do(op.AttemptTime.Add(time.Second), func(tx *machine.Tx) {
		if err := tx.NexusStartCompleted(5, 1, nil, nil); !errors.Is(err, machine.ErrStale) {
			t.Fatalf("late answer: %v", err)
		}
	})
}

func TestNexusAsyncCancelAndCallback(t *testing.T) {
	r := toScheduledNexus(t, 0)
	r.do(at(3*time.Second), func(tx *machine.Tx) { _, _ = tx.DispatchNexus(5, 1, false) })
	evs := r.do(at(4*time.Second), func(tx *machine.Tx) {
		if err := tx.NexusStartAsync(5, 1, "token-1", nil); err != nil {
			t.Fatal(err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	r.startWFT(at(5 * time.Second))
	evs, err := r.completeNexus(at(6*time.Second), cancelNexus(5))
	if err != nil {
		t.Fatal(err)
	}
	wantTypes(t, evs, enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED, enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED)
	if !r.s.NexusOperations[5].CancelPending() {
		t.Fatal("cancel request is not pending")
	}
	// Asking twice fails the workflow task.
	r.do(at(7*time.Second), func(tx *machine.Tx) { tx.SignalRun(&machine.Signal{Name: "wake"}) })
	r.startWFT(at(8 * time.Second))
	_, err = r.completeNexus(at(9*time.Second), cancelNexus(5))
	var cmdErr *machine.CommandError
	if !errors.As(err, &cmdErr) || cmdErr.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_REQUEST_CANCEL_NEXUS_OPERATION_ATTRIBUTES {
		t.Fatalf("second cancel: %v", err)
	}
}

func TestNexusCallbackBeforeStartResponse(t *testing.T) {
	r := toScheduledNexus(t, 0)
	r.do(at(3*time.Second), func(tx *machine.Tx) { _, _ = tx.DispatchNexus(5, 1, false) })
	evs := r.do(at(4*time.Second), func(tx *machine.Tx) {
		err := tx.NexusCompleted(5, machine.NexusOutcome{Failure: &failurepb.Failure{Message: "stopped",
			FailureInfo: &failurepb.Failure_CanceledFailureInfo{CanceledFailureInfo: &failurepb.CanceledFailureInfo{}}}, Token: "tok"})
		if err != nil {
			t.Fatal(err)
		}
	})
	wantTypes(t, evs, enumspb.EVENT_TYPE_NEXUS_OPERATION_STARTED, enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	f := evs[1].GetNexusOperationCanceledEventAttributes().GetFailure()
	if f.GetNexusOperationExecutionFailureInfo().GetOperationToken() != "tok" || f.GetCause().GetCanceledFailureInfo() == nil {
		t.Fatalf("canceled failure %v", f)
	}
}

func TestNexusScheduleToCloseTimeout(t *testing.T) {
	r := toScheduledNexus(t, 30*time.Second)
	evs, changed := r.fire(at(32 * time.Second))
	if !changed {
		t.Fatal("nothing fired")
	}
	wantTypes(t, evs, enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT, enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED)
	cause := evs[0].GetNexusOperationTimedOutEventAttributes().GetFailure().GetCause()
	if cause.GetTimeoutFailureInfo().GetTimeoutType() != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_CLOSE {
		t.Fatalf("timeout cause %v", cause)
	}
}

func TestNexusPendingLimit(t *testing.T) {
	r := startRun(t, defaultStart())
	r.startWFT(at(time.Second))
	cmds := make([]*commandpb.Command, machine.MaxPendingNexusOperations+1)
	for i := range cmds {
		cmds[i] = scheduleNexus("ep", 0)
	}
	_, err := r.completeNexus(at(2*time.Second), cmds...)
	var cmdErr *machine.CommandError
	if !errors.As(err, &cmdErr) || cmdErr.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_PENDING_NEXUS_OPERATIONS_LIMIT_EXCEEDED {
		t.Fatalf("error %v", err)
	}
}
