package engine

import (
	"context"
	"sort"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

var errRunClosed = serviceerror.NewNotFound("workflow execution already completed")

// updateOpenRun runs fn as a transition of the run ex names, which must be open.
func (e *Engine) updateOpenRun(ctx context.Context, namespace string, ex *commonpb.WorkflowExecution, fn func(tx *machine.Tx) error) error {
	ns, err := e.namespace(ctx, namespace)
	if err != nil {
		return err
	}
	r, err := e.lockExecution(ctx, ns, ex)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	return e.updateLocked(ctx, r, func(_ *run, tx *machine.Tx) error {
		if !tx.S.Open() {
			return errRunClosed
		}
		return fn(tx)
	})
}

// SignalWorkflowExecution delivers a signal to an open run.
func (e *Engine) SignalWorkflowExecution(ctx context.Context, req *workflowservice.SignalWorkflowExecutionRequest) (*workflowservice.SignalWorkflowExecutionResponse, error) {
	err := e.updateOpenRun(ctx, req.Namespace, req.WorkflowExecution, func(tx *machine.Tx) error {
		tx.SignalRun(&machine.Signal{Name: req.SignalName, Input: req.Input, Header: req.Header, Identity: req.Identity, RequestID: req.RequestId})
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.SignalWorkflowExecutionResponse{}, nil
}

// RequestCancelWorkflowExecution asks an open run to cancel itself. As in
// Temporal, asking a run that has already closed succeeds and changes nothing.
func (e *Engine) RequestCancelWorkflowExecution(ctx context.Context, req *workflowservice.RequestCancelWorkflowExecutionRequest) (*workflowservice.RequestCancelWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	r, err := e.lockExecution(ctx, ns, req.WorkflowExecution)
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	err = e.updateLocked(ctx, r, func(_ *run, tx *machine.Tx) error {
		if req.FirstExecutionRunId != "" && tx.S.FirstRunID != req.FirstExecutionRunId {
			return serviceerror.NewNotFound("workflow execution not found")
		}
		if !tx.S.Open() || tx.S.CancelRequested {
			return errNoChange
		}
		tx.RequestCancelRun(req.Reason, req.Identity)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.RequestCancelWorkflowExecutionResponse{}, nil
}

// TerminateWorkflowExecution closes an open run at once.
func (e *Engine) TerminateWorkflowExecution(ctx context.Context, req *workflowservice.TerminateWorkflowExecutionRequest) (*workflowservice.TerminateWorkflowExecutionResponse, error) {
	err := e.updateOpenRun(ctx, req.Namespace, req.WorkflowExecution, func(tx *machine.Tx) error {
		if req.FirstExecutionRunId != "" && tx.S.FirstRunID != req.FirstExecutionRunId {
			return serviceerror.NewNotFound("workflow execution not found")
		}
		tx.TerminateRun(req.Reason, req.Details, req.Identity)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.TerminateWorkflowExecutionResponse{}, nil
}

// ResetStickyTaskQueue sends a run's next workflow task to its normal queue.
func (e *Engine) ResetStickyTaskQueue(ctx context.Context, req *workflowservice.ResetStickyTaskQueueRequest) (*workflowservice.ResetStickyTaskQueueResponse, error) {
	err := e.updateOpenRun(ctx, req.Namespace, req.Execution, func(tx *machine.Tx) error {
		if tx.S.StickyQueue == "" {
			return errNoChange
		}
		tx.S.StickyQueue = ""
		tx.S.StickyTimeout = 0
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.ResetStickyTaskQueueResponse{}, nil
}

// ShutdownWorker moves the tasks waiting on a stopping worker's sticky queue to
// their normal queues, and stops routing to that sticky queue.
func (e *Engine) ShutdownWorker(ctx context.Context, req *workflowservice.ShutdownWorkerRequest) (*workflowservice.ShutdownWorkerResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	e.forgetVersionedPoller(ns.id, req.GetIdentity(), req.GetTaskQueue(), req.GetTaskQueueTypes())
	if req.StickyTaskQueue == "" {
		return &workflowservice.ShutdownWorkerResponse{}, nil
	}
	q := workflowQueue(ns.id, req.StickyTaskQueue)
	for _, ref := range e.tasks.Retire(q) {
		r, err := e.lockRun(ctx, ref.run)
		if err != nil {
			continue
		}
		if s := r.state; s.Open() {
			normal := e.normalWorkflowQueue(s)
			e.tasks.Add(normal, ref)
		}
		r.mu.Unlock()
	}
	return &workflowservice.ShutdownWorkerResponse{}, nil
}

// DescribeWorkflowExecution reports a run's configuration, status and pending
// work.
func (e *Engine) DescribeWorkflowExecution(ctx context.Context, req *workflowservice.DescribeWorkflowExecutionRequest) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	r, err := e.lockExecution(ctx, ns, req.Execution)
	if err != nil {
		return nil, err
	}
	s := r.state
	r.mu.Unlock()
	resp := &workflowservice.DescribeWorkflowExecutionResponse{
		ExecutionConfig: &workflowpb.WorkflowExecutionConfig{
			TaskQueue:                  &taskqueuepb.TaskQueue{Name: s.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			WorkflowExecutionTimeout:   durationpb.New(s.ExecutionTimeout),
			WorkflowRunTimeout:         durationpb.New(s.RunTimeout),
			DefaultWorkflowTaskTimeout: durationpb.New(s.WorkflowTaskTimeout),
		},
		WorkflowExecutionInfo: executionInfo(s),
		WorkflowExtendedInfo: &workflowpb.WorkflowExecutionExtendedInfo{
			ExecutionExpirationTime: tsOrNil(s.ExecutionDeadline),
			RunExpirationTime:       tsOrNil(s.RunDeadline),
			CancelRequested:         s.CancelRequested,
			OriginalStartTime:       timestamppb.New(s.StartTime),
		},
	}
	for _, a := range sortedActivities(s) {
		resp.PendingActivities = append(resp.PendingActivities, pendingActivity(a))
	}
	describeRunPause(resp, s)
	resp.PendingChildren = pendingChildren(s)
	resp.PendingNexusOperations = pendingNexusOperations(s)
	resp.Callbacks = callbackInfos(s)
	if wt := s.WorkflowTask; wt != nil {
		p := &workflowpb.PendingWorkflowTaskInfo{
			State:                 enumspb.PENDING_WORKFLOW_TASK_STATE_SCHEDULED,
			ScheduledTime:         timestamppb.New(wt.ScheduledTime),
			OriginalScheduledTime: timestamppb.New(wt.ScheduledTime),
			Attempt:               wt.Attempt,
		}
		if wt.StartedEventID != 0 {
			p.State = enumspb.PENDING_WORKFLOW_TASK_STATE_STARTED
			p.StartedTime = timestamppb.New(wt.StartedTime)
		}
		resp.PendingWorkflowTask = p
	}
	return resp, nil
}

// executionInfo is the summary of a run that describe and list return.
func executionInfo(s *machine.State) *workflowpb.WorkflowExecutionInfo {
	info := &workflowpb.WorkflowExecutionInfo{
		Execution:        &commonpb.WorkflowExecution{WorkflowId: s.WorkflowID, RunId: s.RunID},
		Type:             &commonpb.WorkflowType{Name: s.WorkflowType},
		StartTime:        timestamppb.New(s.StartTime),
		CloseTime:        tsOrNil(s.CloseTime),
		Status:           s.Status,
		HistoryLength:    s.NextEventID - 1,
		ExecutionTime:    timestamppb.New(s.ExecutionTime),
		TaskQueue:        s.TaskQueue,
		HistorySizeBytes: s.HistorySize,
		FirstRunId:       s.FirstRunID,
		VersioningInfo:   versioningInfo(s),
	}
	if !s.CloseTime.IsZero() {
		info.ExecutionDuration = durationpb.New(s.CloseTime.Sub(s.ExecutionTime))
	}
	if len(s.ResetPoints) > 0 {
		info.AutoResetPoints = &workflowpb.ResetPoints{}
		for _, p := range s.ResetPoints {
			info.AutoResetPoints.Points = append(info.AutoResetPoints.Points, &workflowpb.ResetPointInfo{
				BinaryChecksum:               p.BinaryChecksum,
				RunId:                        s.RunID,
				FirstWorkflowTaskCompletedId: p.CompletedEventID,
				CreateTime:                   timestamppb.New(p.CreateTime),
				Resettable:                   true,
			})
		}
	}
	if s.Parent != nil {
		info.ParentNamespaceId = s.Parent.NamespaceID
		info.ParentExecution = &commonpb.WorkflowExecution{WorkflowId: s.Parent.WorkflowID, RunId: s.Parent.RunID}
		info.RootExecution = &commonpb.WorkflowExecution{WorkflowId: s.Parent.RootWorkflowID, RunId: s.Parent.RootRunID}
	} else {
		info.RootExecution = &commonpb.WorkflowExecution{WorkflowId: s.WorkflowID, RunId: s.RunID}
	}
	if len(s.Memo) > 0 {
		m := &commonpb.Memo{}
		if proto.Unmarshal(s.Memo, m) == nil {
			info.Memo = m
		}
	}
	if len(s.SearchAttributes) > 0 {
		sa := &commonpb.SearchAttributes{}
		if proto.Unmarshal(s.SearchAttributes, sa) == nil {
			info.SearchAttributes = sa
		}
	}
	return info
}

func pendingActivity(a *machine.Activity) *workflowpb.PendingActivityInfo {
	p := &workflowpb.PendingActivityInfo{
		ActivityId:         a.ActivityID,
		ActivityType:       &commonpb.ActivityType{Name: a.ActivityType},
		State:              enumspb.PENDING_ACTIVITY_STATE_SCHEDULED,
		HeartbeatDetails:   a.DecodedHeartbeatDetails(),
		LastHeartbeatTime:  tsOrNil(a.LastHeartbeat),
		LastStartedTime:    tsOrNil(a.StartedTime),
		Attempt:            a.Attempt,
		MaximumAttempts:    a.Retry.MaximumAttempts,
		ScheduledTime:      timestamppb.New(a.AttemptScheduledTime),
		LastWorkerIdentity: a.LastIdentity,
		Priority:           a.DecodedPriority(),
	}
	switch {
	case a.CancelRequested:
		p.State = enumspb.PENDING_ACTIVITY_STATE_CANCEL_REQUESTED
	case a.State == machine.ActivityStarted:
		p.State = enumspb.PENDING_ACTIVITY_STATE_STARTED
		p.LastWorkerIdentity = a.StartedIdentity
	case a.State == machine.ActivityBackoff:
		p.NextAttemptScheduleTime = timestamppb.New(a.AttemptScheduledTime)
	}
	if a.ScheduleToClose > 0 {
		p.ExpirationTime = timestamppb.New(a.ScheduledTime.Add(a.ScheduleToClose))
	}
	if len(a.LastFailure) > 0 {
		f := &failurepb.Failure{}
		if proto.Unmarshal(a.LastFailure, f) == nil {
			p.LastFailure = f
		}
	}
	describePauseAndOptions(p, a)
	return p
}

func tsOrNil(t time.Time) *timestamppb.Timestamp {
	if t.IsZero() {
		return nil
	}
	return timestamppb.New(t)
}

func sortedActivities(s *machine.State) []*machine.Activity {
	out := make([]*machine.Activity, 0, len(s.Activities))
	for _, a := range s.Activities {
		out = append(out, a)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ScheduledEventID < out[j].ScheduledEventID })
	return out
}
