package worker

import (
	"fmt"
	"log/slog"
	"time"
)

// Defaults applied to unset Options.
const (
	DefaultMaxConcurrentActivityExecutionSize = 1000
	DefaultMaxConcurrentActivityTaskPollers   = 2
	DefaultHeartbeatThrottleInterval          = 30 * time.Second
	DefaultMaxHeartbeatThrottleInterval       = 60 * time.Second

	DefaultMaxConcurrentWorkflowTaskExecutionSize = 1000
	DefaultMaxConcurrentWorkflowTaskPollers       = 2
	DefaultStickyWorkflowCacheSize                = 600
	DefaultStickyScheduleToStartTimeout           = 5 * time.Second

	DefaultMaxConcurrentNexusTaskExecutionSize = 1000
	DefaultMaxConcurrentNexusTaskPollers       = 2
)

// Options configure a Worker. The zero value is usable: every field has a default.
type Options struct {
	// MaxConcurrentActivityExecutionSize is how many activities run at once; the worker
	// polls only while fewer are running. Default 1000.
	MaxConcurrentActivityExecutionSize int
	// WorkerActivitiesPerSecond limits how many activity tasks this worker starts per
	// second, enforced by the worker itself. 0 means no limit.
	WorkerActivitiesPerSecond float64
	// TaskQueueActivitiesPerSecond asks the server to dispatch at most this many activity
	// tasks per second from the task queue to all its workers together. It travels in
	// every poll request; 0 leaves the server's setting alone.
	TaskQueueActivitiesPerSecond float64
	// MaxConcurrentActivityTaskPollers is how many long polls run at once. Default 2.
	MaxConcurrentActivityTaskPollers int
	// GracefulShutdownTimeout is how long Stop lets running activities finish after it
	// signals shutdown (activity.WorkerStopChannel) before it cancels their contexts
	// with reason activity.WorkerShutdown. Default 0: cancel at once.
	GracefulShutdownTimeout time.Duration
	// Identity names the worker in polls and history events; default the client's.
	Identity string
	// DefaultHeartbeatThrottleInterval is the heartbeat throttle interval of activities
	// scheduled without a heartbeat timeout. Default 30s.
	DefaultHeartbeatThrottleInterval time.Duration
	// MaxHeartbeatThrottleInterval caps the heartbeat throttle interval, which is
	// otherwise 80% of the activity's heartbeat timeout. Default 60s.
	MaxHeartbeatThrottleInterval time.Duration
	// Logger receives the worker's diagnostics and is the base of activity.Logger and
	// workflow.GetLogger; default the client's logger.
	Logger *slog.Logger

	// MaxConcurrentWorkflowTaskExecutionSize is how many workflow tasks are processed
	// at once; the worker polls for workflow tasks only while fewer are in progress.
	// Default 1000.
	MaxConcurrentWorkflowTaskExecutionSize int
	// MaxConcurrentWorkflowTaskPollers is how many workflow task long polls run at
	// once, split between the task queue and the worker's sticky queue (each gets at
	// least one while sticky execution is on). Default 2.
	MaxConcurrentWorkflowTaskPollers int
	// StickyWorkflowCacheSize is how many running workflows the worker keeps in memory
	// between their tasks. Their next tasks come to this worker's own (sticky) queue
	// with only the new events, so they continue without replaying their history. The
	// least recently used run is evicted when the cache is full. Default 600.
	StickyWorkflowCacheSize int
	// DisableStickyExecution turns the cache off: every workflow task replays the
	// run's full history, on whichever worker polls it.
	DisableStickyExecution bool
	// StickyScheduleToStartTimeout is how long the server waits for this worker to
	// pick up a task from its sticky queue before it hands the task to any worker of
	// the task queue. Default 5s.
	StickyScheduleToStartTimeout time.Duration
	// DeadlockDetectionTimeout fails a workflow task whose code runs this long without
	// blocking on a workflow call (a sign of a Go channel, mutex or time.Sleep in
	// workflow code). Default 1s; negative disables the check.
	DeadlockDetectionTimeout time.Duration

	// MaxConcurrentNexusTaskExecutionSize is how many Nexus requests run at once; the
	// worker polls for Nexus tasks only while fewer are running. Used only with a
	// registered Nexus service. Default 1000.
	MaxConcurrentNexusTaskExecutionSize int
	// MaxConcurrentNexusTaskPollers is how many Nexus task long polls run at once.
	// Default 2.
	MaxConcurrentNexusTaskPollers int
	// DeploymentOptions make the worker a version of a worker deployment, for
	// versioned routing of its workflows; the zero value leaves it unversioned.
	DeploymentOptions DeploymentOptions
}

