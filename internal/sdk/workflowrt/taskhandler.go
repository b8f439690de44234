package workflowrt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/interceptor"
	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/sdk/versionstamp"
	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	querypb "go.temporal.io/api/query/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// SDKName and SDKVersion are reported in every workflow task completion.
const (
	SDKName    = "sundial-go"
	SDKVersion = "0.1.0"
)

// TaskHandlerOptions configure a TaskHandler.
type TaskHandlerOptions struct {
	// Namespace of the tasks. Required.
	Namespace string
	// Identity is the worker identity sent with responses.
	Identity string
	// Service fetches history when a task carries only part of it. Required unless
	// every task carries full history.
	Service workflowservice.WorkflowServiceClient
	// DataConverter and FailureConverter default to the converter package's defaults.
	DataConverter    converter.DataConverter
	FailureConverter converter.FailureConverter
	// Logger is the base of workflow loggers and receives the handler's diagnostics.
	Logger *slog.Logger
	// CacheSize is how many running workflows stay in memory between tasks. 0 disables
	// the cache (each task replays from full history) and stickiness.
	CacheSize int
	// StickyTaskQueue is this worker's own queue; when set (and CacheSize > 0) every
	// completion asks the server to send the run's next task there, with
	// NormalTaskQueue as the fallback.
	StickyTaskQueue string
	NormalTaskQueue string
	// LocalActivities runs local activities; without it they stay pending.
	LocalActivities LocalActivityExecutor
	// Clock times local activities and deadlock detection; default the real clock.
	Clock clock.Clock
	// DeadlockDetectionTimeout fails a workflow task whose code runs this long without
	// blocking on a workflow call (a Go channel, lock or time.Sleep in workflow code).
	// Default 1s; negative disables it.
	DeadlockDetectionTimeout time.Duration
	// StickyScheduleToStartTimeout is how long the server waits for the sticky queue
	// before falling back to the normal one. Default 5s.
	StickyScheduleToStartTimeout time.Duration
	// Tracer, when set, gets spans for runs and for the activities and children they
	// start, outside replay.
	Tracer interceptor.Tracer
	// Versioning is the worker's deployment version stamp, nil for a worker
	// without one; DefaultVersioningBehavior is reported for workflow types
	// registered without a behavior of their own.
	Versioning                *versionstamp.Stamp
	DefaultVersioningBehavior enumspb.VersioningBehavior
}

// TaskHandler turns polled workflow tasks into responses. Create it with
// NewTaskHandler; it is safe for concurrent use by several pollers.
type TaskHandler struct {
	cfg   *runConfig
	opts  TaskHandlerOptions
	cache *runCache
}

// runConfig is what every run of a handler shares.
type runConfig struct {
	registry         *Registry
	dataConverter    converter.DataConverter
	failureConverter converter.FailureConverter
	logger           *slog.Logger
	localActivities  LocalActivityExecutor
	clock            clock.Clock
	deadlockTimeout  time.Duration
	tracer           interceptor.Tracer
	// version is the worker's deployment version, zero without one.
	version sundial.WorkerDeploymentVersion
}

// NewTaskHandler returns a handler running the workflows of reg.
func NewTaskHandler(reg *Registry, opts TaskHandlerOptions) *TaskHandler {
	if opts.DataConverter == nil {
		opts.DataConverter = converter.GetDefaultDataConverter()
	}
	if opts.FailureConverter == nil {
		opts.FailureConverter = converter.NewDefaultFailureConverter(converter.DefaultFailureConverterOptions{DataConverter: opts.DataConverter})
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = clock.Real()
	}
	if opts.DeadlockDetectionTimeout == 0 {
		opts.DeadlockDetectionTimeout = time.Second
	}
	if opts.StickyScheduleToStartTimeout == 0 {
		opts.StickyScheduleToStartTimeout = 5 * time.Second
	}
	return &TaskHandler{
		cfg: &runConfig{registry: reg, dataConverter: opts.DataConverter, failureConverter: opts.FailureConverter, logger: opts.Logger,
			localActivities: opts.LocalActivities, clock: opts.Clock, deadlockTimeout: opts.DeadlockDetectionTimeout,
			tracer: opts.Tracer, version: stampVersion(opts.Versioning)},
		opts:  opts,
		cache: newRunCache(max(opts.CacheSize, 0)),
	}
}

