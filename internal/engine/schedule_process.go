package engine

import (
	"context"
	"errors"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/schedule/spec"
	"github.com/sundialdev/sundial/internal/store"
)

// runSchedule brings one locked schedule up to date: it checks on the
// workflows it watches, buffers the spec's times that fell due, takes the
// buffered actions its overlap policies allow, saves, and returns when it
// should look again (zero: only when a watched workflow closes).
func (e *Engine) runSchedule(ctx context.Context, k scheduleKey, rec *store.Record, st *scheduleState) time.Time {
	now := e.clock.Now()
	retry := now.Add(scheduleRetryDelay)
	ns, err := e.ns.lookupID(ctx, k.nsID)
	if err != nil {
		e.log.Warn("a schedule's namespace cannot be read; will retry", "schedule_id", k.id, "error", err)
		return retry
	}
	sp, err := e.schedules.compiled(k, st)
	if err != nil {
		// Create and Update refuse specs that do not compile; one stored
		// before a change of the rules is left alone.
		e.log.Error("a schedule's spec does not compile; it takes no action", "schedule_id", k.id, "error", err)
		return time.Time{}
	}
	changed, failed := e.refreshScheduledRuns(ctx, ns, k, st)
	behind := false
	if e.bufferDueTimes(st, sp, now) {
		changed = true
		na := nextActual(sp, st.Processed)
		behind = !na.IsZero() && !na.After(now) && st.Processed.Before(now)
	}
	took, startFailed := e.takeBuffered(ctx, ns, k, st)
	changed = changed || took
	failed = failed || startFailed
	if changed {
		if err := e.saveSchedule(ctx, rec, st); err != nil {
			// Nothing of this firing is saved: the next one repeats it, and
			// the starts it repeats find the runs they started (their
			// request ids are the same).
			if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrNotFound) {
				return e.clock.Now()
			}
			e.logStoreFault("saving a schedule failed; will retry", err, "schedule_id", k.id)
			return retry
		}
		e.schedules.track(k, st)
	}
	switch {
	case failed:
		return retry
	case behind:
		return e.clock.Now()
	}
	return e.nextWake(st, sp)
}

// nextWake is when a schedule must look again for its spec: never while it
// is paused or out of actions (an unpause or update arms it again).
func (e *Engine) nextWake(st *scheduleState, sp *spec.Spec) time.Time {
	state := st.schedule.GetState()
	if state.GetPaused() || (state.GetLimitedActions() && state.GetRemainingActions() <= 0) {
		return time.Time{}
	}
	return nextActual(sp, st.Processed)
}

// nextActual is the actual time of the spec's first time after t, or zero.
func nextActual(sp *spec.Spec, t time.Time) time.Time {
	_, actual, ok := sp.Next(t)
	if !ok {
		return time.Time{}
	}
	return actual
}

// bufferDueTimes buffers the spec's times whose actual time has come, past
// st.Processed: times outside the catch-up window are counted as missed,
// times while paused or out of actions are passed over. It reports whether
// st changed.
func (e *Engine) bufferDueTimes(st *scheduleState, sp *spec.Spec, now time.Time) bool {
	window := st.catchupWindow()
	if state := st.schedule.GetState(); state.GetPaused() || (state.GetLimitedActions() && state.GetRemainingActions() <= 0) {
		// As in Temporal, the time spent unable to act is passed over, and
		// not counted as missed.
		if st.Processed.Before(now) {
			st.Processed = now
			return true
		}
		return false
	}
	changed := false
	for range scheduleMaxStepsPerFire {
		nominal, actual, ok := sp.Next(st.Processed)
		if !ok || actual.After(now) {
			break
		}
		st.Processed, changed = nominal, true
		if now.Sub(actual) > window {
			st.MissedCatchupWindow++
			continue
		}
		if state := st.schedule.GetState(); state.GetLimitedActions() {
			if state.GetRemainingActions() <= 0 {
				continue
			}
			state.RemainingActions--
		}
		st.buffer(bufferedStart{Nominal: nominal, Actual: actual})
	}
	return changed
}

// buffer adds a start, or drops it when the buffer is full.
func (st *scheduleState) buffer(b bufferedStart) {
	if len(st.Buffer) >= scheduleMaxBuffer {
		st.BufferDropped++
		return
	}
	st.Buffer = append(st.Buffer, b)
}

