package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// standaloneNexusSnapshot is what Describe and Poll read of a standalone
// operation's run under its lock; the events they need are read after.
type standaloneNexusSnapshot struct {
	state   *machine.State
	changed <-chan struct{}
	outcome eventsSnapshot // the close event, when closed
	first   eventsSnapshot // the scheduled event, when input is wanted
	now     time.Time
}

func (e *Engine) snapshotStandaloneNexus(ctx context.Context, ns *namespace, operationID, runID string, wantInput bool) (standaloneNexusSnapshot, error) {
	r, err := e.lockStandaloneNexus(ctx, ns, operationID, runID)
	if err != nil {
		return standaloneNexusSnapshot{}, err
	}
	defer r.mu.Unlock()
	s := r.state
	snap := standaloneNexusSnapshot{state: s, changed: r.changes(), now: e.clock.Now()}
	if !s.Open() && s.CloseEventID > 0 {
		snap.outcome = r.snapshotEvents(s.CloseEventID, s.CloseEventID+1)
	}
	if wantInput {
		id := machine.StandaloneNexusScheduledID
		snap.first = r.snapshotEvents(id, id+1)
	}
	return snap, nil
}

// standaloneNexusOutcome reads the result or failure a closed operation
// ended with: the handler's failure itself, as Temporal reports a standalone
// operation's, not wrapped as a workflow caller sees it.
func (e *Engine) standaloneNexusOutcome(ctx context.Context, snap standaloneNexusSnapshot) (*commonpb.Payload, *failurepb.Failure, error) {
	if snap.state.Open() {
		return nil, nil, nil
	}
	events, err := snap.outcome.read(ctx, e)
	if err != nil {
		return nil, nil, err
	}
	if len(events) != 1 {
		return nil, nil, serviceerror.NewDataLossf("the close event of operation %s is missing", snap.state.WorkflowID)
	}
	result, failure := nexusCloseOutcome(events[0])
	return result, failure, nil
}

func nexusCloseOutcome(ev *historypb.HistoryEvent) (*commonpb.Payload, *failurepb.Failure) {
	var f *failurepb.Failure
	switch ev.EventType {
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_COMPLETED:
		return ev.GetNexusOperationCompletedEventAttributes().GetResult(), nil
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_FAILED:
		f = ev.GetNexusOperationFailedEventAttributes().GetFailure()
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_CANCELED:
		f = ev.GetNexusOperationCanceledEventAttributes().GetFailure()
	case enumspb.EVENT_TYPE_NEXUS_OPERATION_TIMED_OUT:
		f = ev.GetNexusOperationTimedOutEventAttributes().GetFailure()
	}
	if f.GetNexusOperationExecutionFailureInfo() != nil && f.GetCause() != nil {
		f = f.GetCause()
	}
	return nil, f
}

// PollNexusOperationExecution waits for a standalone operation to reach the
// requested stage; it answers an empty response when the long poll ends
// first, inviting the caller to poll again.
func (e *Engine) PollNexusOperationExecution(ctx context.Context, req *workflowservice.PollNexusOperationExecutionRequest) (*workflowservice.PollNexusOperationExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	stage := req.WaitStage
	if stage == enumspb.NEXUS_OPERATION_WAIT_STAGE_UNSPECIFIED {
		stage = enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED
	}
	until := e.longPollDeadline(ctx, historyLongPoll)
	for {
		snap, err := e.snapshotStandaloneNexus(ctx, ns, req.OperationId, req.RunId, false)
		if err != nil {
			return nil, err
		}
		s := snap.state
		op := s.StandaloneNexusOperation()
		started := op != nil && op.State == machine.NexusStarted
		if !s.Open() || (stage == enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED && started) {
			resp := &workflowservice.PollNexusOperationExecutionResponse{RunId: s.RunID, WaitStage: enumspb.NEXUS_OPERATION_WAIT_STAGE_STARTED}
			if op != nil {
				resp.OperationToken = op.OperationToken
			}
			if !s.Open() {
				resp.WaitStage = enumspb.NEXUS_OPERATION_WAIT_STAGE_CLOSED
				result, failure, err := e.standaloneNexusOutcome(ctx, snap)
				if err != nil {
					return nil, err
				}
				if result != nil {
					resp.Outcome = &workflowservice.PollNexusOperationExecutionResponse_Result{Result: result}
				} else if failure != nil {
					resp.Outcome = &workflowservice.PollNexusOperationExecutionResponse_Failure{Failure: failure}
				}
			}
			return resp, nil
		}
		if !e.waitChange(ctx, snap.changed, until) {
			return &workflowservice.PollNexusOperationExecutionResponse{}, nil
		}
	}
}

