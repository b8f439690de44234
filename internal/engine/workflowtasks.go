package engine

import (
	"context"
	"errors"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/tasktoken"
	"github.com/sundialdev/sundial/internal/uuid"
)

// PollWorkflowTaskQueue long-polls for a workflow task (or a query task) and
// starts it.
func (e *Engine) PollWorkflowTaskQueue(ctx context.Context, req *workflowservice.PollWorkflowTaskQueueRequest) (*workflowservice.PollWorkflowTaskQueueResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	q := workflowQueue(ns.id, req.GetTaskQueue().GetName())
	if req.DeploymentOptions != nil && req.GetTaskQueue().GetKind() != enumspb.TASK_QUEUE_KIND_STICKY {
		if q.Version, err = e.versionedPoll(ctx, ns.id, req.DeploymentOptions, q, req.Identity); err != nil {
			return nil, err
		}
	}
	until := e.longPollDeadline(ctx, taskLongPoll)
	for {
		wait := until.Sub(wallNow())
		if wait <= 0 {
			return &workflowservice.PollWorkflowTaskQueueResponse{}, nil
		}
		pollCtx, done := e.stickyPollContext(ctx, ns.id, req)
		ref, ok := e.tasks.Poll(pollCtx, q, matching.PollerInfo{Identity: req.Identity}, wait)
		done()
		if !ok {
			return &workflowservice.PollWorkflowTaskQueueResponse{}, nil
		}
		var resp *workflowservice.PollWorkflowTaskQueueResponse
		if ref.kind == kindQuery {
			resp, err = e.queryTask(ctx, ref, q)
		} else {
			resp, err = e.startWorkflowTask(ctx, ref, q, req.Identity)
		}
		if errors.Is(err, machine.ErrStale) || isNotFoundErr(err) {
			continue
		}
		if err != nil {
			return nil, err
		}
		// The SDKs read the hint to share their pollers out: while a sticky
		// queue has a backlog, every poller turns to it.
		resp.BacklogCountHint = int64(e.tasks.BacklogLen(q))
		if e.metrics != nil && ref.kind != kindQuery && resp.ScheduledTime != nil && resp.StartedTime != nil {
			e.metrics.taskStarted(ns.name, q.Name, metrics.TaskTypeWorkflow, req.GetTaskQueue().GetKind() == enumspb.TASK_QUEUE_KIND_STICKY,
				resp.StartedTime.AsTime().Sub(resp.ScheduledTime.AsTime()))
		}
		return resp, nil
	}
}