// takeBuffered starts what the buffer and the overlap policies allow,
// canceling or terminating the running workflows when a policy asks. It
// reports whether st changed and whether something failed and should be
// retried.
func (e *Engine) takeBuffered(ctx context.Context, ns *namespace, k scheduleKey, st *scheduleState) (changed, failed bool) {
	for range 3 { // a terminate frees the way for a second round
		if len(st.Buffer) == 0 {
			return changed, failed
		}
		plan := planBuffer(st, len(st.Running) > 0)
		st.OverlapSkipped += plan.skipped
		kept := plan.keep
		for i, b := range plan.starts {
			if err := e.takeAction(ctx, ns, k, st, b, i < plan.overlapping); err != nil {
				if retryable(err) {
					e.log.Warn("a schedule's start failed; will retry", "schedule_id", k.id, "error", err)
					kept = append([]bufferedStart{b}, kept...)
					failed = true
					continue
				}
				e.log.Warn("a schedule's start was refused", "schedule_id", k.id, "error", err)
			}
		}
		changed = changed || len(plan.starts) > 0 || plan.skipped > 0 || len(kept) != len(st.Buffer)
		st.Buffer = kept
		switch {
		case plan.terminate:
			if e.stopScheduledRuns(ctx, ns, k, st, true) {
				changed = true
				continue
			}
			failed = true
		case plan.cancel:
			e.stopScheduledRuns(ctx, ns, k, st, false)
		}
		return changed, failed
	}
	return changed, failed
}

// bufferPlan is what one pass over the buffer does.
type bufferPlan struct {
	starts []bufferedStart // to start now, allow-all ones first
	// overlapping is how many of starts are allow-all ones; the one after
	// them, if any, is the non-overlapping start.
	overlapping int
	keep        []bufferedStart // the new buffer
	// cancel or terminate the running workflows before the next start.
	cancel, terminate bool
	skipped           int64
}

// planBuffer applies each buffered start's overlap policy, given whether a
// workflow of the schedule is running: allow-all starts go at once, one
// start may go when nothing runs, and the others are skipped, kept, or wait
// for the running workflow to be canceled or terminated.
func planBuffer(st *scheduleState, running bool) bufferPlan {
	var p bufferPlan
	var allowAll []bufferedStart
	var single bufferedStart
	haveSingle := false
	for _, b := range st.Buffer {
		policy := st.overlapPolicy(b.Overlap)
		if policy == enumspb.SCHEDULE_OVERLAP_POLICY_ALLOW_ALL {
			allowAll = append(allowAll, b)
			continue
		}
		if !running && !haveSingle {
			single, haveSingle = b, true
			continue
		}
		switch policy {
		case enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ONE:
			if len(p.keep) == 0 {
				p.keep = append(p.keep, b)
			} else {
				p.skipped++
			}
		case enumspb.SCHEDULE_OVERLAP_POLICY_BUFFER_ALL:
			p.keep = append(p.keep, b)
		case enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER, enumspb.SCHEDULE_OVERLAP_POLICY_TERMINATE_OTHER:
			if !running {
				// The one about to start is not running yet: this later
				// start replaces it.
				single = b
				continue
			}
			p.keep = append(p.keep, b)
			if policy == enumspb.SCHEDULE_OVERLAP_POLICY_CANCEL_OTHER {
				p.cancel = true
			} else {
				p.terminate = true
			}
		default: // SKIP
			p.skipped++
		}
	}
	if p.cancel || p.terminate {
		allowAll = nil
	}
	p.starts, p.overlapping = allowAll, len(allowAll)
	if haveSingle {
		p.starts = append(p.starts, single)
	}
	return p
}

// retryable reports a failure that may pass: the store or the server, not
// the request.
func retryable(err error) bool {
	var unavailable *serviceerror.Unavailable
	var internal *serviceerror.Internal
	var exhausted *serviceerror.ResourceExhausted
	return errors.As(err, &unavailable) || errors.As(err, &internal) || errors.As(err, &exhausted) ||
		errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded)
}

