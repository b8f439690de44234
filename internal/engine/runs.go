package engine

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/store"
)

// runKey names one run.
type runKey struct {
	namespaceID string
	workflowID  string
	runID       string
}

func (k runKey) storeKey() store.ExecutionKey {
	return store.ExecutionKey{NamespaceID: k.namespaceID, WorkflowID: k.workflowID, RunID: k.runID}
}

// run is the in-memory side of one run. mu serializes every change to it.
type run struct {
	key runKey
	mu  sync.Mutex
	// state is nil until loaded. It is replaced, never changed in place, by each
	// committed transition.
	state   *machine.State
	version int64
	// changed is closed, and replaced, whenever a transition commits or the
	// engine stops; history long polls wait on it.
	changedMu sync.Mutex
	changed   chan struct{}
	// dispatched remembers which tasks are already in a matching queue.
	dispatched taskMarks
	// loaded is set once the run's state was installed in this copy; a copy
	// loaded for the first time takes the stored state's pending tasks as
	// queued and counted (see adoptStoredTasks).
	loaded bool
	// requeue makes the first load offer the pending tasks again anyway.
	requeue bool
	// newer and older link the run into runCache's recency list.
	newer, older *run
	// inputs caches the scheduling attributes of open activities.
	inputs map[int64]*historypb.ActivityTaskScheduledEventAttributes
	// queries waiting for an answer, by query id.
	queries map[string]*pendingQuery
	// updates known in memory, by update id: admitted ones and recent
	// rejections (see settleUpdates).
	updates map[string]*liveUpdate
	// rejections counts the run's rejected updates, to order them.
	rejections uint64
	// unsaved are events of transitions kept in memory (see keptInMemory),
	// written before the events of the run's next committed transition.
	unsaved []*historypb.HistoryEvent
	// stored are the non-state columns of the run's row as last written.
	stored rowColumns
	// tail is the end of the run's history, events [tailStart,
	// state.NextEventID): at least everything since the last completed
	// workflow task, which is what a sticky worker is sent. Empty after a load.
	tail      []*historypb.HistoryEvent
	tailStart int64
	// taskWork counts the run's pending and running tasks; with its queries it
	// is the run's share (outstanding) of Engine.Outstanding.
	taskWork    int64
	outstanding int64
	// deadlineFailures counts the run's consecutive failures to fire a due
	// deadline; until deadlineRetryAt the run's timer is not armed earlier
	// (see onDeadline).
	deadlineFailures int
	deadlineRetryAt  time.Time
}

// changes returns a channel that is closed at the next commit.
func (r *run) changes() <-chan struct{} {
	r.changedMu.Lock()
	defer r.changedMu.Unlock()
	if r.changed == nil {
		r.changed = make(chan struct{})
	}
	return r.changed
}

func (r *run) notify() {
	r.changedMu.Lock()
	if r.changed != nil {
		close(r.changed)
		r.changed = nil
	}
	r.changedMu.Unlock()
}

// errNoChange tells update that the transition wrote nothing.
var errNoChange = errors.New("no change")

// lockRun returns the run locked and loaded. NotFound if the store has no such
// run. The caller must unlock r.mu.
func (e *Engine) lockRun(ctx context.Context, key runKey) (*run, error) {
	if e.recovering.Load() {
		if err := e.awaitRecovery(ctx); err != nil {
			return nil, err
		}
	}
	r := e.runs.lock(key)
	if r.state != nil {
		return r, nil
	}
	row, err := e.store.GetExecution(ctx, key.storeKey())
	if err != nil {
		// Whoever took a task of the run from its queue to get here may drop
		// it on this error: the next load offers every pending task again.
		r.requeue = true
		if errors.Is(err, store.ErrNotFound) && r.outstanding == 0 {
			r.loaded = false // nothing of it is queued or counted
		}
		r.mu.Unlock()
		if errors.Is(err, store.ErrNotFound) {
			return nil, serviceerror.NewNotFoundf("workflow execution not found for workflow ID %q and run ID %q", key.workflowID, key.runID)
		}
		// Load the run again soon, so that a task dropped on this error is
		// offered again even if nothing else needs the run.
		e.timers.Set(key, e.clock.Now().Add(retryDelay))
		return nil, unavailable("loading workflow execution", err)
	}
	st, err := machine.Decode(row.State)
	if err != nil {
		r.requeue = true
		r.mu.Unlock()
		return nil, serviceerror.NewInternalf("workflow execution %q/%q has unreadable state: %v", key.workflowID, key.runID, err)
	}
	r.state = st
	r.version = row.Version
	r.stored = columnsOf(st)
	r.tail, r.tailStart = nil, st.NextEventID
	r.unsaved = nil
	e.adoptStoredTasks(r, st)
	e.dispatch(r)
	e.scheduleEffects(r, nil)
	return r, nil
}

