package engine

import (
	"context"
	"strconv"
	"strings"

	activitypb "go.temporal.io/api/activity/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// standaloneSnapshot is what Describe and Poll read of a standalone
// activity's run under its lock; the events they need are read after.
type standaloneSnapshot struct {
	state   *machine.State
	changed <-chan struct{}
	outcome eventsSnapshot // the close event, when closed
	first   eventsSnapshot // the scheduled event, when input is wanted
}

func (e *Engine) snapshotStandalone(ctx context.Context, ns *namespace, activityID, runID string, wantInput bool) (standaloneSnapshot, error) {
	r, err := e.lockStandalone(ctx, ns, activityID, runID)
	if err != nil {
		return standaloneSnapshot{}, err
	}
	defer r.mu.Unlock()
	s := r.state
	if s.Standalone == nil {
		return standaloneSnapshot{}, errStandaloneNotFound(activityID, runID)
	}
	snap := standaloneSnapshot{state: s, changed: r.changes()}
	if !s.Open() && s.CloseEventID > 0 {
		snap.outcome = r.snapshotEvents(s.CloseEventID, s.CloseEventID+1)
	}
	if wantInput {
		id := s.Standalone.ScheduledEventID
		snap.first = r.snapshotEvents(id, id+1)
	}
	return snap, nil
}

// standaloneOutcome reads the result or failure a closed standalone
// activity ended with; nil while it is open.
func (e *Engine) standaloneOutcome(ctx context.Context, snap standaloneSnapshot) (*activitypb.ActivityExecutionOutcome, error) {
	if snap.state.Open() {
		return nil, nil
	}
	events, err := snap.outcome.read(ctx, e)
	if err != nil {
		return nil, err
	}
	if len(events) != 1 {
		return nil, serviceerror.NewDataLossf("the close event of activity %s is missing", snap.state.WorkflowID)
	}
	return activityOutcomeOf(events[0]), nil
}

// activityOutcomeOf turns an activity's close event into its outcome.
func activityOutcomeOf(ev *historypb.HistoryEvent) *activitypb.ActivityExecutionOutcome {
	failed := func(f *failurepb.Failure, rs enumspb.RetryState) *activitypb.ActivityExecutionOutcome {
		return &activitypb.ActivityExecutionOutcome{Value: &activitypb.ActivityExecutionOutcome_Failure{Failure: f}, RetryState: rs}
	}
	switch {
	case ev.GetActivityTaskCompletedEventAttributes() != nil:
		return &activitypb.ActivityExecutionOutcome{Value: &activitypb.ActivityExecutionOutcome_Result{Result: ev.GetActivityTaskCompletedEventAttributes().GetResult()}}
	case ev.GetActivityTaskFailedEventAttributes() != nil:
		a := ev.GetActivityTaskFailedEventAttributes()
		return failed(a.GetFailure(), a.GetRetryState())
	case ev.GetActivityTaskTimedOutEventAttributes() != nil:
		a := ev.GetActivityTaskTimedOutEventAttributes()
		return failed(a.GetFailure(), a.GetRetryState())
	case ev.GetActivityTaskCanceledEventAttributes() != nil:
		a := ev.GetActivityTaskCanceledEventAttributes()
		return failed(&failurepb.Failure{
			Message: "activity canceled", Source: "Server",
			FailureInfo: &failurepb.Failure_CanceledFailureInfo{CanceledFailureInfo: &failurepb.CanceledFailureInfo{Details: a.GetDetails()}},
		}, enumspb.RETRY_STATE_CANCEL_REQUESTED)
	}
	return nil
}

// PollActivityExecution waits for a standalone activity to close and
// returns its outcome; it answers without one when the long poll ends first.
func (e *Engine) PollActivityExecution(ctx context.Context, req *workflowservice.PollActivityExecutionRequest) (*workflowservice.PollActivityExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	until := e.longPollDeadline(ctx, historyLongPoll)
	for {
		snap, err := e.snapshotStandalone(ctx, ns, req.ActivityId, req.RunId, false)
		if err != nil {
			return nil, err
		}
		resp := &workflowservice.PollActivityExecutionResponse{RunId: snap.state.RunID}
		if !snap.state.Open() {
			if resp.Outcome, err = e.standaloneOutcome(ctx, snap); err != nil {
				return nil, err
			}
			return resp, nil
		}
		if !e.waitChange(ctx, snap.changed, until) {
			return resp, nil
		}
	}
}

// DescribeActivityExecution reports a standalone activity's state; with a
// long poll token it first waits for the state to change from the one the
// token names.
func (e *Engine) DescribeActivityExecution(ctx context.Context, req *workflowservice.DescribeActivityExecutionRequest) (*workflowservice.DescribeActivityExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	var seen int64 = -1
	if len(req.LongPollToken) > 0 {
		runID, n, ok := decodeDescribeToken(req.LongPollToken)
		if !ok {
			return nil, serviceerror.NewInvalidArgument("invalid long poll token")
		}
		if runID != req.RunId {
			return nil, serviceerror.NewInvalidArgument("long poll token does not match execution")
		}
		seen = n
	}
	until := e.longPollDeadline(ctx, historyLongPoll)
	for {
		snap, err := e.snapshotStandalone(ctx, ns, req.ActivityId, req.RunId, req.IncludeInput)
		if err != nil {
			return nil, err
		}
		if seen >= 0 && snap.state.Standalone.Transitions == seen && snap.state.Open() && e.waitChange(ctx, snap.changed, until) {
			continue
		}
		return e.describeStandalone(ctx, req, snap)
	}
}

func (e *Engine) describeStandalone(ctx context.Context, req *workflowservice.DescribeActivityExecutionRequest, snap standaloneSnapshot) (*workflowservice.DescribeActivityExecutionResponse, error) {
	s := snap.state
	info := standaloneInfo(s)
	if act := s.StandaloneActivity(); act != nil {
		if req.IncludeHeartbeatDetails {
			info.HeartbeatDetails = act.DecodedHeartbeatDetails()
		}
		if req.IncludeLastFailure && len(act.LastFailure) > 0 {
			f := &failurepb.Failure{}
			if proto.Unmarshal(act.LastFailure, f) == nil {
				info.LastFailure = f
			}
		}
	}
	// Temporal answers a token for a closed activity too; polling with it
	// returns at once.
	resp := &workflowservice.DescribeActivityExecutionResponse{RunId: s.RunID, Info: info, LongPollToken: encodeDescribeToken(s.RunID, s.Standalone.Transitions)}
	if !s.Open() {
		outcome, err := e.standaloneOutcome(ctx, snap)
		if err != nil {
			return nil, err
		}
		if f := outcome.GetFailure(); f != nil && req.IncludeLastFailure && info.LastFailure == nil {
			info.LastFailure = f
		}
		if req.IncludeOutcome {
			resp.Outcome = outcome
		}
	}
	if req.IncludeInput {
		events, err := snap.first.read(ctx, e)
		if err != nil {
			return nil, err
		}
		if len(events) == 1 {
			resp.Input = events[0].GetActivityTaskScheduledEventAttributes().GetInput()
			info.Header = events[0].GetActivityTaskScheduledEventAttributes().GetHeader()
		}
	}
	return resp, nil
}

// standaloneInfo is a standalone activity's ActivityExecutionInfo, without
// the fields only some requests ask for.
func standaloneInfo(s *machine.State) *activitypb.ActivityExecutionInfo {
	sa := s.Standalone
	opts, retry := sa.Options, sa.Retry
	info := &activitypb.ActivityExecutionInfo{
		ActivityId:           sa.ActivityID,
		RunId:                s.RunID,
		ActivityType:         &commonpb.ActivityType{Name: sa.ActivityType},
		Status:               machine.StandaloneStatus(s),
		TaskQueue:            s.TaskQueue,
		Attempt:              sa.Attempt,
		ScheduleTime:         timestamppb.New(sa.ScheduleTime),
		ExecutionTime:        timestamppb.New(s.ExecutionTime),
		LastWorkerIdentity:   sa.LastWorkerIdentity,
		TotalHeartbeatCount:  sa.HeartbeatCount,
		StateTransitionCount: sa.Transitions,
		CanceledReason:       sa.CancelReason,
	}
	if sa.StartDelay > 0 {
		info.StartDelay = durationpb.New(sa.StartDelay)
	}
	if act := s.StandaloneActivity(); act != nil {
		opts, retry = act.Options(), act.Retry
		info.TaskQueue = act.TaskQueue
		info.Attempt = act.Attempt
		info.Priority = act.DecodedPriority()
		switch {
		case act.Paused:
			info.RunState = enumspb.PENDING_ACTIVITY_STATE_PAUSED
		case act.CancelRequested:
			info.RunState = enumspb.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
		case act.State == machine.ActivityStarted:
			info.RunState = enumspb.PENDING_ACTIVITY_STATE_STARTED
		default:
			info.RunState = enumspb.PENDING_ACTIVITY_STATE_SCHEDULED
		}
		if act.State == machine.ActivityBackoff {
			info.NextAttemptScheduleTime = timestamppb.New(act.AttemptScheduledTime)
		}
		if !act.LastAttemptCompleteTime.IsZero() {
			info.LastAttemptCompleteTime = timestamppb.New(act.LastAttemptCompleteTime)
		}
	}
	info.ScheduleToCloseTimeout = durationpb.New(opts.ScheduleToClose)
	info.ScheduleToStartTimeout = durationpb.New(opts.ScheduleToStart)
	info.StartToCloseTimeout = durationpb.New(opts.StartToClose)
	info.HeartbeatTimeout = durationpb.New(opts.Heartbeat)
	info.RetryPolicy = retry.Proto()
	if opts.ScheduleToClose > 0 {
		info.ExpirationTime = timestamppb.New(s.ExecutionTime.Add(opts.ScheduleToClose))
	}
	if !sa.LastStartedTime.IsZero() {
		info.LastStartedTime = timestamppb.New(sa.LastStartedTime)
	}
	if !sa.LastHeartbeatTime.IsZero() {
		info.LastHeartbeatTime = timestamppb.New(sa.LastHeartbeatTime)
	}
	if !s.Open() {
		if !sa.LastAttemptCompleteTime.IsZero() {
			info.LastAttemptCompleteTime = timestamppb.New(sa.LastAttemptCompleteTime)
		}
		info.CloseTime = timestamppb.New(s.CloseTime)
		info.ExecutionDuration = durationpb.New(s.CloseTime.Sub(sa.ScheduleTime))
	}
	// Always set, as Temporal does: the Go SDK reads its fields unchecked.
	info.SearchAttributes = &commonpb.SearchAttributes{}
	if len(s.SearchAttributes) > 0 {
		_ = proto.Unmarshal(s.SearchAttributes, info.SearchAttributes)
	}
	return info
}

// A Describe long poll token names the run and the state transition count
// the caller saw.
func encodeDescribeToken(runID string, transitions int64) []byte {
	return []byte("a1|" + runID + "|" + strconv.FormatInt(transitions, 10))
}

func decodeDescribeToken(b []byte) (string, int64, bool) {
	parts := strings.Split(string(b), "|")
	if len(parts) != 3 || parts[0] != "a1" {
		return "", 0, false
	}
	n, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil || n < 0 {
		return "", 0, false
	}
	return parts[1], n, true
}