// takeAction starts the schedule's workflow for one buffered start and
// records it; overlapping (allow-all) starts are not watched.
func (e *Engine) takeAction(ctx context.Context, ns *namespace, k scheduleKey, st *scheduleState, b bufferedStart, overlapping bool) error {
	action := st.schedule.GetAction().GetStartWorkflow()
	if action == nil {
		return serviceerror.NewInvalidArgument("the schedule has no start workflow action")
	}
	wfID := scheduledWorkflowID(action.GetWorkflowId(), b.Nominal)
	reuse := enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE
	if b.Manual {
		reuse = enumspb.WORKFLOW_ID_REUSE_POLICY_ALLOW_DUPLICATE
	}
	req := &workflowservice.StartWorkflowExecutionRequest{
		Namespace:                ns.name,
		WorkflowId:               wfID,
		WorkflowType:             action.GetWorkflowType(),
		TaskQueue:                action.GetTaskQueue(),
		Input:                    action.GetInput(),
		WorkflowExecutionTimeout: action.GetWorkflowExecutionTimeout(),
		WorkflowRunTimeout:       action.GetWorkflowRunTimeout(),
		WorkflowTaskTimeout:      action.GetWorkflowTaskTimeout(),
		Identity:                 fmt.Sprintf("temporal-scheduler-%s-%s", ns.name, k.id),
		RequestId:                scheduleRequestID(k.nsID, k.id, st.Generation, b.Nominal, b.Seq),
		RetryPolicy:              action.GetRetryPolicy(),
		Memo:                     action.GetMemo(),
		SearchAttributes:         scheduledSearchAttributes(action.GetSearchAttributes(), k.id, b.Nominal),
		Header:                   action.GetHeader(),
		UserMetadata:             action.GetUserMetadata(),
		Priority:                 action.GetPriority(),
	}
	p := startParams(ns, req)
	if !overlapping {
		p.LastCompletionResult, p.ContinuedFailure = st.lastCompletion()
	}
	res, err := e.start(ctx, ns, p, reuse, enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL, nil, false)
	if err != nil {
		return err
	}
	st.ActionCount++
	st.addRecent(scheduleActionEntry{
		ScheduleTime: b.Actual, ActualTime: e.clock.Now(), WorkflowID: wfID, RunID: res.runID,
		Status: enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING,
	})
	if !overlapping {
		st.Running = append(st.Running, scheduledRun{WorkflowID: wfID, RunID: res.runID})
	}
	return nil
}

// scheduledSearchAttributes adds the attributes Temporal gives a scheduled
// workflow to the action's own.
func scheduledSearchAttributes(sa *commonpb.SearchAttributes, scheduleID string, nominal time.Time) *commonpb.SearchAttributes {
	fields := make(map[string]*commonpb.Payload, len(sa.GetIndexedFields())+2)
	for name, p := range sa.GetIndexedFields() {
		fields[name] = p
	}
	fields["TemporalScheduledStartTime"] = jsonPayload(fmt.Sprintf("%q", nominal.UTC().Truncate(time.Second).Format(time.RFC3339Nano)))
	fields["TemporalScheduledById"] = jsonPayload(fmt.Sprintf("%q", scheduleID))
	return &commonpb.SearchAttributes{IndexedFields: fields}
}

// jsonPayload is a json/plain payload of already encoded JSON.
func jsonPayload(data string) *commonpb.Payload {
	return &commonpb.Payload{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(data)}
}

// lastCompletion decodes what the next start carries from the last one.
func (st *scheduleState) lastCompletion() (*commonpb.Payloads, *failurepb.Failure) {
	var result *commonpb.Payloads
	var failure *failurepb.Failure
	if len(st.LastCompletionResult) > 0 {
		result = &commonpb.Payloads{}
		if proto.Unmarshal(st.LastCompletionResult, result) != nil {
			result = nil
		}
	}
	if len(st.ContinuedFailure) > 0 {
		failure = &failurepb.Failure{}
		if proto.Unmarshal(st.ContinuedFailure, failure) != nil {
			failure = nil
		}
	}
	return result, failure
}

// stopScheduledRuns cancels or terminates the workflows the schedule
// watches; terminated ones are no longer watched. It reports whether every
// one was stopped.
func (e *Engine) stopScheduledRuns(ctx context.Context, ns *namespace, k scheduleKey, st *scheduleState, terminate bool) bool {
	ok := true
	var still []scheduledRun
	for _, r := range st.Running {
		ex := &commonpb.WorkflowExecution{WorkflowId: r.WorkflowID, RunId: r.RunID}
		var err error
		if terminate {
			_, err = e.TerminateWorkflowExecution(ctx, &workflowservice.TerminateWorkflowExecutionRequest{
				Namespace: ns.name, WorkflowExecution: ex, Reason: "terminated by schedule overlap policy",
				Identity: fmt.Sprintf("temporal-scheduler-%s-%s", ns.name, k.id),
			})
		} else {
			_, err = e.RequestCancelWorkflowExecution(ctx, &workflowservice.RequestCancelWorkflowExecutionRequest{
				Namespace: ns.name, WorkflowExecution: ex, Reason: "cancelled by schedule overlap policy",
				Identity:  fmt.Sprintf("temporal-scheduler-%s-%s", ns.name, k.id),
				RequestId: scheduleRequestID(k.nsID, k.id, st.Generation, time.Time{}, 0) + "-" + r.RunID,
			})
		}
		switch {
		case err == nil && terminate:
			e.noteScheduledRunClosed(st, r.WorkflowID, enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED)
			e.schedules.untrack(k, r.WorkflowID)
		case err == nil || isRunGone(err):
			still = append(still, r)
		default:
			ok = false
			still = append(still, r)
		}
	}
	st.Running = still
	return ok
}