// DescribeNexusOperationExecution reports a standalone operation's state;
// with a long poll token it first waits for the state to change from the one
// the token names.
func (e *Engine) DescribeNexusOperationExecution(ctx context.Context, req *workflowservice.DescribeNexusOperationExecutionRequest) (*workflowservice.DescribeNexusOperationExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	seen := ""
	if len(req.LongPollToken) > 0 {
		runID, fp, ok := decodeNexusDescribeToken(req.LongPollToken)
		if !ok {
			return nil, serviceerror.NewInvalidArgument("invalid long poll token")
		}
		if runID != req.RunId {
			return nil, serviceerror.NewInvalidArgument("long poll token does not match execution")
		}
		seen = fp
	}
	until := e.longPollDeadline(ctx, historyLongPoll)
	for {
		snap, err := e.snapshotStandaloneNexus(ctx, ns, req.OperationId, req.RunId, req.IncludeInput)
		if err != nil {
			return nil, err
		}
		if seen != "" && standaloneNexusFingerprint(snap.state) == seen && snap.state.Open() {
			if e.waitChange(ctx, snap.changed, until) {
				continue
			}
			// The long poll ended with no change: an empty answer invites
			// the caller to poll again, as Temporal does.
			return &workflowservice.DescribeNexusOperationExecutionResponse{}, nil
		}
		return e.describeStandaloneNexus(ctx, req, snap)
	}
}

func (e *Engine) describeStandaloneNexus(ctx context.Context, req *workflowservice.DescribeNexusOperationExecutionRequest, snap standaloneNexusSnapshot) (*workflowservice.DescribeNexusOperationExecutionResponse, error) {
	s := snap.state
	resp := &workflowservice.DescribeNexusOperationExecutionResponse{
		RunId:         s.RunID,
		Info:          standaloneNexusInfo(s, snap.now),
		LongPollToken: encodeNexusDescribeToken(s.RunID, standaloneNexusFingerprint(s)),
	}
	if req.IncludeOutcome && !s.Open() {
		result, failure, err := e.standaloneNexusOutcome(ctx, snap)
		if err != nil {
			return nil, err
		}
		if result != nil {
			resp.Outcome = &workflowservice.DescribeNexusOperationExecutionResponse_Result{Result: result}
		} else if failure != nil {
			resp.Outcome = &workflowservice.DescribeNexusOperationExecutionResponse_Failure{Failure: failure}
		}
	}
	if req.IncludeInput {
		events, err := snap.first.read(ctx, e)
		if err != nil {
			return nil, err
		}
		if len(events) == 1 {
			resp.Input = events[0].GetNexusOperationScheduledEventAttributes().GetInput()
		}
	}
	return resp, nil
}

