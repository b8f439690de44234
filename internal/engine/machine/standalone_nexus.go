package machine

import (
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// A standalone Nexus operation (StartNexusOperationExecution) is kept as a
// run of its own with no workflow: its State carries StandaloneNexus, its one
// NexusOperation is scheduled by the run's first event (under
// StandaloneNexusScheduledID), and the operation's close ends the run. The
// operation's dispatch, retries, timeouts, cancellation and async completion
// are those of an operation a workflow scheduled; the run's history holds the
// operation's events only.

// StandaloneNexusScheduledID is the event id of a standalone operation's
// NexusOperationScheduled event, the key of its NexusOperation.
const StandaloneNexusScheduledID int64 = 1

// StandaloneNexus is what a standalone Nexus operation's run keeps besides its
// open operation.
type StandaloneNexus struct {
	OperationID  string            `json:",omitzero"`
	Endpoint     string            `json:",omitzero"`
	Service      string            `json:",omitzero"`
	Operation    string            `json:",omitzero"`
	ScheduleTime time.Time         `json:",omitzero"`
	Header       map[string]string `json:",omitzero"`
	// UserMetadata is the encoded sdkpb.UserMetadata of the start request.
	UserMetadata []byte `json:",omitzero"`
	// Last is the operation as it was when it closed (the open one lives in
	// State.NexusOperations).
	Last *NexusOperation `json:",omitzero"`
	// Links are those the handler returned on start or completion.
	Links [][]byte `json:",omitzero"`
	// Cancellation and termination requests, deduplicated by request id.
	CancelRequestID     string    `json:",omitzero"`
	CancelReason        string    `json:",omitzero"`
	CancelIdentity      string    `json:",omitzero"`
	CancelRequestedTime time.Time `json:",omitzero"`
	// CancelOutcome is how the handler answered the cancel request: empty
	// while it has not, "succeeded" or "failed".
	CancelOutcome      string `json:",omitzero"`
	TerminateRequestID string `json:",omitzero"`
	Transitions        int64  `json:",omitzero"`
}

// StandaloneNexusParams describe a new standalone Nexus operation.
type StandaloneNexusParams struct {
	NamespaceID, Namespace string
	OperationID, RunID     string
	Target                 NexusTarget
	Endpoint               string
	Service, Operation     string
	Input                  *commonpb.Payload
	Header                 map[string]string
	ScheduleToClose        time.Duration
	ScheduleToStart        time.Duration
	StartToClose           time.Duration
	SearchAttributes       *commonpb.SearchAttributes
	UserMetadata           *sdkpb.UserMetadata
	Identity, RequestID    string
}

// NewStandaloneNexusOperation creates the run of a standalone Nexus
// operation; its start request waits for a worker of the endpoint's target.
func NewStandaloneNexusOperation(p StandaloneNexusParams, now time.Time) *Tx {
	header := make(map[string]string, len(p.Header))
	for k, v := range p.Header {
		header[strings.ToLower(k)] = v
	}
	s := &State{
		NamespaceID:   p.NamespaceID,
		Namespace:     p.Namespace,
		WorkflowID:    p.OperationID,
		RunID:         p.RunID,
		FirstRunID:    p.RunID,
		WorkflowType:  p.Operation,
		TaskQueue:     p.Endpoint,
		Status:        enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
		StartRequest:  p.RequestID,
		Identity:      p.Identity,
		Attempt:       1,
		StartTime:     now,
		ExecutionTime: now,
		NextEventID:   1,
		Activities:    map[int64]*Activity{},
		Timers:        map[string]*Timer{},
		StandaloneNexus: &StandaloneNexus{
			OperationID: p.OperationID, Endpoint: p.Endpoint, Service: p.Service, Operation: p.Operation,
			ScheduleTime: now, Header: header, Transitions: 1,
		},
	}
	if p.SearchAttributes != nil && len(p.SearchAttributes.IndexedFields) > 0 {
		s.SearchAttributes, _ = proto.Marshal(p.SearchAttributes)
	}
	if p.UserMetadata != nil {
		s.StandaloneNexus.UserMetadata, _ = proto.Marshal(p.UserMetadata)
	}
	tx := Begin(s, now)
	attrs := &historypb.NexusOperationScheduledEventAttributes{
		Endpoint:    p.Endpoint,
		EndpointId:  p.Target.EndpointID,
		Service:     p.Service,
		Operation:   p.Operation,
		Input:       p.Input,
		NexusHeader: header,
		// The handler deduplicates start attempts by this id, unique per run.
		RequestId: p.RunID,
	}
	if p.ScheduleToClose > 0 {
		attrs.ScheduleToCloseTimeout = durationpb.New(p.ScheduleToClose)
	}
	if p.ScheduleToStart > 0 {
		attrs.ScheduleToStartTimeout = durationpb.New(p.ScheduleToStart)
	}
	if p.StartToClose > 0 {
		attrs.StartToCloseTimeout = durationpb.New(p.StartToClose)
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_NEXUS_OPERATION_SCHEDULED,
		UserMetadata: p.UserMetadata,
		Attributes:   &historypb.HistoryEvent_NexusOperationScheduledEventAttributes{NexusOperationScheduledEventAttributes: attrs},
	})
	s.NexusOperations = map[int64]*NexusOperation{ev.EventId: {
		ScheduledEventID: ev.EventId,
		Endpoint:         p.Endpoint,
		EndpointID:       p.Target.EndpointID,
		Service:          p.Service,
		Operation:        p.Operation,
		NamespaceID:      p.Target.NamespaceID,
		Namespace:        p.Target.Namespace,
		TaskQueue:        p.Target.TaskQueue,
		RequestID:        attrs.RequestId,
		State:            NexusScheduled,
		Attempt:          1,
		ScheduledTime:    now,
		ScheduleToClose:  p.ScheduleToClose,
		ScheduleToStart:  p.ScheduleToStart,
		StartToClose:     p.StartToClose,
	}}
	return tx
}