// noteScheduledRunClosed records the close status among the recent actions.
func (e *Engine) noteScheduledRunClosed(st *scheduleState, workflowID string, status enumspb.WorkflowExecutionStatus) {
	for i := range st.Recent {
		if st.Recent[i].WorkflowID == workflowID {
			st.Recent[i].Status = status
		}
	}
}

// refreshScheduledRuns drops the watched workflows that have closed,
// recording their status and result, and pauses the schedule when one
// failed and the policy asks. It reports whether st changed and whether a
// run could not be read.
func (e *Engine) refreshScheduledRuns(ctx context.Context, ns *namespace, k scheduleKey, st *scheduleState) (changed, failed bool) {
	var still []scheduledRun
	for _, r := range st.Running {
		closed, err := e.scheduledRunClose(ctx, ns, r)
		if err != nil {
			failed = true
			still = append(still, r)
			continue
		}
		if closed == nil {
			still = append(still, r)
			continue
		}
		changed = true
		e.schedules.untrack(k, r.WorkflowID)
		e.noteScheduledRunClosed(st, r.WorkflowID, closed.status)
		e.applyScheduledClose(st, r.WorkflowID, closed)
	}
	st.Running = still
	return changed, failed
}

// scheduledClose is how a watched workflow ended.
type scheduledClose struct {
	status  enumspb.WorkflowExecutionStatus
	result  *commonpb.Payloads
	failure *failurepb.Failure
}

// applyScheduledClose keeps a closed workflow's result or failure for the
// next start and pauses on failure when the policy asks.
func (e *Engine) applyScheduledClose(st *scheduleState, workflowID string, c *scheduledClose) {
	switch c.status {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		st.LastCompletionResult, _ = proto.Marshal(c.result)
		st.ContinuedFailure = nil
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED, enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		if c.failure != nil {
			st.ContinuedFailure, _ = proto.Marshal(c.failure)
		}
	}
	failed := c.status == enumspb.WORKFLOW_EXECUTION_STATUS_FAILED || c.status == enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT
	if !failed || !st.schedule.GetPolicies().GetPauseOnFailure() || st.schedule.GetState().GetPaused() {
		return
	}
	if st.schedule.State == nil {
		st.schedule.State = newScheduleStateProto()
	}
	st.schedule.State.Paused = true
	if c.status == enumspb.WORKFLOW_EXECUTION_STATUS_FAILED {
		st.schedule.State.Notes = fmt.Sprintf("paused due to workflow failure: %s: %s", workflowID, c.failure.GetMessage())
	} else {
		st.schedule.State.Notes = fmt.Sprintf("paused due to workflow timeout: %s", workflowID)
	}
	st.ConflictToken++
}

// scheduledRunClose reads how a watched workflow's chain ended, nil while
// it runs. The workflow id's current run is read, so a run that continued
// as new or retried is followed to its successor.
func (e *Engine) scheduledRunClose(ctx context.Context, ns *namespace, r scheduledRun) (*scheduledClose, error) {
	run, err := e.lockExecution(ctx, ns, &commonpb.WorkflowExecution{WorkflowId: r.WorkflowID})
	if isRunGone(err) {
		return &scheduledClose{status: enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED}, nil
	}
	if err != nil {
		return nil, err
	}
	open, status, runID := run.state.Open(), run.state.Status, run.state.RunID
	run.mu.Unlock()
	if open {
		return nil, nil
	}
	c := &scheduledClose{status: status}
	hist, err := e.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: ns.name, Execution: &commonpb.WorkflowExecution{WorkflowId: r.WorkflowID, RunId: runID},
		HistoryEventFilterType: enumspb.HISTORY_EVENT_FILTER_TYPE_CLOSE_EVENT,
	})
	if err != nil {
		if isRunGone(err) {
			return c, nil
		}
		return nil, err
	}
	for _, ev := range hist.GetHistory().GetEvents() {
		switch {
		case ev.GetWorkflowExecutionCompletedEventAttributes() != nil:
			c.result = ev.GetWorkflowExecutionCompletedEventAttributes().GetResult()
		case ev.GetWorkflowExecutionFailedEventAttributes() != nil:
			c.failure = ev.GetWorkflowExecutionFailedEventAttributes().GetFailure()
		}
	}
	return c, nil
}