// standaloneNexusInfo is a standalone operation's NexusOperationExecutionInfo.
func standaloneNexusInfo(s *machine.State, now time.Time) *nexuspb.NexusOperationExecutionInfo {
	sn := s.StandaloneNexus
	info := &nexuspb.NexusOperationExecutionInfo{
		OperationId:          sn.OperationID,
		RunId:                s.RunID,
		Endpoint:             sn.Endpoint,
		Service:              sn.Service,
		Operation:            sn.Operation,
		Status:               machine.NexusStatusOf(s.Status),
		ScheduleTime:         timestamppb.New(sn.ScheduleTime),
		StateTransitionCount: sn.Transitions,
		NexusHeader:          sn.Header,
		Identity:             s.Identity,
		StateSizeBytes:       s.HistorySize,
	}
	op := s.StandaloneNexusOperation()
	if op != nil {
		info.RequestId = op.RequestID
		info.OperationToken = op.OperationToken
		info.Attempt = op.Attempt
		if op.ScheduleToClose > 0 {
			info.ScheduleToCloseTimeout = durationpb.New(op.ScheduleToClose)
			info.ExpirationTime = timestamppb.New(sn.ScheduleTime.Add(op.ScheduleToClose))
		}
		if op.ScheduleToStart > 0 {
			info.ScheduleToStartTimeout = durationpb.New(op.ScheduleToStart)
		}
		if op.StartToClose > 0 {
			info.StartToCloseTimeout = durationpb.New(op.StartToClose)
		}
		if op.LastFailure != "" {
			info.LastAttemptFailure = &failurepb.Failure{Message: op.LastFailure}
		}
		if !op.StartedTime.IsZero() {
			info.LastAttemptCompleteTime = timestamppb.New(op.StartedTime)
		}
		if s.Open() {
			switch op.State {
			case machine.NexusBackoff:
				info.State = enumspb.PENDING_NEXUS_OPERATION_STATE_BACKING_OFF
				info.NextAttemptScheduleTime = timestamppb.New(op.AttemptTime)
			case machine.NexusStarted:
				info.State = enumspb.PENDING_NEXUS_OPERATION_STATE_STARTED
			default:
				info.State = enumspb.PENDING_NEXUS_OPERATION_STATE_SCHEDULED
			}
		}
		info.CancellationInfo = standaloneNexusCancelInfo(s, op)
	}
	if s.Open() {
		info.ExecutionDuration = durationpb.New(now.Sub(sn.ScheduleTime))
	} else {
		info.CloseTime = timestamppb.New(s.CloseTime)
		info.ExecutionDuration = durationpb.New(s.CloseTime.Sub(sn.ScheduleTime))
		if info.LastAttemptCompleteTime == nil && s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED {
			info.LastAttemptCompleteTime = timestamppb.New(s.CloseTime)
		}
	}
	if len(sn.UserMetadata) > 0 {
		md := &sdkpb.UserMetadata{}
		if proto.Unmarshal(sn.UserMetadata, md) == nil {
			info.UserMetadata = md
		}
	}
	for _, b := range sn.Links {
		l := &commonpb.Link{}
		if proto.Unmarshal(b, l) == nil {
			info.Links = append(info.Links, l)
		}
	}
	// Always set, as Temporal does.
	info.SearchAttributes = &commonpb.SearchAttributes{}
	if len(s.SearchAttributes) > 0 {
		_ = proto.Unmarshal(s.SearchAttributes, info.SearchAttributes)
	}
	userSearchAttributes(info.SearchAttributes)
	return info
}

// standaloneNexusCancelInfo describes the operation's cancel request, nil
// when none was made.
func standaloneNexusCancelInfo(s *machine.State, op *machine.NexusOperation) *nexuspb.NexusOperationExecutionCancellationInfo {
	sn := s.StandaloneNexus
	if sn.CancelRequestedTime.IsZero() {
		return nil
	}
	ci := &nexuspb.NexusOperationExecutionCancellationInfo{
		RequestedTime: timestamppb.New(sn.CancelRequestedTime),
		Reason:        sn.CancelReason,
		State:         enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SCHEDULED,
	}
	c := op.Cancel
	if c != nil {
		ci.Attempt = c.Attempt
		if c.State == machine.NexusBackoff && !c.Done {
			ci.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_BACKING_OFF
			ci.NextAttemptScheduleTime = timestamppb.New(c.AttemptTime)
		}
	}
	switch {
	case sn.CancelOutcome == "succeeded":
		ci.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_SUCCEEDED
	case sn.CancelOutcome == "failed":
		ci.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_FAILED
	case s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		ci.State = enumspb.NEXUS_OPERATION_CANCELLATION_STATE_TIMED_OUT
	}
	return ci
}

// standaloneNexusFingerprint names the state Describe shows, so that a long
// poll can tell whether anything changed.
func standaloneNexusFingerprint(s *machine.State) string {
	fp := fmt.Sprintf("%d.%d", s.StandaloneNexus.Transitions, s.Status)
	if op := s.StandaloneNexusOperation(); op != nil {
		fp += fmt.Sprintf(".%d.%d", op.State, op.Attempt)
		if c := op.Cancel; c != nil {
			fp += fmt.Sprintf(".%d.%d", c.State, c.Attempt)
		}
	}
	return fp
}

// A Describe long poll token names the run and the state the caller saw.
func encodeNexusDescribeToken(runID, fingerprint string) []byte {
	return []byte("n1|" + runID + "|" + fingerprint)
}

func decodeNexusDescribeToken(b []byte) (string, string, bool) {
	parts := strings.Split(string(b), "|")
	if len(parts) != 3 || parts[0] != "n1" || parts[2] == "" {
		return "", "", false
	}
	return parts[1], parts[2], true
}