// withDefaults returns a copy with defaults filled in, or an error for invalid values.
func (o Options) withDefaults(clientIdentity string, clientLogger *slog.Logger) (Options, error) {
	if o.MaxConcurrentActivityExecutionSize < 0 || o.MaxConcurrentActivityTaskPollers < 0 ||
		o.WorkerActivitiesPerSecond < 0 || o.TaskQueueActivitiesPerSecond < 0 ||
		o.GracefulShutdownTimeout < 0 || o.DefaultHeartbeatThrottleInterval < 0 || o.MaxHeartbeatThrottleInterval < 0 ||
		o.MaxConcurrentWorkflowTaskExecutionSize < 0 || o.MaxConcurrentWorkflowTaskPollers < 0 ||
		o.StickyWorkflowCacheSize < 0 || o.StickyScheduleToStartTimeout < 0 ||
		o.MaxConcurrentNexusTaskExecutionSize < 0 || o.MaxConcurrentNexusTaskPollers < 0 {
		return o, fmt.Errorf("worker options: sizes, rates and durations must not be negative")
	}
	if err := o.DeploymentOptions.validate(); err != nil {
		return o, fmt.Errorf("worker options: %w", err)
	}
	if o.MaxConcurrentActivityExecutionSize == 0 {
		o.MaxConcurrentActivityExecutionSize = DefaultMaxConcurrentActivityExecutionSize
	}
	if o.MaxConcurrentActivityTaskPollers == 0 {
		o.MaxConcurrentActivityTaskPollers = DefaultMaxConcurrentActivityTaskPollers
	}
	if o.DefaultHeartbeatThrottleInterval == 0 {
		o.DefaultHeartbeatThrottleInterval = DefaultHeartbeatThrottleInterval
	}
	if o.MaxHeartbeatThrottleInterval == 0 {
		o.MaxHeartbeatThrottleInterval = DefaultMaxHeartbeatThrottleInterval
	}
	if o.MaxConcurrentWorkflowTaskExecutionSize == 0 {
		o.MaxConcurrentWorkflowTaskExecutionSize = DefaultMaxConcurrentWorkflowTaskExecutionSize
	}
	if o.MaxConcurrentWorkflowTaskPollers == 0 {
		o.MaxConcurrentWorkflowTaskPollers = DefaultMaxConcurrentWorkflowTaskPollers
	}
	if o.StickyWorkflowCacheSize == 0 {
		o.StickyWorkflowCacheSize = DefaultStickyWorkflowCacheSize
	}
	if o.StickyScheduleToStartTimeout == 0 {
		o.StickyScheduleToStartTimeout = DefaultStickyScheduleToStartTimeout
	}
	if o.MaxConcurrentNexusTaskExecutionSize == 0 {
		o.MaxConcurrentNexusTaskExecutionSize = DefaultMaxConcurrentNexusTaskExecutionSize
	}
	if o.MaxConcurrentNexusTaskPollers == 0 {
		o.MaxConcurrentNexusTaskPollers = DefaultMaxConcurrentNexusTaskPollers
	}
	if o.Identity == "" {
		o.Identity = clientIdentity
	}
	if o.Logger == nil {
		o.Logger = clientLogger
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o, nil
}

// workflowCacheSize is the size of the sticky cache, 0 when sticky execution is off.
func (o Options) workflowCacheSize() int {
	if o.DisableStickyExecution {
		return 0
	}
	return o.StickyWorkflowCacheSize
}

// workflowPollers splits MaxConcurrentWorkflowTaskPollers between the task queue and
// the sticky queue.
func (o Options) workflowPollers() (normal, sticky int) {
	if o.workflowCacheSize() == 0 {
		return o.MaxConcurrentWorkflowTaskPollers, 0
	}
	normal = max(1, (o.MaxConcurrentWorkflowTaskPollers+1)/2)
	return normal, max(1, o.MaxConcurrentWorkflowTaskPollers-normal)
}

// heartbeatThrottleInterval is how often an activity with the given heartbeat timeout
// may send a heartbeat: 80% of the timeout, or the default interval without one, capped
// by the maximum interval.
func (o Options) heartbeatThrottleInterval(heartbeatTimeout time.Duration) time.Duration {
	interval := o.DefaultHeartbeatThrottleInterval
	if heartbeatTimeout > 0 {
		interval = heartbeatTimeout * 4 / 5
	}
	return min(interval, o.MaxHeartbeatThrottleInterval)
}
