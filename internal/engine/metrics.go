package engine

import (
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/metrics"
)

// maxLabelSets bounds how many label sets one engine metric resolves, so
// that clients inventing task queue names cannot grow the metrics without
// bound; later sets are recorded under overflowLabel.
const maxLabelSets = 4096

// overflowLabel stands for the task queue of label sets past maxLabelSets.
const overflowLabel = "_overflow_"

// stickyLabel is the task queue label of every sticky queue: their names are
// per worker and would otherwise grow the label sets with every restart.
const stickyLabel = "__sticky__"

// engineMetrics records what the engine does. A nil *engineMetrics (no
// Config.Metrics) records nothing; every method checks.
type engineMetrics struct {
	outcomes        [6]metrics.CounterVec
	scheduleToStart metrics.HistogramVec
	timerLag        metrics.Histogram

	// openRuns counts open runs: set by recovery, then moved by installs
	// that create or close a run.
	openRuns atomic.Int64

	mu           sync.RWMutex
	nsOutcomes   map[string]*[6]metrics.Counter
	startLatency map[startKey]metrics.Histogram
}

// startKey is one label set of task_schedule_to_start_latency.
type startKey struct {
	namespace, taskQueue, taskType string
}

// outcomeIndex maps a closed status to its slot in engineMetrics.outcomes.
func outcomeIndex(status enumspb.WorkflowExecutionStatus) int {
	switch status {
	case enumspb.WORKFLOW_EXECUTION_STATUS_COMPLETED:
		return 0
	case enumspb.WORKFLOW_EXECUTION_STATUS_FAILED:
		return 1
	case enumspb.WORKFLOW_EXECUTION_STATUS_TIMED_OUT:
		return 2
	case enumspb.WORKFLOW_EXECUTION_STATUS_CANCELED:
		return 3
	case enumspb.WORKFLOW_EXECUTION_STATUS_TERMINATED:
		return 4
	case enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW:
		return 5
	default:
		return -1
	}
}

// newEngineMetrics creates the engine's instruments in reg; nil when reg is.
func newEngineMetrics(reg metrics.Registry, e *Engine) *engineMetrics {
	if reg == nil {
		return nil
	}
	m := &engineMetrics{
		nsOutcomes:   map[string]*[6]metrics.Counter{},
		startLatency: map[startKey]metrics.Histogram{},
	}
	for i, name := range [6]string{metrics.WorkflowSuccess, metrics.WorkflowFailed, metrics.WorkflowTimeout,
		metrics.WorkflowCancel, metrics.WorkflowTerminate, metrics.WorkflowContinuedAsNew} {
		m.outcomes[i] = reg.Counter(name, "Workflow runs that closed this way.", metrics.LabelNamespace)
	}
	m.scheduleToStart = reg.Histogram(metrics.TaskScheduleToStartLatency,
		"Seconds from a task's scheduling to a worker's poll taking it.", metrics.LatencyBuckets,
		metrics.LabelNamespace, metrics.LabelTaskQueue, metrics.LabelTaskType)
	m.timerLag = reg.Histogram(metrics.SundialTimerLag,
		"Seconds from a run's deadline (timer, timeout, retry) to the engine acting on it.", metrics.LatencyBuckets).With()
	reg.GaugeFunc(metrics.SundialOpenRuns, "Workflow runs not yet closed.", nil, func(emit metrics.Emit) {
		emit(float64(m.openRuns.Load()))
	})
	reg.GaugeFunc(metrics.SundialCachedRuns, "Workflow runs held in memory.", nil, func(emit metrics.Emit) {
		emit(float64(e.runs.size()))
	})
	reg.GaugeFunc(metrics.SundialTaskQueueBacklog, "Tasks waiting for a worker, per task queue.",
		[]string{metrics.LabelNamespace, metrics.LabelTaskQueue, metrics.LabelTaskType}, e.collectQueues(func(s matching.QueueStats) float64 { return float64(s.Backlog) }))
	reg.GaugeFunc(metrics.SundialPollsWaiting, "Long polls waiting for a task, per task queue.",
		[]string{metrics.LabelNamespace, metrics.LabelTaskQueue, metrics.LabelTaskType}, e.collectQueues(func(s matching.QueueStats) float64 { return float64(s.Waiting) }))
	return m
}