// update runs fn as one transition of the run and commits it. fn works on a copy
// of the state; if it returns an error nothing is written. errNoChange means
// success without a write.
func (e *Engine) update(ctx context.Context, key runKey, fn func(r *run, tx *machine.Tx) error) error {
	r, err := e.lockRun(ctx, key)
	if err != nil {
		return err
	}
	defer r.mu.Unlock()
	return e.updateLocked(ctx, r, fn)
}

// updateKeep is update that, on success, returns the run still locked so the
// caller can read the committed state; the caller must unlock r.mu.
func (e *Engine) updateKeep(ctx context.Context, key runKey, fn func(r *run, tx *machine.Tx) error) (*run, error) {
	r, err := e.lockRun(ctx, key)
	if err != nil {
		return nil, err
	}
	if err := e.updateLocked(ctx, r, fn); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	return r, nil
}

// updateLocked is update for a run the caller has locked and loaded.
func (e *Engine) updateLocked(ctx context.Context, r *run, fn func(r *run, tx *machine.Tx) error) error {
	tx := machine.Begin(r.state.Clone(), e.clock.Now())
	tx.Limits = e.cfg.PendingLimits
	tx.Namespaces = func(name string) (machine.Target, bool) {
		ns, err := e.ns.lookup(ctx, name)
		if err != nil {
			return machine.Target{}, false
		}
		return machine.Target{NamespaceID: ns.id, Namespace: ns.name}, true
	}
	tx.NexusEndpoints = func(name string) (machine.NexusTarget, bool) { return e.resolveNexusEndpoint(ctx, name) }
	tx.NexusEndpointByID = e.nexusEndpointResolver(ctx)
	if err := fn(r, tx); err != nil {
		if errors.Is(err, errNoChange) {
			return nil
		}
		return err
	}
	e.enforceHistoryLimits(tx)
	return e.commitPrepared(ctx, r, tx)
}

// commitPrepared writes a transition of the locked run (and the run it starts,
// if any) and installs it.
func (e *Engine) commitPrepared(ctx context.Context, r *run, tx *machine.Tx) error {
	t, err := e.transition(r, tx)
	if err != nil {
		return err
	}
	var nr *run
	if next := tx.Next; next != nil {
		nextKey := runKey{next.S.NamespaceID, next.S.WorkflowID, next.S.RunID}
		w, batch, err := e.executionWrite(nextKey, next, nil)
		if err != nil {
			return err
		}
		t.Executions = append(t.Executions, w)
		t.Events = append(t.Events, *batch)
		t.Current = &store.CurrentWrite{
			Current:       store.CurrentExecution{NamespaceID: nextKey.namespaceID, WorkflowID: nextKey.workflowID, RunID: nextKey.runID},
			ExpectedRunID: r.key.runID,
		}
		// A run this transition starts is locked before it exists in the
		// store, until installed: no one may load it half made (see
		// lockNewRun and adoptStoredTasks).
		nr = e.lockNewRun(nextKey)
		defer nr.mu.Unlock()
	}
	if err := e.store.Write(context.WithoutCancel(ctx), t); err != nil {
		e.commitFailed(r, err)
		if nr != nil {
			// The store may or may not hold the new run: its first load
			// must offer and count its tasks.
			nr.uncertain()
		}
		return commitError(err)
	}
	e.applied(r, tx)
	if nr != nil {
		e.applied(nr, tx.Next)
	}
	return nil
}

// updateInMemory applies fn as a transition of the run that is not written
// now (see keptInMemory) and returns the run locked. A transition that needs a
// new run or touches other runs is committed as usual instead.
func (e *Engine) updateInMemory(ctx context.Context, key runKey, fn func(r *run, tx *machine.Tx) error) (*run, error) {
	r, err := e.lockRun(ctx, key)
	if err != nil {
		return nil, err
	}
	tx := machine.Begin(r.state.Clone(), e.clock.Now())
	tx.Limits = e.cfg.PendingLimits
	if err := fn(r, tx); err != nil {
		r.mu.Unlock()
		return nil, err
	}
	e.enforceHistoryLimits(tx)
	if tx.Next != nil || len(tx.ClosedChildren) > 0 || !tx.S.Open() {
		if err := e.commitPrepared(ctx, r, tx); err != nil {
			r.mu.Unlock()
			return nil, err
		}
		return r, nil
	}
	e.keptInMemory(r, tx)
	return r, nil
}

