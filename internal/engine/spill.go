package engine

import (
	"sync"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/store"
)

// A task queue keeps a bounded window of tasks in memory (Config.
// TaskQueueWindow). Tasks the store can find again by their queue — a
// workflow task on its run's own task queue, an activity task on the
// activity queue of that name, neither with a priority — are offered to
// matching, which refuses them once the window is full: they stay only in
// their run's stored state. When a queue that refused tasks runs low, a
// refill job pages through the open runs on that queue (store.
// ListOpenExecutionsOnQueue), in key order, and puts their pending tasks
// back. Tasks found again may be in memory already; a duplicate is harmless,
// since a taken task is checked against its run's state before it starts.

// refillPageSize is the most open runs one refill step reads.
const refillPageSize = 256

// refills owns the refill jobs, one per queue that refused tasks.
type refills struct {
	mu      sync.Mutex
	jobs    map[matching.QueueKey]*refillJob
	stopped bool
	wg      sync.WaitGroup
}

// refillJob scans one queue's open runs. running and again are guarded by
// refills.mu; the rest belongs to the job's goroutine.
type refillJob struct {
	running bool
	// again is set when the queue ran low while the job was running.
	again  bool
	inPass bool
	mark   uint64
	cursor *store.ExecutionKey
	// standalone is set while the pass reads the runs of standalone
	// activities, after the workflow runs of an activity queue.
	standalone bool
}

// offerTask puts a run's pending task in its queue, where matching may refuse
// it if the store can find it again (see above).
func (e *Engine) offerTask(s *machine.State, q matching.QueueKey, mark taskMark, key runKey) {
	if spillable(s, q, mark) {
		e.tasks.Offer(q, mark.ref(key))
		return
	}
	e.tasks.Add(q, mark.ref(key))
}

// spillable reports whether a refill of q finds the task again.
func spillable(s *machine.State, q matching.QueueKey, mark taskMark) bool {
	return q.Name == s.TaskQueue && q.Version == "" && mark.priority == (matching.Priority{}) && mark.kind != kindQuery && !mark.kind.nexus()
}

// onQueueLow starts or re-arms q's refill job. Matching calls it with the
// queue's lock held: it only takes refills.mu and starts a goroutine.
func (e *Engine) onQueueLow(q matching.QueueKey) {
	rf := &e.refills
	rf.mu.Lock()
	defer rf.mu.Unlock()
	if rf.stopped {
		return
	}
	if rf.jobs == nil {
		rf.jobs = map[matching.QueueKey]*refillJob{}
	}
	job := rf.jobs[q]
	if job == nil {
		job = &refillJob{}
		rf.jobs[q] = job
	}
	if job.running {
		job.again = true
		return
	}
	job.running = true
	rf.wg.Add(1)
	go e.runRefill(q, job)
}

// stopRefills stops starting refill jobs and waits for running ones.
func (e *Engine) stopRefills() {
	e.refills.mu.Lock()
	e.refills.stopped = true
	e.refills.mu.Unlock()
	e.refills.wg.Wait()
}

// refillStep says what one step of a refill job left to do.
type refillStep int

const (
	refillMore     refillStep = iota // the queue is still low: go on
	refillFull                       // the window is half full or more: wait for the next call
	refillFinished                   // every refused task was found: the job is over
)

// runRefill refills q step by step until its window is half full, or the
// spill is over, or the engine stops.
func (e *Engine) runRefill(q matching.QueueKey, job *refillJob) {
	rf := &e.refills
	defer rf.wg.Done()
	for {
		step, err := e.refillStep(q, job)
		rf.mu.Lock()
		switch {
		case err != nil || rf.stopped:
			job.running, job.again = false, false
			rf.mu.Unlock()
			if err != nil && e.effectsCtx.Err() == nil {
				e.log.Warn("refilling task queue from the store failed; will retry", "task_queue", q.Name, "error", err)
				e.cfg.WallClock.AfterFunc(retryDelay, func() { e.onQueueLow(q) })
			}
			return
		case step == refillFinished:
			delete(rf.jobs, q)
			rf.mu.Unlock()
			return
		case step == refillFull && !job.again:
			job.running = false
			rf.mu.Unlock()
			return
		}
		job.again = false
		rf.mu.Unlock()
	}
}

// refillStep reads one page of q's open runs and puts their pending tasks on q.
func (e *Engine) refillStep(q matching.QueueKey, job *refillJob) (refillStep, error) {
	if !job.inPass {
		mark, ok := e.tasks.BeginPass(q)
		if !ok {
			return refillFinished, nil
		}
		job.inPass, job.mark, job.cursor, job.standalone = true, mark, nil, false
	}
	// A page at most half a window keeps the refilled queue near its window.
	limit := min(refillPageSize, max(1, e.cfg.TaskQueueWindow/2))
	nsID := q.NamespaceID
	if job.standalone {
		nsID = StandaloneNamespaceID(nsID) // standalone activities are stored apart
	}
	page, err := e.store.ListOpenExecutionsOnQueue(e.effectsCtx, nsID, q.Name, job.cursor, limit)
	if err != nil {
		return refillMore, err
	}
	var refs []taskRef
	for _, row := range page.Executions {
		st, err := machine.Decode(row.State)
		if err != nil {
			continue // recovery and loads report unreadable runs
		}
		refs = e.appendSpillable(refs, q, st, runKey{row.NamespaceID, row.WorkflowID, row.RunID})
	}
	held := e.tasks.Refill(q, refs)
	job.cursor = page.Next
	if page.Next == nil && !job.standalone && q.Kind == matching.Activity {
		job.standalone = true // the pass goes on with the queue's standalone activities
		return refillMore, nil
	}
	if page.Next == nil {
		job.inPass, job.standalone = false, false
		if e.tasks.EndPass(q, job.mark) {
			return refillFinished, nil
		}
	}
	if held > e.cfg.TaskQueueWindow/2 {
		return refillFull, nil
	}
	return refillMore, nil
}

// appendSpillable appends the run's pending tasks that belong on q and that q
// may have refused, as dispatch would queue them.
func (e *Engine) appendSpillable(refs []taskRef, q matching.QueueKey, s *machine.State, key runKey) []taskRef {
	if !s.Open() {
		return refs
	}
	runPriority := matchPriority(s.DecodedPriority(), matching.Priority{})
	switch q.Kind {
	case matching.Workflow:
		if wt := s.WorkflowTask; wt != nil && wt.StartedEventID == 0 && e.workflowQueueFor(s, wt) == q {
			mark := taskMark{kind: kindWorkflow, scheduledEventID: wt.ScheduledEventID, attempt: wt.Attempt, priority: runPriority}
			if spillable(s, q, mark) {
				refs = append(refs, mark.ref(key))
			}
		}
	case matching.Activity:
		for id, a := range s.Activities {
			if a.State != machine.ActivityScheduled || a.TaskQueue != q.Name || e.activityQueueFor(s, a) != q {
				continue
			}
			mark := taskMark{kind: kindActivity, scheduledEventID: id, attempt: a.Attempt, priority: runPriority}
			if len(a.Priority) > 0 {
				mark.priority = matchPriority(a.DecodedPriority(), runPriority)
			}
			if spillable(s, q, mark) {
				refs = append(refs, mark.ref(key))
			}
		}
	}
	return refs
}
