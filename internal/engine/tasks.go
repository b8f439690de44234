package engine

import (
	"time"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
)

type taskKind uint8

const (
	kindWorkflow taskKind = iota + 1
	kindActivity
	kindQuery
	kindNexusStart  // a Nexus operation's start request (nexus_tasks.go)
	kindNexusCancel // a Nexus operation's cancel request
)

// taskRef is what sits in a matching queue: a pointer to a pending task in a
// run's state. Whoever takes it checks it against the state before starting it,
// so a stale ref is harmless.
type taskRef struct {
	run              runKey
	kind             taskKind
	scheduledEventID int64
	attempt          int32
	queryID          string
	priority         matching.Priority
}

// taskMark is a taskRef without its run: how a run remembers which of its
// tasks are in a matching queue. A run has few, so a slice searched in order
// is smaller than a map (every open run holds one).
type taskMark struct {
	kind             taskKind
	scheduledEventID int64
	attempt          int32
	priority         matching.Priority
}

func (m taskMark) ref(run runKey) taskRef {
	return taskRef{run: run, kind: m.kind, scheduledEventID: m.scheduledEventID, attempt: m.attempt, priority: m.priority}
}

type taskMarks []taskMark

func (ms taskMarks) has(m taskMark) bool {
	for _, x := range ms {
		if x == m {
			return true
		}
	}
	return false
}

// MatchPriority orders the task in its queue's backlog.
func (t taskRef) MatchPriority() matching.Priority { return t.priority }

// matchPriority turns a wire priority (nil: none) into the queue's ordering,
// with fallback supplying what p leaves unset.
func matchPriority(p *commonpb.Priority, fallback matching.Priority) matching.Priority {
	out := fallback
	if p.GetPriorityKey() > 0 {
		out.Key = p.GetPriorityKey()
	}
	if p.GetFairnessKey() != "" {
		out.FairnessKey = p.GetFairnessKey()
	}
	if p.GetFairnessWeight() > 0 {
		out.Weight = p.GetFairnessWeight()
	}
	return out
}

func workflowQueue(namespaceID, name string) matching.QueueKey {
	return matching.QueueKey{NamespaceID: namespaceID, Name: name, Kind: matching.Workflow}
}

func activityQueue(namespaceID, name string) matching.QueueKey {
	return matching.QueueKey{NamespaceID: namespaceID, Name: name, Kind: matching.Activity}
}

// workflowQueueFor picks the queue for a workflow task: the run's sticky queue
// while its worker is alive, else the normal queue.
// A versioned run's task goes to the queue of the version routing picks
// (deployments_routing.go), and to its sticky queue only while that is the
// version the run is on.
func (e *Engine) workflowQueueFor(s *machine.State, wt *machine.WorkflowTask) matching.QueueKey {
	version := e.routeVersion(s, s.TaskQueue, matching.Workflow)
	if wt.Sticky && (version == "" && s.Versioning == nil || version == reportedVersionKey(s)) {
		q := workflowQueue(s.NamespaceID, wt.TaskQueue)
		if e.stickyAlive(q) {
			return q
		}
	}
	q := workflowQueue(s.NamespaceID, s.TaskQueue)
	q.Version = version
	return q
}

// normalWorkflowQueue is the run's task queue, or its version's queue there.
func (e *Engine) normalWorkflowQueue(s *machine.State) matching.QueueKey {
	q := workflowQueue(s.NamespaceID, s.TaskQueue)
	q.Version = e.routeVersion(s, s.TaskQueue, matching.Workflow)
	return q
}

// defaultStickyPollerUnavailableWindow is Config.StickyPollerUnavailableWindow's
// default.
const defaultStickyPollerUnavailableWindow = 10 * time.Second

// stickyAlive reports whether a sticky queue's worker may still poll it: it
// polled the queue within the sticky poller window and did not say it shut
// down since (ShutdownWorker retires the queue, which clears its last poll; a
// worker killed outright just stops polling).
func (e *Engine) stickyAlive(q matching.QueueKey) bool {
	last := e.tasks.LastPoll(q)
	return !last.IsZero() && e.cfg.WallClock.Now().Sub(last) < e.cfg.StickyPollerUnavailableWindow
}

// pendingMarks lists the run's tasks that wait for a worker (scheduled, not
// started), as they are marked in queues.
func pendingMarks(s *machine.State) taskMarks {
	if !s.Open() || s.Paused() {
		return nil // a paused run's tasks wait for it to be unpaused
	}
	var marks taskMarks
	runPriority := matchPriority(s.DecodedPriority(), matching.Priority{})
	if wt := s.WorkflowTask; wt != nil && wt.StartedEventID == 0 {
		marks = append(marks, taskMark{kind: kindWorkflow, scheduledEventID: wt.ScheduledEventID, attempt: wt.Attempt, priority: runPriority})
	}
	for id, a := range s.Activities {
		if a.State != machine.ActivityScheduled || a.Paused {
			continue
		}
		mark := taskMark{kind: kindActivity, scheduledEventID: id, attempt: a.Attempt, priority: runPriority}
		if len(a.Priority) > 0 {
			mark.priority = matchPriority(a.DecodedPriority(), runPriority)
		}
		marks = append(marks, mark)
	}
	if len(s.NexusOperations) > 0 {
		marks = appendNexusMarks(marks, s, runPriority)
	}
	return marks
}

// queueOf names the queue a pending task of the run goes to.
func (e *Engine) queueOf(s *machine.State, m taskMark) matching.QueueKey {
	if m.kind == kindWorkflow {
		return e.workflowQueueFor(s, s.WorkflowTask)
	}
	if m.kind == kindNexusStart || m.kind == kindNexusCancel {
		return nexusQueueOf(s, m)
	}
	return e.activityQueueFor(s, s.Activities[m.scheduledEventID])
}

// activityQueueFor names the queue an activity's task goes to.
func (e *Engine) activityQueueFor(s *machine.State, a *machine.Activity) matching.QueueKey {
	q := activityQueue(s.NamespaceID, a.TaskQueue)
	q.Version = e.routeVersion(s, a.TaskQueue, matching.Activity)
	return q
}

// adoptStoredTasks prepares the dispatch of a run whose state was just read
// from the store. A copy loading its first state takes the state's pending
// tasks as queued (in memory or left in the store by a full queue) and
// counted in Outstanding: every stored open run's tasks were, when recovery
// or a commit made them pending, and a run leaves memory only while its
// stored state is all it has (see evictable), so nothing changed them since.
// A duplicate queue entry is harmless anyway, so a copy that may have lost
// one (requeue), or that held an older state, offers its tasks again.
func (e *Engine) adoptStoredTasks(r *run, st *machine.State) {
	if r.loaded {
		r.dispatched = nil
		return
	}
	marks := pendingMarks(st)
	r.taskWork = int64(len(marks)) + startedWork(st)
	r.outstanding = r.taskWork
	r.dispatched = marks
	if r.requeue {
		r.dispatched = nil
	}
	r.requeue = false
}

// uncertain marks a new run whose creating write failed: the store may hold
// it anyway, with tasks nobody queued or counted, so its first load must
// offer and count them (as for a run that held an older state).
func (r *run) uncertain() {
	r.state = nil
	r.loaded = true
}
