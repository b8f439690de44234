package engine

import (
	"context"
	"fmt"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	"go.temporal.io/api/serviceerror"
	updatepb "go.temporal.io/api/update/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/anypb"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// liveUpdate is an update the engine knows in memory: admitted, delivered to a
// worker, accepted or finished. Accepted and completed updates are also in the
// run's history and state; an admitted one lives only here, like Temporal's
// non-durable admission, and its caller retries if it is lost.
type liveUpdate struct {
	request  *updatepb.Request
	accepted bool
	outcome  *updatepb.Outcome
	// rejected orders rejections (see keptRejections); 0 for other updates.
	rejected uint64
}

// Temporal's default limits on a run's updates (history.maxInFlightUpdates
// and history.maxTotalUpdates).
const (
	DefaultMaxInFlightUpdates = 10
	DefaultMaxTotalUpdates    = 2000
)

// keptRejections is how many rejected updates a run remembers, newest first,
// so that callers waiting on them and retries with the same id get the
// rejection. Accepted and completed updates are in the run's state and
// history instead, and are not kept in memory.
const keptRejections = 10

// updateWait is how long one update call waits before answering with the
// stage reached; the SDKs call again.
const updateWait = 55 * time.Second

// UpdateWorkflowExecution admits an update, hands it to the workflow with the
// next workflow task, and waits for the requested stage.
func (e *Engine) UpdateWorkflowExecution(ctx context.Context, req *workflowservice.UpdateWorkflowExecutionRequest) (*workflowservice.UpdateWorkflowExecutionResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	stage := req.GetWaitPolicy().GetLifecycleStage()
	if stage == enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED {
		return nil, serviceerror.NewInvalidArgument("WaitPolicy ADMITTED is not supported; wait for ACCEPTED or COMPLETED")
	}
	r, err := e.lockExecution(ctx, ns, req.WorkflowExecution)
	if err != nil {
		return nil, err
	}
	id := req.GetRequest().GetMeta().GetUpdateId()
	out, err := e.awaitUpdate(ctx, r, id, stage, func(ctx context.Context, r *run) error {
		return e.admitUpdate(ctx, r, req)
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.UpdateWorkflowExecutionResponse{UpdateRef: out.ref, Outcome: out.outcome, Stage: out.stage}, nil
}

// admitUpdate registers a new update with the locked, open run r and makes
// sure a workflow task will carry it.
func (e *Engine) admitUpdate(ctx context.Context, r *run, req *workflowservice.UpdateWorkflowExecutionRequest) error {
	if req.FirstExecutionRunId != "" && r.state.FirstRunID != req.FirstExecutionRunId {
		return serviceerror.NewNotFound("workflow execution not found")
	}
	if err := e.checkUpdateLimits(r); err != nil {
		return err
	}
	if r.updates == nil {
		r.updates = map[string]*liveUpdate{}
	}
	r.updates[req.GetRequest().GetMeta().GetUpdateId()] = &liveUpdate{request: req.Request}
	return e.updateLocked(ctx, r, func(_ *run, tx *machine.Tx) error {
		if !tx.RequestWorkflowTask() {
			return errNoChange
		}
		return nil
	})
}

// PollWorkflowExecutionUpdate waits for an update's outcome.
func (e *Engine) PollWorkflowExecutionUpdate(ctx context.Context, req *workflowservice.PollWorkflowExecutionUpdateRequest) (*workflowservice.PollWorkflowExecutionUpdateResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	stage := req.GetWaitPolicy().GetLifecycleStage()
	if stage == enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED {
		stage = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
	}
	r, err := e.lockExecution(ctx, ns, req.GetUpdateRef().GetWorkflowExecution())
	if err != nil {
		return nil, err
	}
	out, err := e.awaitUpdate(ctx, r, req.GetUpdateRef().GetUpdateId(), stage, func(context.Context, *run) error {
		return serviceerror.NewNotFound("update not found")
	})
	if err != nil {
		return nil, err
	}
	return &workflowservice.PollWorkflowExecutionUpdateResponse{UpdateRef: out.ref, Outcome: out.outcome, Stage: out.stage}, nil
}

type updateStatus struct {
	ref     *updatepb.UpdateRef
	stage   enumspb.UpdateWorkflowExecutionLifecycleStage
	outcome *updatepb.Outcome
}

// awaitUpdate waits until update id of the run reaches want (or completes). If
// the update is unknown, admit decides: it registers it, or returns an error.
// r is the run, locked by the caller; awaitUpdate unlocks it.
func (e *Engine) awaitUpdate(ctx context.Context, r *run, id string, want enumspb.UpdateWorkflowExecutionLifecycleStage,
	admit func(context.Context, *run) error) (updateStatus, error) {
	until := e.longPollDeadline(ctx, updateWait)
	key := r.key
	for {
		if r == nil {
			var err error
			if r, err = e.lockRun(ctx, key); err != nil {
				return updateStatus{}, err
			}
		}
		st := updateStatus{ref: &updatepb.UpdateRef{WorkflowExecution: execOf(key), UpdateId: id}}
		s := r.state
		if rec := s.Updates[id]; rec != nil {
			st.stage = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED
			if rec.CompletedEventID != 0 {
				r.mu.Unlock()
				ev, err := e.readEvent(ctx, key, rec.CompletedEventID)
				if err != nil {
					return st, err
				}
				st.stage = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED
				st.outcome = ev.GetWorkflowExecutionUpdateCompletedEventAttributes().GetOutcome()
				return st, nil
			}
			if want == enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ACCEPTED {
				r.mu.Unlock()
				return st, nil
			}
		}
		lu := r.updates[id]
		switch {
		case lu != nil && lu.outcome != nil:
			r.mu.Unlock()
			st.stage, st.outcome = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_COMPLETED, lu.outcome
			return st, nil
		case !s.Open():
			r.mu.Unlock()
			return st, errRunClosed
		case lu == nil && s.Updates[id] == nil && s.Paused():
			r.mu.Unlock()
			return st, errRunPausedNoUpdate
		case lu == nil && s.Updates[id] == nil:
			if err := admit(ctx, r); err != nil {
				r.mu.Unlock()
				return st, err
			}
		}
		if st.stage == enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_UNSPECIFIED {
			st.stage = enumspb.UPDATE_WORKFLOW_EXECUTION_LIFECYCLE_STAGE_ADMITTED
		}
		changed := r.changes()
		r.mu.Unlock()
		r = nil
		if !e.waitChange(ctx, changed, until) {
			return st, nil
		}
	}
}

// updateMessages are the requests of the run's admitted updates, for the
// workflow task that started at startedID.
func (e *Engine) updateMessages(r *run, startedID int64) []*protocolpb.Message {
	var out []*protocolpb.Message
	for id, lu := range r.updates {
		if lu.accepted || lu.outcome != nil || r.state.Updates[id] != nil {
			continue
		}
		body, err := anypb.New(lu.request)
		if err != nil {
			continue
		}
		out = append(out, &protocolpb.Message{
			Id:                 id + "/request",
			ProtocolInstanceId: id,
			SequencingId:       &protocolpb.Message_EventId{EventId: startedID - 1},
			Body:               body,
		})
	}
	return out
}

// settleUpdates records in memory what a committed completion did to updates:
// an accepted or completed update is in the run's state from now on and is
// dropped from memory; a rejected one is kept among the run's last
// keptRejections rejections.
func (e *Engine) settleUpdates(r *run, results []machine.UpdateResult) {
	for _, res := range results {
		if res.Accepted {
			delete(r.updates, res.UpdateID)
			continue
		}
		if res.Outcome == nil {
			continue
		}
		if r.updates == nil {
			r.updates = map[string]*liveUpdate{}
		}
		r.rejections++
		r.updates[res.UpdateID] = &liveUpdate{outcome: res.Outcome, rejected: r.rejections}
	}
	r.forgetOldRejections()
}

// forgetOldRejections keeps only the run's keptRejections newest rejections.
func (r *run) forgetOldRejections() {
	for {
		n, oldest := 0, ""
		for id, lu := range r.updates {
			if lu.rejected == 0 {
				continue
			}
			n++
			if oldest == "" || lu.rejected < r.updates[oldest].rejected {
				oldest = id
			}
		}
		if n <= keptRejections {
			return
		}
		delete(r.updates, oldest)
	}
}

// checkUpdateLimits refuses a new update when the run has as many updates in
// flight (admitted or accepted, not yet completed or rejected) as allowed, or
// has received as many as allowed in total; the errors are Temporal's.
// Rejected updates count toward neither once rejected.
func (e *Engine) checkUpdateLimits(r *run) error {
	s := r.state
	inFlight, total := 0, len(s.Updates)
	for _, rec := range s.Updates {
		if rec.CompletedEventID == 0 {
			inFlight++
		}
	}
	for id, lu := range r.updates {
		if lu.outcome == nil && s.Updates[id] == nil {
			inFlight++
			total++
		}
	}
	if limit := e.cfg.MaxInFlightUpdates; limit > 0 && inFlight >= limit {
		return &serviceerror.ResourceExhausted{
			Cause:   enumspb.RESOURCE_EXHAUSTED_CAUSE_CONCURRENT_LIMIT,
			Scope:   enumspb.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
			Message: fmt.Sprintf("limit on number of concurrent in-flight updates has been reached (%d)", limit),
		}
	}
	if limit := e.cfg.MaxTotalUpdates; limit > 0 && total >= limit {
		return serviceerror.NewFailedPreconditionf("The limit on the total number of distinct updates in this workflow has been reached (%d). "+
			"Make sure any duplicate updates share an Update ID so the server can deduplicate them, and consider rejecting updates that you aren't going to process. "+
			"You can also Continue-as-New to avoid this; we recommend you check Continue-as-New Suggested in your Workflow.", limit)
	}
	return nil
}

func execOf(key runKey) *commonpb.WorkflowExecution {
	return &commonpb.WorkflowExecution{WorkflowId: key.workflowID, RunId: key.runID}
}

// admittedUpdates counts the run's updates that live only in memory: admitted,
// not yet accepted or rejected, while the run is open. The caller holds r.mu.
func (r *run) admittedUpdates() int {
	if r.state == nil || !r.state.Open() {
		return 0
	}
	n := 0
	for id, lu := range r.updates {
		if lu.outcome == nil && r.state.Updates[id] == nil {
			n++
		}
	}
	return n
}