// StandaloneNexusOperation returns the operation of a standalone run: the
// open one, or as it was when it closed.
func (s *State) StandaloneNexusOperation() *NexusOperation {
	if s.StandaloneNexus == nil {
		return nil
	}
	if op := s.NexusOperations[StandaloneNexusScheduledID]; op != nil {
		return op
	}
	return s.StandaloneNexus.Last
}

// noteStandaloneNexusEvent records, on a standalone operation's run, the
// change an operation event makes: links, the cancel request's answer, and
// the close of the run when ev ends the operation. It reports whether ev was
// handled (the caller must then not schedule a workflow task).
func (tx *Tx) noteStandaloneNexusEvent(ev *historypb.HistoryEvent) bool {
	sn := tx.S.StandaloneNexus
	if sn == nil {
		return false
	}
	sn.Transitions++
	for _, l := range ev.Links {
		if b, err := proto.Marshal(l); err == nil && len(sn.Links) < maxStandaloneNexusLinks {
			sn.Links = append(sn.Links, b)
		}
	}
	tx.add(ev)
	status := enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED
	switch ev.EventType {
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_FAILED
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT:
		status = enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_COMPLETED:
		sn.CancelOutcome = "succeeded"
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUEST_FAILED:
		sn.CancelOutcome = "failed"
	}
	if status != enumspb.WORKFLOW_EXECUTION_STATUS_UNSPECIFIED {
		tx.endStandaloneNexus(status, ev.EventId)
	}
	return true
}

// maxStandaloneNexusLinks bounds the links a standalone operation keeps.
const maxStandaloneNexusLinks = 32

// endStandaloneNexus closes a standalone operation's run.
func (tx *Tx) endStandaloneNexus(status enumspb.WorkflowExecutionStatus, closeEventID int64) {
	s := tx.S
	if op := s.NexusOperations[StandaloneNexusScheduledID]; op != nil {
		last := *op
		s.StandaloneNexus.Last = &last
	}
	s.Status = status
	s.CloseTime = tx.Now
	s.CloseEventID = closeEventID
	s.NexusOperations = nil
}

