package engine

import (
	"context"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	querypb "go.temporal.io/api/query/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/tasktoken"
	"github.com/sundialdev/sundial/internal/uuid"
)

// pendingQuery is a query waiting for a worker's answer. Queries live in memory
// only: a client whose query is lost in a restart gets an error and asks again.
type pendingQuery struct {
	id    string
	query *querypb.WorkflowQuery
	// deliveredWith is the started event id of the workflow task that carried the
	// query, 0 if none has.
	deliveredWith int64
	// direct is set once the query went out as a query task of its own.
	direct bool
	// taken is set once a poller took its query task; a copy of the task
	// still in another queue is then stale.
	taken bool
	done  chan queryOutcome
}

type queryOutcome struct {
	resp *workflowservice.QueryWorkflowResponse
	err  error
}

// QueryWorkflow asks a worker to run a query handler of a run. While a workflow
// task is pending the query rides on it (a consistent query); otherwise it goes
// out as a query task of its own.
func (e *Engine) QueryWorkflow(ctx context.Context, req *workflowservice.QueryWorkflowRequest) (*workflowservice.QueryWorkflowResponse, error) {
	ns, err := e.namespace(ctx, req.Namespace)
	if err != nil {
		return nil, err
	}
	r, err := e.lockExecution(ctx, ns, req.Execution)
	if err != nil {
		return nil, err
	}
	s := r.state
	if !s.Open() {
		cond := req.QueryRejectCondition
		if cond == enumspb.QUERY_REJECT_CONDITION_NOT_OPEN ||
			(cond == enumspb.QUERY_REJECT_CONDITION_NOT_COMPLETED_CLEANLY && s.Status != enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED) {
			r.mu.Unlock()
			return &workflowservice.QueryWorkflowResponse{QueryRejected: &querypb.QueryRejected{Status: s.Status}}, nil
		}
		if s.LastCompletedStartedID == 0 {
			r.mu.Unlock()
			return nil, serviceerror.NewWorkflowNotReady("Workflow execution closed before WorkflowTaskStarted event")
		}
	}
	q := &pendingQuery{id: uuid.NewRandom(), query: req.Query, done: make(chan queryOutcome, 1)}
	if r.queries == nil {
		r.queries = map[string]*pendingQuery{}
	}
	r.queries[q.id] = q
	if !s.Open() || s.WorkflowTask == nil {
		e.sendQueryTask(r, q)
	}
	e.refreshOutstanding(r)
	queues := queryQueues(s)
	r.mu.Unlock()

	giveUp, stopGiveUp := e.queryGiveUp(ctx)
	defer stopGiveUp()
	select {
	case out := <-q.done:
		return out.resp, out.err
	case <-giveUp:
		r.mu.Lock()
		delete(r.queries, q.id)
		e.refreshOutstanding(r)
		r.mu.Unlock()
		return nil, e.unansweredQueryError(queues)
	case <-ctx.Done():
		r.mu.Lock()
		delete(r.queries, q.id)
		e.refreshOutstanding(r)
		r.mu.Unlock()
		return nil, serviceerror.NewDeadlineExceeded("query was not answered in time: " + ctx.Err().Error())
	case <-e.stopped:
		return nil, serviceerror.NewUnavailable("server is shutting down")
	}
}

// sendQueryTask dispatches q as a query task, to the sticky worker when there is
// a live one. As in Temporal, a query the sticky worker does not take within
// the sticky schedule-to-start timeout is offered on the normal queue too
// (whichever copy is taken first wins), so a worker that died between polls
// holds up a query for that long at most.
func (e *Engine) sendQueryTask(r *run, q *pendingQuery) {
	s := r.state
	q.direct = true
	ref := taskRef{run: r.key, kind: kindQuery, queryID: q.id}
	normal := e.normalWorkflowQueue(s)
	if s.Open() && s.StickyQueue != "" {
		if sq := workflowQueue(s.NamespaceID, s.StickyQueue); e.stickyAlive(sq) {
			e.tasks.Add(sq, ref)
			wait := s.StickyTimeout
			if wait <= 0 || wait > e.cfg.StickyPollerUnavailableWindow {
				wait = e.cfg.StickyPollerUnavailableWindow
			}
			e.cfg.WallClock.AfterFunc(wait, func() { e.queryFallback(ref, normal) })
			return
		}
	}
	e.tasks.Add(normal, ref)
}

// queryFallback offers a query task that its sticky worker has not taken on
// the run's normal queue.
func (e *Engine) queryFallback(ref taskRef, normal matching.QueueKey) {
	select {
	case <-e.stopped:
		return
	default:
	}
	r := e.runs.lock(ref.run)
	defer r.mu.Unlock()
	if q := r.queries[ref.queryID]; q != nil && !q.taken {
		e.tasks.Add(normal, ref)
	}
}