// startWorkflowTask records that a poller took the workflow task ref points at,
// and builds the task for it.
func (e *Engine) startWorkflowTask(ctx context.Context, ref taskRef, q matching.QueueKey, identity string) (*workflowservice.PollWorkflowTaskQueueResponse, error) {
	requestID := uuid.NewRandom()
	r, err := e.updateInMemory(ctx, ref.run, func(r *run, tx *machine.Tx) error {
		wt := tx.S.WorkflowTask
		if ref.kind != kindWorkflow || wt == nil || wt.Attempt != ref.attempt {
			return machine.ErrStale
		}
		_, err := tx.StartWorkflowTask(ref.scheduledEventID, identity, requestID)
		return err
	})
	if err != nil {
		return nil, err
	}
	// The history is read after the run is released: a long one must not
	// hold up signals and other work on the run.
	resp, page, err := e.prepareWorkflowTask(r, q.Name != r.state.TaskQueue)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	if err := page.fill(ctx, e, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// workflowTaskFor builds the poll response for the run's started workflow task.
// A sticky worker gets only the events since its last completed task.
//
// A long history goes out a page at a time: the task carries the first page
// and a next_page_token, with which the SDK reads the rest through
// GetWorkflowExecutionHistory.
func (e *Engine) workflowTaskFor(ctx context.Context, r *run, sticky bool) (*workflowservice.PollWorkflowTaskQueueResponse, error) {
	resp, page, err := e.prepareWorkflowTask(r, sticky)
	if err != nil {
		return nil, err
	}
	if err := page.fill(ctx, e, resp); err != nil {
		return nil, err
	}
	return resp, nil
}

// prepareWorkflowTask is workflowTaskFor without the history, which the
// returned page fills in; the caller may release the run in between.
func (e *Engine) prepareWorkflowTask(r *run, sticky bool) (*workflowservice.PollWorkflowTaskQueueResponse, historyPageSnapshot, error) {
	s := r.state
	wt := s.WorkflowTask
	if !s.Open() || wt == nil || wt.StartedEventID == 0 {
		// Closed by the transition that was to start it (a history limit).
		return nil, historyPageSnapshot{}, machine.ErrStale
	}
	from := int64(1)
	if sticky && s.LastCompletedStartedID > 0 {
		from = s.LastCompletedStartedID + 1
	}
	page := e.snapshotPage(r, from, wt.StartedEventID+1)
	resp := &workflowservice.PollWorkflowTaskQueueResponse{
		TaskToken: tasktoken.Encode(tasktoken.Token{
			Kind: tasktoken.WorkflowTask, NamespaceID: s.NamespaceID, WorkflowID: s.WorkflowID, RunID: s.RunID,
			ScheduledEventID: wt.ScheduledEventID, StartedEventID: wt.StartedEventID, Attempt: wt.Attempt,
		}),
		WorkflowExecution:          &commonpb.WorkflowExecution{WorkflowId: s.WorkflowID, RunId: s.RunID},
		WorkflowType:               &commonpb.WorkflowType{Name: s.WorkflowType},
		PreviousStartedEventId:     s.LastCompletedStartedID,
		StartedEventId:             wt.StartedEventID,
		Attempt:                    wt.Attempt,
		WorkflowExecutionTaskQueue: &taskqueuepb.TaskQueue{Name: s.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		ScheduledTime:              timestamppb.New(wt.ScheduledTime),
		StartedTime:                timestamppb.New(wt.StartedTime),
	}
	if qs := e.attachQueries(r, wt.StartedEventID); len(qs) > 0 {
		resp.Queries = qs
	}
	resp.Messages = e.updateMessages(r, wt.StartedEventID)
	return resp, page, nil
}

// RespondWorkflowTaskCompleted applies a worker's commands. A command the run's
// state does not allow fails the workflow task and answers InvalidArgument.
func (e *Engine) RespondWorkflowTaskCompleted(ctx context.Context, req *workflowservice.RespondWorkflowTaskCompletedRequest) (*workflowservice.RespondWorkflowTaskCompletedResponse, error) {
	tok, err := decodeToken(req.TaskToken, tasktoken.WorkflowTask)
	if err != nil {
		return nil, err
	}
	var commandErr error
	var inline bool
	var updates []machine.UpdateResult
	var eager []*machine.Activity
	key := runKey{tok.NamespaceID, tok.WorkflowID, tok.RunID}
	r, err := e.updateKeep(ctx, key, func(r *run, tx *machine.Tx) error {
		wt, err := tx.S.CurrentWorkflowTask(tok.ScheduledEventID, tok.StartedEventID, tok.Attempt)
		if err != nil {
			return serviceerror.NewNotFound("workflow task not found.")
		}
		before := tx.S.Clone()
		res, err := tx.CompleteWorkflowTask(req.Commands, machine.CompletionOptions{
			Identity:       req.Identity,
			BinaryChecksum: req.BinaryChecksum,
			SdkMetadata:    req.SdkMetadata,
			Metering:       &historypb.WorkflowTaskCompletedEventAttributes{MeteringMetadata: req.MeteringMetadata, VersioningBehavior: req.VersioningBehavior, DeploymentVersion: completionVersion(req)},
			Sticky:         req.StickyAttributes,
			ForceNewTask:   req.ForceCreateNewWorkflowTask,
			ReturnNewTask:  req.ReturnNewWorkflowTask,
			RequestID:      uuid.NewRandom(),
			Messages:       req.Messages,
		})
		var cmdErr *machine.CommandError
		if errors.As(err, &cmdErr) {
			tx.Restore(before)
			commandErr = failForCommand(tx, wt, cmdErr.Cause, cmdErr.Message, req.Identity, req.BinaryChecksum)
			if wt.Attempt > 1 && cmdErr.Cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND {
				return errNoChange
			}
			return nil
		}
		if err != nil {
			return err
		}
		if err := noteCompletionVersioning(tx.S, req); err != nil {
			return err
		}
		inline = res.Inline != nil
		updates = tx.UpdateResults
		eager = startEagerActivities(tx, req)
		return nil
	})
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	if commandErr == nil {
		e.answerQueries(r, tok.StartedEventID, req.QueryResults)
		e.settleUpdates(r, updates)
	}
	e.releaseQueries(r, tok.StartedEventID)
	if commandErr != nil {
		return nil, commandErr
	}
	resp := &workflowservice.RespondWorkflowTaskCompletedResponse{}
	for _, act := range eager {
		task, err := e.activityTaskFor(ctx, r, act)
		if err != nil {
			return nil, err
		}
		resp.ActivityTasks = append(resp.ActivityTasks, task)
	}
	if inline && r.state.WorkflowTask != nil {
		task, err := e.workflowTaskFor(ctx, r, true)
		if err != nil {
			return nil, err
		}
		resp.WorkflowTask = task
	}
	return resp, nil
}

// RespondWorkflowTaskFailed records a worker's failure of a workflow task and
// schedules the next attempt.
func (e *Engine) RespondWorkflowTaskFailed(ctx context.Context, req *workflowservice.RespondWorkflowTaskFailedRequest) (*workflowservice.RespondWorkflowTaskFailedResponse, error) {
	tok, err := decodeToken(req.TaskToken, tasktoken.WorkflowTask)
	if err != nil {
		return nil, err
	}
	key := runKey{tok.NamespaceID, tok.WorkflowID, tok.RunID}
	r, err := e.updateKeep(ctx, key, func(r *run, tx *machine.Tx) error {
		if _, err := tx.S.CurrentWorkflowTask(tok.ScheduledEventID, tok.StartedEventID, tok.Attempt); err != nil {
			return serviceerror.NewNotFound("workflow task not found.")
		}
		cause := req.Cause
		if cause == enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNSPECIFIED {
			cause = enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
		}
		tx.FailWorkflowTask(cause, req.Failure, req.Identity, req.BinaryChecksum)
		return nil
	})
	if err != nil {
		return nil, err
	}
	e.releaseQueries(r, tok.StartedEventID)
	r.mu.Unlock()
	return &workflowservice.RespondWorkflowTaskFailedResponse{}, nil
}

// decodeToken decodes a task token of the expected kind.
func decodeToken(b []byte, kind tasktoken.Kind) (tasktoken.Token, error) {
	tok, err := tasktoken.Decode(b)
	if err != nil {
		return tok, serviceerror.NewInvalidArgumentf("Error deserializing task token. %v", err)
	}
	if tok.Kind != kind {
		return tok, serviceerror.NewInvalidArgumentf("Invalid TaskToken. It is for a %s, not a %s.", tok.Kind, kind)
	}
	return tok, nil
}

func isNotFoundErr(err error) bool {
	var nf *serviceerror.NotFound
	return errors.As(err, &nf)
}

// failForCommand fails the started workflow task because of a bad command and
// returns the error for the worker. Temporal writes such a failure only on a
// task's first attempt; later attempts are left to time out, so a workflow stuck
// on a bad command does not grow its history without bound.
func failForCommand(tx *machine.Tx, wt *machine.WorkflowTask, cause enumspb.WorkflowTaskFailedCause, message, identity, checksum string) error {
	if wt.Attempt == 1 || cause == enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND {
		tx.FailWorkflowTask(cause, &failurepb.Failure{Message: message, Source: "Server"}, identity, checksum)
	}
	return serviceerror.NewInvalidArgument(message)
}

// RejectWorkflowTaskCompletion fails the workflow task of a completion whose
// commands are malformed (found before the engine looked at them) and returns
// the InvalidArgument error for the worker.
func (e *Engine) RejectWorkflowTaskCompletion(ctx context.Context, req *workflowservice.RespondWorkflowTaskCompletedRequest, cause enumspb.WorkflowTaskFailedCause, message string) error {
	tok, err := decodeToken(req.TaskToken, tasktoken.WorkflowTask)
	if err != nil {
		return err
	}
	var rejection error
	r, err := e.updateKeep(ctx, runKey{tok.NamespaceID, tok.WorkflowID, tok.RunID}, func(r *run, tx *machine.Tx) error {
		wt, err := tx.S.CurrentWorkflowTask(tok.ScheduledEventID, tok.StartedEventID, tok.Attempt)
		if err != nil {
			return serviceerror.NewNotFound("workflow task not found.")
		}
		rejection = failForCommand(tx, wt, cause, message, req.Identity, req.BinaryChecksum)
		if len(tx.Events) == 0 {
			return errNoChange
		}
		return nil
	})
	if err != nil {
		return err
	}
	e.releaseQueries(r, tok.StartedEventID)
	r.mu.Unlock()
	return rejection
}

// startEagerActivities starts, within the completion's transition, the
// activities the worker asked to run itself (request_eager_execution) on the
// workflow's own task queue, saving the activity poll; the worker gets them in
// the completion's response.
func startEagerActivities(tx *machine.Tx, req *workflowservice.RespondWorkflowTaskCompletedRequest) []*machine.Activity {
	if !tx.S.Open() {
		return nil
	}
	var started []*machine.Activity
	for _, cmd := range req.Commands {
		a := cmd.GetScheduleActivityTaskCommandAttributes()
		if a == nil || !a.RequestEagerExecution {
			continue
		}
		act := tx.S.ActivityByID(a.ActivityId)
		if act == nil || act.State != machine.ActivityScheduled || act.TaskQueue != tx.S.TaskQueue {
			continue
		}
		if started1, err := tx.StartActivity(act.ScheduledEventID, act.Attempt, req.Identity, uuid.NewRandom()); err == nil {
			started = append(started, started1)
		}
	}
	return started
}