// Result is the answer to one task: exactly one of the requests is set, except that
// a failed task whose attempt is above 1 gets no request at all (Err says why), since
// the server retries it by timeout as Temporal's SDKs expect.
type Result struct {
	Completed      *workflowservice.RespondWorkflowTaskCompletedRequest
	Failed         *workflowservice.RespondWorkflowTaskFailedRequest
	QueryCompleted *workflowservice.RespondQueryTaskCompletedRequest
	// Err is why the task failed, for logging; nil on success.
	Err error
	// Cache says how the sticky cache served the task, and ForcedEvictions how many
	// other runs it pushed out of the full cache, for metrics.
	Cache           CacheUse
	ForcedEvictions int
	// WorkflowType and WorkflowStartTime describe the run, when it could be built.
	WorkflowType      string
	WorkflowStartTime time.Time
}

// CacheUse is how a workflow task used the cache of runs.
type CacheUse int

const (
	// CacheUnused: the task carried full history and no run was cached.
	CacheUnused CacheUse = iota
	// CacheHit: the task continued a cached run.
	CacheHit
	// CacheMiss: the task carried part of history but the run was not cached (or was
	// stale), so the handler fetched and replayed full history.
	CacheMiss
)

// Evict drops a cached run: call it when the server rejects a completion (the run's
// state may then be ahead of history).
func (h *TaskHandler) Evict(runID string) { h.cache.evict(runID) }

// Close drops every cached run, ending their coroutines.
func (h *TaskHandler) Close() { h.cache.evictAll() }

// CachedRuns is the number of runs in the cache.
func (h *TaskHandler) CachedRuns() int { return h.cache.size() }

// Process handles one polled workflow task or query task. It returns an error only when
// it could not even build a response (history could not be fetched, ctx ended); the
// task then times out on the server and is retried.
func (h *TaskHandler) Process(ctx context.Context, task *workflowservice.PollWorkflowTaskQueueResponse) (Result, error) {
	if task.GetQuery() != nil {
		return h.processQueryTask(ctx, task)
	}
	exec := Execution{WorkflowID: task.GetWorkflowExecution().GetWorkflowId(), RunID: task.GetWorkflowExecution().GetRunId()}
	run := h.cache.checkOut(exec.RunID)
	cacheUse := CacheUnused
	if run != nil {
		cacheUse = CacheHit
	} else if first := task.GetHistory().GetEvents(); len(first) > 0 && first[0].GetEventId() != 1 {
		cacheUse = CacheMiss
	}
	events, err := h.taskEvents(ctx, task, run)
	if err != nil {
		if run != nil {
			run.close()
		}
		return Result{Cache: cacheUse}, err
	}
	if run != nil && (events[0].GetEventId() > run.lastEventID+1 || lastTaskFailed(events, run.lastEventID)) {
		// The cached run missed events, or the task it answered last failed on the
		// server (so its state is ahead of history): start over from full history.
		run.close()
		run = nil
		cacheUse = CacheMiss
		if events, err = h.fullHistory(ctx, task); err != nil {
			return Result{Cache: cacheUse}, err
		}
	}
	commands, messages, err := h.advance(ctx, &run, exec, task, events)
	if err != nil {
		if run != nil {
			run.close()
		}
		failed := h.failTask(task, err)
		failed.Cache = cacheUse
		return failed, nil
	}
	workflowType, startTime := run.env.info.WorkflowType, run.env.info.StartTime
	queryResults := h.answerQueries(run, task.GetQueries())
	finished := run.closeQueued
	sticky := h.stickyAttributes()
	forced := 0
	if finished || sticky == nil {
		run.close()
	} else {
		forced = h.cache.checkIn(exec.RunID, run)
	}
	completed := &workflowservice.RespondWorkflowTaskCompletedRequest{
		TaskToken:        task.GetTaskToken(),
		Commands:         commands,
		Identity:         h.opts.Identity,
		Namespace:        h.opts.Namespace,
		StickyAttributes: sticky,
		QueryResults:     queryResults,
		Messages:         messages,
		SdkMetadata:      &sdkpb.WorkflowTaskCompletedMetadata{SdkName: SDKName, SdkVersion: SDKVersion},
	}
	h.stampCompleted(completed, workflowType)
	return Result{Completed: completed, Cache: cacheUse, ForcedEvictions: forced, WorkflowType: workflowType, WorkflowStartTime: startTime}, nil
}