// queryTask builds the task for a query that a poller took. Query tasks carry
// the full history, which both SDK families handle with or without a cache.
func (e *Engine) queryTask(ctx context.Context, ref taskRef, _ matching.QueueKey) (*workflowservice.PollWorkflowTaskQueueResponse, error) {
	r, err := e.lockRun(ctx, ref.run)
	if err != nil {
		return nil, err
	}
	q := r.queries[ref.queryID]
	if q == nil || q.taken {
		r.mu.Unlock()
		return nil, machine.ErrStale
	}
	q.taken = true
	s := r.state
	to := min(s.NextEventID, 1+int64(e.cfg.HistoryPageSize))
	snap := r.snapshotEvents(1, to)
	r.mu.Unlock()
	events, err := snap.read(ctx, e)
	if err != nil {
		return nil, err
	}
	events = trimPage(events, s.HistorySize)
	var token []byte
	if n := len(events); n > 0 && events[n-1].EventId+1 < s.NextEventID {
		token = encodeHistoryToken(historyToken{runID: s.RunID, nextEventID: events[n-1].EventId + 1})
	}
	return &workflowservice.PollWorkflowTaskQueueResponse{
		TaskToken: tasktoken.Encode(tasktoken.Token{
			Kind: tasktoken.QueryTask, NamespaceID: s.NamespaceID, WorkflowID: s.WorkflowID, RunID: s.RunID, QueryID: q.id,
		}),
		WorkflowExecution:          &commonpb.WorkflowExecution{WorkflowId: s.WorkflowID, RunId: s.RunID},
		WorkflowType:               &commonpb.WorkflowType{Name: s.WorkflowType},
		PreviousStartedEventId:     s.LastCompletedStartedID,
		Attempt:                    1,
		History:                    &historypb.History{Events: events},
		NextPageToken:              token,
		Query:                      q.query,
		WorkflowExecutionTaskQueue: &taskqueuepb.TaskQueue{Name: s.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
	}, nil
}

// RespondQueryTaskCompleted delivers a worker's answer to a query task.
func (e *Engine) RespondQueryTaskCompleted(ctx context.Context, req *workflowservice.RespondQueryTaskCompletedRequest) (*workflowservice.RespondQueryTaskCompletedResponse, error) {
	tok, err := decodeToken(req.TaskToken, tasktoken.QueryTask)
	if err != nil {
		return nil, err
	}
	r, err := e.lockRun(ctx, runKey{tok.NamespaceID, tok.WorkflowID, tok.RunID})
	if err != nil {
		return nil, err
	}
	defer r.mu.Unlock()
	q := r.queries[tok.QueryID]
	if q == nil {
		return nil, serviceerror.NewNotFound("query task not found, or already expired")
	}
	delete(r.queries, q.id)
	e.refreshOutstanding(r)
	q.done <- outcomeOf(req.CompletedType, req.QueryResult, req.ErrorMessage, req.Failure)
	return &workflowservice.RespondQueryTaskCompletedResponse{}, nil
}

func outcomeOf(kind enumspb.QueryResultType, answer *commonpb.Payloads, message string, failure *failurepb.Failure) queryOutcome {
	if kind == enumspb.QUERY_RESULT_TYPE_FAILED {
		if failure == nil {
			failure = &failurepb.Failure{Message: message}
		}
		return queryOutcome{err: serviceerror.NewQueryFailedWithFailure(message, failure)}
	}
	return queryOutcome{resp: &workflowservice.QueryWorkflowResponse{QueryResult: answer}}
}

// attachQueries hands the queries waiting for a workflow task to the one that
// just started.
func (e *Engine) attachQueries(r *run, startedID int64) map[string]*querypb.WorkflowQuery {
	var out map[string]*querypb.WorkflowQuery
	for id, q := range r.queries {
		if q.direct || q.deliveredWith >= startedID {
			continue
		}
		q.deliveredWith = startedID
		if out == nil {
			out = map[string]*querypb.WorkflowQuery{}
		}
		out[id] = q.query
	}
	return out
}

// answerQueries resolves queries answered in a workflow task completion.
func (e *Engine) answerQueries(r *run, startedID int64, results map[string]*querypb.WorkflowQueryResult) {
	for id, res := range results {
		q := r.queries[id]
		if q == nil || q.deliveredWith != startedID {
			continue
		}
		delete(r.queries, id)
		q.done <- outcomeOf(res.ResultType, res.Answer, res.ErrorMessage, res.Failure)
	}
	e.refreshOutstanding(r)
}

// releaseQueries sends still-unanswered queries out as query tasks when no
// workflow task is pending to carry them.
func (e *Engine) releaseQueries(r *run, _ int64) {
	if len(r.queries) == 0 || (r.state.Open() && r.state.WorkflowTask != nil) {
		return
	}
	for _, q := range r.queries {
		if !q.direct {
			e.sendQueryTask(r, q)
		}
	}
}