// transition builds the store write for a transition of the locked run r.
func (e *Engine) transition(r *run, tx *machine.Tx) (*store.Transition, error) {
	w, batch, err := e.executionWrite(r.key, tx, r)
	if err != nil {
		return nil, err
	}
	t := &store.Transition{Executions: []store.ExecutionWrite{w}}
	if batch != nil {
		t.Events = []store.EventBatch{*batch}
	}
	return t, nil
}

// executionWrite encodes the run row and event batch of a transition. prev is
// the locked run the transition changes, nil when it creates the run; its
// unsaved events, if any, are written first.
func (e *Engine) executionWrite(key runKey, tx *machine.Tx, prev *run) (store.ExecutionWrite, *store.EventBatch, error) {
	var version int64
	var unsaved []*historypb.HistoryEvent
	if prev != nil {
		version, unsaved = prev.version, prev.unsaved
	}
	events := tx.Events
	if len(unsaved) > 0 {
		events = append(append(make([]*historypb.HistoryEvent, 0, len(unsaved)+len(tx.Events)), unsaved...), tx.Events...)
	}
	s := tx.S
	data, err := machine.Encode(s)
	if err != nil {
		return store.ExecutionWrite{}, nil, serviceerror.NewInternalf("encoding run state: %v", err)
	}
	row := &store.Execution{
		NamespaceID:      key.namespaceID,
		WorkflowID:       key.workflowID,
		RunID:            key.runID,
		State:            data,
		WorkflowType:     s.WorkflowType,
		TaskQueue:        s.TaskQueue,
		Status:           int32(s.Status),
		StartTime:        s.StartTime,
		ExecutionTime:    s.ExecutionTime,
		CloseTime:        s.CloseTime,
		HistoryLength:    s.NextEventID - 1,
		Memo:             s.Memo,
		SearchAttributes: s.SearchAttributes,
	}
	w := store.ExecutionWrite{Execution: row, ExpectedVersion: version}
	w.StateOnly = prev != nil && version > 0 && prev.stored.equal(columnsOf(s))
	if len(events) == 0 {
		return w, nil, nil
	}
	blob, err := proto.Marshal(&historypb.History{Events: events})
	if err != nil {
		return w, nil, serviceerror.NewInternalf("encoding history events: %v", err)
	}
	return w, &store.EventBatch{
		NamespaceID:  key.namespaceID,
		RunID:        key.runID,
		FirstEventID: events[0].EventId,
		LastEventID:  events[len(events)-1].EventId,
		Data:         blob,
	}, nil
}

// commit writes t durably. The write is not abandoned when the caller goes away,
// so its outcome is always known.
func (e *Engine) commit(ctx context.Context, t *store.Transition) error {
	if err := e.store.Write(context.WithoutCancel(ctx), t); err != nil {
		return commitError(err)
	}
	return nil
}

// commitFailed settles the locked run after the store refused one of its
// transitions. A conflict means the store holds something newer than this copy:
// it is reloaded on next use. Any other failure (a full disk, an I/O error)
// left the store as it was, or, if the outcome is unknown, the run's next write
// will conflict on its version and reload it then; so the copy is kept as it
// was before the transition. Keeping it matters: it holds the starts of tasks
// that were handed out but not yet written (see keptInMemory), and reloading
// would hand those tasks out again, as new first attempts, after every failed
// commit.
func (e *Engine) commitFailed(r *run, err error) {
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyExists) {
		r.state = nil
		return
	}
	e.logStoreFault("committing a workflow transition failed", err, e.runLogAttrs(r.key)...)
}

// commitError is what a caller is told when the store refused a transition.
func commitError(err error) error {
	if errors.Is(err, store.ErrConflict) || errors.Is(err, store.ErrAlreadyExists) {
		return serviceerror.NewUnavailablef("concurrent update of workflow execution, retry: %v", err)
	}
	return unavailable("writing workflow execution", err)
}

// applied installs a committed transition.
func (e *Engine) applied(r *run, tx *machine.Tx) {
	r.version++
	r.unsaved = nil
	r.stored = columnsOf(tx.S)
	e.install(r, tx)
}

// keptInMemory installs a transition that is not written yet: its events wait
// in r.unsaved and go to the store with the run's next committed transition.
// Only the start of a task is handled so: if the server stops before that next
// transition, the task is simply pending again and is handed out anew, and the
// worker's answer for the lost start gets NotFound.
func (e *Engine) keptInMemory(r *run, tx *machine.Tx) {
	r.unsaved = append(r.unsaved, tx.Events...)
	e.install(r, tx)
}