// advance creates the run if needed and applies events, checking that history ends at
// the task's WorkflowTaskStarted.
func (h *TaskHandler) advance(ctx context.Context, run **workflowRun, exec Execution, task *workflowservice.PollWorkflowTaskQueueResponse, events []*historypb.HistoryEvent) (commands []*commandpb.Command, messages []*protocolpb.Message, err error) {
	if *run == nil {
		if *run, err = newWorkflowRun(h.cfg, h.opts.Namespace, exec, h.opts.NormalTaskQueue, events[0]); err != nil {
			return nil, nil, err
		}
	}
	if commands, messages, err = (*run).apply(ctx, events, task.GetPreviousStartedEventId(), task.GetMessages()); err != nil {
		return nil, nil, err
	}
	if last := (*run).lastEventID; last != task.GetStartedEventId() {
		return nil, nil, fmt.Errorf("history ends at event %d, but the task started at event %d", last, task.GetStartedEventId())
	}
	return commands, messages, nil
}

// taskEvents returns the task's history, fetching further pages, or full history when
// the task carries only recent events and no cached run holds the rest.
func (h *TaskHandler) taskEvents(ctx context.Context, task *workflowservice.PollWorkflowTaskQueueResponse, run *workflowRun) ([]*historypb.HistoryEvent, error) {
	events := task.GetHistory().GetEvents()
	if len(events) == 0 || (events[0].GetEventId() != 1 && run == nil) {
		return h.fullHistory(ctx, task)
	}
	if token := task.GetNextPageToken(); len(token) > 0 {
		more, err := h.fetchHistory(ctx, task, token)
		if err != nil {
			return nil, err
		}
		events = append(append([]*historypb.HistoryEvent(nil), events...), more...)
	}
	return events, nil
}

// fullHistory fetches the run's history from the first event up to the task's
// WorkflowTaskStarted.
func (h *TaskHandler) fullHistory(ctx context.Context, task *workflowservice.PollWorkflowTaskQueueResponse) ([]*historypb.HistoryEvent, error) {
	events, err := h.fetchHistory(ctx, task, nil)
	if err != nil {
		return nil, err
	}
	if len(events) == 0 {
		return nil, errors.New("the server returned an empty history")
	}
	return events, nil
}

// fetchHistory reads history pages starting at token (nil: from the start), stopping at
// the task's WorkflowTaskStarted; query tasks read everything.
func (h *TaskHandler) fetchHistory(ctx context.Context, task *workflowservice.PollWorkflowTaskQueueResponse, token []byte) ([]*historypb.HistoryEvent, error) {
	if h.opts.Service == nil {
		return nil, errors.New("the task carries partial history and the handler has no service to fetch the rest")
	}
	limit := task.GetStartedEventId()
	if task.GetQuery() != nil || limit == 0 {
		limit = math.MaxInt64
	}
	var events []*historypb.HistoryEvent
	for {
		resp, err := h.opts.Service.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
			Namespace: h.opts.Namespace, Execution: task.GetWorkflowExecution(), NextPageToken: token,
		})
		if err != nil {
			return nil, fmt.Errorf("fetching history of workflow %s: %w", task.GetWorkflowExecution().GetWorkflowId(), err)
		}
		for _, ev := range resp.GetHistory().GetEvents() {
			if ev.GetEventId() > limit {
				return events, nil
			}
			events = append(events, ev)
		}
		if token = resp.GetNextPageToken(); len(token) == 0 {
			return events, nil
		}
	}
}

// stickyAttributes asks for the next task on this worker's queue, nil when the cache
// or the sticky queue is off.
func (h *TaskHandler) stickyAttributes() *taskqueuepb.StickyExecutionAttributes {
	if h.opts.CacheSize <= 0 || h.opts.StickyTaskQueue == "" {
		return nil
	}
	return &taskqueuepb.StickyExecutionAttributes{
		WorkerTaskQueue: &taskqueuepb.TaskQueue{
			Name: h.opts.StickyTaskQueue, Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: h.opts.NormalTaskQueue,
		},
		ScheduleToStartTimeout: durationpb.New(h.opts.StickyScheduleToStartTimeout),
	}
}

// failTask builds the RespondWorkflowTaskFailed answer for err.
func (h *TaskHandler) failTask(task *workflowservice.PollWorkflowTaskQueueResponse, err error) Result {
	result := Result{Err: err}
	if task.GetAttempt() > 1 {
		return result
	}
	cause := enumspb.WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE
	var nd *NondeterminismError
	var p *workflowPanic
	failureErr := err
	switch {
	case errors.As(err, &nd):
		cause = enumspb.WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR
	case errors.As(err, &p):
		failureErr = sundial.NewPanicError(p.value, p.stack)
	}
	result.Failed = &workflowservice.RespondWorkflowTaskFailedRequest{
		TaskToken: task.GetTaskToken(),
		Cause:     cause,
		Failure:   h.cfg.failureConverter.ErrorToFailure(failureErr),
		Identity:  h.opts.Identity,
		Namespace: h.opts.Namespace,
	}
	h.stampFailed(result.Failed)
	return result
}