// collectQueues reports value of every task queue in memory. Sticky queues
// are included under their own names: their count is bounded by the live
// workers, since idle queues are forgotten.
func (e *Engine) collectQueues(value func(matching.QueueStats) float64) func(metrics.Emit) {
	return func(emit metrics.Emit) {
		names := map[string]string{}
		e.tasks.Stats(func(s matching.QueueStats) {
			ns, ok := names[s.Key.NamespaceID]
			if !ok {
				ns = e.ns.nameOf(s.Key.NamespaceID)
				names[s.Key.NamespaceID] = ns
			}
			taskType := metrics.TaskTypeWorkflow
			if s.Key.Kind == matching.Activity {
				taskType = metrics.TaskTypeActivity
			}
			emit(value(s), ns, labelValue(s.Key.Name), taskType)
		})
	}
}

// labelValue makes s safe as a label value: metrics libraries refuse
// invalid UTF-8.
func labelValue(s string) string {
	if !utf8.ValidString(s) {
		return "_invalid_"
	}
	return s
}

// runInstalled counts a transition that created or closed a run.
func (m *engineMetrics) runInstalled(created, wasOpen bool, s *machine.State) {
	if m == nil {
		return
	}
	switch {
	case created && s.Open():
		m.openRuns.Add(1)
	case !created && wasOpen && !s.Open():
		m.openRuns.Add(-1)
	}
	if wasOpen && !s.Open() {
		m.outcome(s.Namespace, s.Status)
	}
}

// outcome counts a run that closed with status.
func (m *engineMetrics) outcome(namespace string, status enumspb.WorkflowExecutionStatus) {
	i := outcomeIndex(status)
	if i < 0 {
		return
	}
	m.mu.RLock()
	c := m.nsOutcomes[namespace]
	m.mu.RUnlock()
	if c == nil {
		m.mu.Lock()
		if c = m.nsOutcomes[namespace]; c == nil {
			c = new([6]metrics.Counter)
			for j := range c {
				c[j] = m.outcomes[j].With(labelValue(namespace))
			}
			m.nsOutcomes[namespace] = c
		}
		m.mu.Unlock()
	}
	c[i].Add(1)
}

// taskStarted records how long a task waited for a worker.
func (m *engineMetrics) taskStarted(namespace, taskQueue, taskType string, sticky bool, waited time.Duration) {
	if m == nil {
		return
	}
	if sticky {
		taskQueue = stickyLabel
	}
	key := startKey{namespace, taskQueue, taskType}
	m.mu.RLock()
	h := m.startLatency[key]
	m.mu.RUnlock()
	if h == nil {
		m.mu.Lock()
		if h = m.startLatency[key]; h == nil {
			if len(m.startLatency) >= maxLabelSets {
				key.taskQueue = overflowLabel
			}
			if h = m.startLatency[key]; h == nil {
				h = m.scheduleToStart.With(labelValue(key.namespace), labelValue(key.taskQueue), key.taskType)
				m.startLatency[key] = h
			}
		}
		m.mu.Unlock()
	}
	metrics.ObserveDuration(h, max(waited, 0))
}

// timerFired records how late a deadline was acted on.
func (m *engineMetrics) timerFired(lag time.Duration) {
	m.timerLag.Observe(max(lag, 0).Seconds())
}

// recovered counts the open runs recovery found.
func (m *engineMetrics) recovered(n int64) {
	if m == nil {
		return
	}
	m.openRuns.Add(n)
}

// size reports how many runs are in memory.
func (c *runCache) size() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.runs)
}

// nameOf returns the name of the namespace with id if it is cached, else id.
func (c *namespaceCache) nameOf(id string) string {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if ns := c.byID[id]; ns != nil {
		return ns.name
	}
	return id
}