// RequestCancelStandaloneNexus asks a standalone operation's handler to
// cancel it. The request goes out once the operation has started (it needs
// the operation token); a repeated request id changes nothing.
func (tx *Tx) RequestCancelStandaloneNexus(reason, identity, requestID string) error {
	s := tx.S
	sn := s.StandaloneNexus
	if sn.CancelRequestID != "" && sn.CancelRequestID == requestID {
		return nil
	}
	op := s.NexusOperations[StandaloneNexusScheduledID]
	if !s.Open() || op == nil {
		return &PreconditionError{Message: "operation already completed"}
	}
	if op.Cancel != nil {
		return &PreconditionError{Message: fmt.Sprintf("cancellation already requested with request ID %s", sn.CancelRequestID)}
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCEL_REQUESTED,
		Attributes: &historypb.HistoryEvent_NexusOperationCancelRequestedEventAttributes{NexusOperationCancelRequestedEventAttributes: &historypb.NexusOperationCancelRequestedEventAttributes{
			ScheduledEventId: op.ScheduledEventID,
		}},
	})
	op.Cancel = &NexusCancel{RequestedEventID: ev.EventId, State: NexusScheduled, Attempt: 1}
	sn.CancelRequestID, sn.CancelReason, sn.CancelIdentity, sn.CancelRequestedTime = requestID, reason, identity, tx.Now
	sn.Transitions++
	return nil
}

// TerminateStandaloneNexus ends a standalone operation at once without
// telling its handler; the outstanding request's token goes stale.
func (tx *Tx) TerminateStandaloneNexus(reason, identity, requestID string) error {
	s := tx.S
	sn := s.StandaloneNexus
	if s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
		if sn.TerminateRequestID != requestID {
			return &PreconditionError{Message: fmt.Sprintf("already terminated with request ID %s", sn.TerminateRequestID)}
		}
		return nil
	}
	op := s.NexusOperations[StandaloneNexusScheduledID]
	if !s.Open() || op == nil {
		return &PreconditionError{Message: "operation already completed"}
	}
	sn.TerminateRequestID = requestID
	sn.Transitions++
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED,
		Attributes: &historypb.HistoryEvent_NexusOperationFailedEventAttributes{NexusOperationFailedEventAttributes: &historypb.NexusOperationFailedEventAttributes{
			ScheduledEventId: op.ScheduledEventID, RequestId: op.RequestID,
			Failure: &failurepb.Failure{
				Message:     reason,
				FailureInfo: &failurepb.Failure_TerminatedFailureInfo{TerminatedFailureInfo: &failurepb.TerminatedFailureInfo{Identity: identity}},
			},
		}},
	})
	tx.endStandaloneNexus(enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED, ev.EventId)
	return nil
}

// NexusStatusOf maps the status column of a standalone operation's run to
// the Nexus operation execution status it stands for.
func NexusStatusOf(st enumspb.WorkflowExecutionStatus) enumspb.NexusOperationExecutionStatus {
	switch st {
	case enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING:
		return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_RUNNING
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_COMPLETED
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_FAILED
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_CANCELED
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_TERMINATED
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_TIMED_OUT
	}
	return enumspb.NEXUS_OPERATION_EXECUTION_STATUS_UNSPECIFIED
}

// keepStandaloneNexus keeps, on a standalone run, the operation about to be
// closed, for Describe.
func (tx *Tx) keepStandaloneNexus(op *NexusOperation) {
	if sn := tx.S.StandaloneNexus; sn != nil {
		last := *op
		sn.Last = &last
	}
}

// NexusHeaderDisallowed reports whether a caller may not set the (lower-case)
// Nexus header key.
func NexusHeaderDisallowed(key string) bool { return nexusHeaderDisallowed(key) }