// answerQueries answers the consistent queries delivered with a workflow task.
func (h *TaskHandler) answerQueries(run *workflowRun, queries map[string]*querypb.WorkflowQuery) map[string]*querypb.WorkflowQueryResult {
	if len(queries) == 0 {
		return nil
	}
	results := make(map[string]*querypb.WorkflowQueryResult, len(queries))
	for id, q := range queries {
		endSpan := traceQuery(h.cfg.tracer, run.env.info.Execution, q)
		answer, err := run.env.query(q.GetQueryType(), q.GetQueryArgs())
		endSpan(err)
		if err != nil {
			results[id] = &querypb.WorkflowQueryResult{
				ResultType: enumspb.QUERY_RESULT_TYPE_FAILED, ErrorMessage: err.Error(),
				Failure: h.cfg.failureConverter.ErrorToFailure(err),
			}
			continue
		}
		results[id] = &querypb.WorkflowQueryResult{ResultType: enumspb.QUERY_RESULT_TYPE_ANSWERED, Answer: answer}
	}
	return results
}

// processQueryTask answers a direct query. With full history in the task the run is
// rebuilt from it; otherwise the cached run answers, or history is fetched.
func (h *TaskHandler) processQueryTask(ctx context.Context, task *workflowservice.PollWorkflowTaskQueueResponse) (Result, error) {
	exec := Execution{WorkflowID: task.GetWorkflowExecution().GetWorkflowId(), RunID: task.GetWorkflowExecution().GetRunId()}
	events := task.GetHistory().GetEvents()
	var run *workflowRun
	var err error
	if len(events) == 0 || events[0].GetEventId() != 1 {
		if cached := h.cache.checkOut(exec.RunID); cached != nil {
			defer h.cache.checkIn(exec.RunID, cached)
			return Result{QueryCompleted: h.answerQuery(cached, task, nil)}, nil
		}
		if events, err = h.fetchHistory(ctx, task, nil); err != nil {
			return Result{}, err
		}
	} else if token := task.GetNextPageToken(); len(token) > 0 {
		more, err := h.fetchHistory(ctx, task, token)
		if err != nil {
			return Result{}, err
		}
		events = append(append([]*historypb.HistoryEvent(nil), events...), more...)
	}
	if len(events) == 0 {
		return Result{QueryCompleted: h.answerQuery(nil, task, errors.New("the workflow has no history"))}, nil
	}
	run, err = newWorkflowRun(h.cfg, h.opts.Namespace, exec, h.opts.NormalTaskQueue, events[0])
	if err == nil {
		_, _, err = run.apply(ctx, events, math.MaxInt64, nil)
	}
	if run != nil {
		defer run.close()
	}
	return Result{QueryCompleted: h.answerQuery(run, task, err)}, nil
}

func (h *TaskHandler) answerQuery(run *workflowRun, task *workflowservice.PollWorkflowTaskQueueResponse, replayErr error) *workflowservice.RespondQueryTaskCompletedRequest {
	resp := &workflowservice.RespondQueryTaskCompletedRequest{TaskToken: task.GetTaskToken(), Namespace: h.opts.Namespace}
	err := replayErr
	if err == nil {
		endSpan := traceQuery(h.cfg.tracer, run.env.info.Execution, task.GetQuery())
		resp.QueryResult, err = run.env.query(task.GetQuery().GetQueryType(), task.GetQuery().GetQueryArgs())
		endSpan(err)
	}
	if err != nil {
		resp.CompletedType = enumspb.QUERY_RESULT_TYPE_FAILED
		resp.QueryResult = nil
		resp.ErrorMessage = err.Error()
		resp.Failure = h.cfg.failureConverter.ErrorToFailure(err)
		return resp
	}
	resp.CompletedType = enumspb.QUERY_RESULT_TYPE_ANSWERED
	return resp
}

// lastTaskFailed reports whether the event after lastEventID (the started event of the
// task a cached run answered) records that the task failed or timed out.
func lastTaskFailed(events []*historypb.HistoryEvent, lastEventID int64) bool {
	for _, ev := range events {
		if ev.GetEventId() == lastEventID+1 {
			return taskFailed(ev)
		}
	}
	return false
}