// install makes tx's state the run's and acts on it: new tasks go to their
// queues, the run's next deadline is armed, waiters wake.
func (e *Engine) install(r *run, tx *machine.Tx) {
	created := r.state == nil
	wasOpen := created || r.state.Open()
	r.state = tx.S
	if wasOpen && !tx.S.Open() {
		if ns, err := e.ns.lookupID(context.Background(), tx.S.NamespaceID); err == nil {
			e.retention.closedRun(ns.id, tx.S.CloseTime, ns.desc.GetConfig().GetWorkflowExecutionRetentionTtl().AsDuration())
		}
		e.schedules.runClosed(tx.S.NamespaceID, tx.S.WorkflowID)
	}
	e.metrics.runInstalled(created, wasOpen, tx.S)
	r.extendTail(tx)
	for _, ev := range tx.Events {
		if ev.EventType == enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED {
			if r.inputs == nil {
				r.inputs = map[int64]*historypb.ActivityTaskScheduledEventAttributes{}
			}
			r.inputs[ev.EventId] = ev.GetActivityTaskScheduledEventAttributes()
		}
	}
	e.dispatch(r)
	e.scheduleEffects(r, tx)
	r.notify()
}

// dispatch offers the run's pending tasks to matching, once each, and arms the
// run's next deadline.
func (e *Engine) dispatch(r *run) {
	s := r.state
	want := pendingMarks(s)
	for _, mark := range want {
		if !r.dispatched.has(mark) {
			e.offerTask(s, e.queueOf(s, mark), mark, r.key)
		}
	}
	r.loaded = true
	r.dispatched = want
	r.taskWork = int64(len(want)) + startedWork(s)
	e.refreshOutstanding(r)
	for id := range r.inputs {
		if _, open := s.Activities[id]; !open {
			delete(r.inputs, id)
		}
	}
	next := s.NextDeadline()
	if !next.IsZero() && next.Before(r.deadlineRetryAt) {
		next = r.deadlineRetryAt // backing off a deadline that failed to fire
	}
	e.timers.Set(r.key, next)
}

// unavailable is what a caller is told when the store failed: Unavailable,
// which clients retry, unless the store found its data damaged, which no
// retry mends: that is DataLoss, as Temporal's server answers it.
func unavailable(doing string, err error) error {
	if errors.Is(err, store.ErrCorrupt) {
		return serviceerror.NewDataLoss(fmt.Sprintf("%s: %v", doing, err))
	}
	return serviceerror.NewUnavailable(fmt.Sprintf("%s: %v", doing, err))
}

func isNotFound(err error) bool { return errors.Is(err, store.ErrNotFound) }

// startedWork counts the run's tasks that are running on a worker.
func startedWork(s *machine.State) int64 {
	if !s.Open() {
		return 0
	}
	var n int64
	if s.WorkflowTaskStarted() {
		n++
	}
	for _, a := range s.Activities {
		if a.State == machine.ActivityStarted {
			n++
		}
	}
	for _, op := range s.NexusOperations {
		if op.State == machine.NexusDispatched {
			n++
		}
	}
	return n
}

// extendTail appends a committed transition's events to the run's tail and
// drops what no sticky worker needs any more.
func (r *run) extendTail(tx *machine.Tx) {
	if len(tx.Events) == 0 {
		return
	}
	first := tx.Events[0].EventId
	if len(r.tail) == 0 || r.tailStart+int64(len(r.tail)) != first {
		r.tail, r.tailStart = nil, first
	}
	r.tail = append(r.tail, tx.Events...)
	keepFrom := r.state.LastCompletedStartedID + 1
	if !r.state.Open() {
		keepFrom = r.state.CloseEventID // what result waiters read
	}
	if drop := keepFrom - r.tailStart; drop > 0 {
		if drop >= int64(len(r.tail)) {
			r.tail, r.tailStart = nil, r.state.NextEventID
			return
		}
		r.tail = append([]*historypb.HistoryEvent(nil), r.tail[drop:]...)
		r.tailStart = keepFrom
	}
}

// runEvents returns the run's events with ids in [from, to), from memory when
// the tail holds them. The caller holds the run's lock, and keeps it across
// any store read: callers that can, take a snapshotEvents and read it after
// releasing the lock instead.
//
// Events not yet written (see keptInMemory) are always in the tail, so this is
// the way to read a run's history up to its latest event.
func (e *Engine) runEvents(ctx context.Context, r *run, from, to int64) ([]*historypb.HistoryEvent, error) {
	return r.snapshotEvents(from, to).read(ctx, e)
}
