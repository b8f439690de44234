package machine

import (
	"slices"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// State is the mutable state of one workflow run: everything the engine must know
// about a run besides its history. It is persisted with every transition.
type State struct {
	NamespaceID   string                          `json:",omitzero"`
	Namespace     string                          `json:",omitzero"`
	WorkflowID    string                          `json:",omitzero"`
	RunID         string                          `json:",omitzero"`
	FirstRunID    string                          `json:",omitzero"`
	WorkflowType  string                          `json:",omitzero"`
	TaskQueue     string                          `json:",omitzero"`
	Status        enumspb.WorkflowExecutionStatus `json:",omitzero"`
	StartRequest  string                          `json:",omitzero"` // request id of the start, for deduplication
	Identity      string                          `json:",omitzero"` // who started it
	Attempt       int32                           `json:",omitzero"`
	StartTime     time.Time                       `json:",omitzero"`
	ExecutionTime time.Time                       `json:",omitzero"`
	CloseTime     time.Time                       `json:",omitzero"`

	RunTimeout          time.Duration `json:",omitzero"`
	ExecutionTimeout    time.Duration `json:",omitzero"`
	WorkflowTaskTimeout time.Duration `json:",omitzero"`
	RunDeadline         time.Time     `json:",omitzero"` // zero: none
	// DelayedStart is set while the first workflow task waits for ExecutionTime.
	DelayedStart      bool      `json:",omitzero"`
	ExecutionDeadline time.Time `json:",omitzero"` // zero: none

	// NextEventID is the id the next history event gets.
	NextEventID int64 `json:",omitzero"`
	// LastCompletedStartedID is the WorkflowTaskStarted id of the last completed
	// workflow task (previous_started_event_id for the next one).
	LastCompletedStartedID int64 `json:",omitzero"`
	// CloseEventID is the id of the close event once the run has closed.
	CloseEventID int64 `json:",omitzero"`
	// HistorySize is the approximate size in bytes of the history written so far.
	HistorySize int64 `json:",omitzero"`

	// WorkflowTask is the outstanding workflow task, nil when none.
	WorkflowTask *WorkflowTask `json:",omitzero"`
	// WorkflowTaskNeeded records that something happened while a workflow task was
	// started that requires a new one once it closes.
	WorkflowTaskNeeded bool `json:",omitzero"`
	// StickyQueue and StickyTimeout route the next workflow task to the worker that
	// holds the run in its cache. Empty when the run is not sticky.
	StickyQueue   string        `json:",omitzero"`
	StickyTimeout time.Duration `json:",omitzero"`

	// Buffered holds events that arrived while a workflow task was started. They
	// get ids when the task closes.
	Buffered []*historypb.HistoryEvent `json:"-"`

	Activities map[int64]*Activity `json:",omitzero"` // by scheduled event id
	Timers     map[string]*Timer   `json:",omitzero"` // by timer id
	// Children, ExternalSignals and ExternalCancels are by initiated event id.
	Children        map[int64]*Child           `json:",omitzero"`
	ExternalSignals map[int64]*ExternalRequest `json:",omitzero"`
	ExternalCancels map[int64]*ExternalRequest `json:",omitzero"`
	// Parent is set on child workflow runs.
	Parent *ParentInfo `json:",omitzero"`
	// NexusOperations are the open Nexus operations, by scheduled event id
	// (nexus.go).
	NexusOperations map[int64]*NexusOperation `json:",omitzero"`
	// Callbacks are the completion callbacks the run's starter attached: a
	// Nexus operation backed by this run learns its outcome through them.
	Callbacks []NexusCallback `json:",omitzero"`
	// Updates are the accepted updates, by update id.
	Updates map[string]*UpdateRecord `json:",omitzero"`
	// SignalRequestIDs remembers the request ids of recent signals, so a
	// signal sent twice (a client or engine retry) is delivered once.
	SignalRequestIDs []string `json:",omitzero"`

	CancelRequested bool `json:",omitzero"`
	// Pause says who paused the run, when and why; nil unless it is paused.
	Pause *RunPause `json:",omitzero"`

	Memo             []byte `json:",omitzero"` // encoded commonpb.Memo
	SearchAttributes []byte `json:",omitzero"` // encoded commonpb.SearchAttributes

	// RetryPolicy is the workflow's own retry policy (encoded
	// commonpb.RetryPolicy), nil when the client set none: runs are then not
	// retried.
	RetryPolicy  []byte `json:",omitzero"`
	CronSchedule string `json:",omitzero"`
	// ResetPoints are the first workflow task each worker binary completed,
	// the places an operator may reset the run to.
	ResetPoints []ResetPoint `json:",omitzero"`
	// Priority is the run's encoded commonpb.Priority, nil if none was set.
	Priority []byte `json:",omitzero"`
	// Input and Header of the start (encoded), kept only when a retry or cron
	// run may need them again.
	Input  []byte `json:",omitzero"`
	Header []byte `json:",omitzero"`
	// Standalone is set on the run of a standalone activity (see
	// standalone.go), which has no workflow.
	Standalone *Standalone `json:",omitzero"`
	// StandaloneNexus is set on the run of a standalone Nexus operation (see
	// standalone_nexus.go), which has no workflow.
	StandaloneNexus *StandaloneNexus `json:",omitzero"`
	// Versioning is the run's worker-deployment versioning (versioning.go);
	// nil for runs no versioned worker or operator has touched.
	Versioning *Versioning `json:",omitzero"`
}

// WorkflowTask is the one workflow task a run may have outstanding.
type WorkflowTask struct {
	ScheduledEventID int64 `json:",omitzero"`
	StartedEventID   int64 `json:",omitzero"` // 0 until started
	Attempt          int32 `json:",omitzero"`
	// TaskQueue is the queue the task was dispatched to; Sticky when it is the
	// worker's sticky queue.
	TaskQueue     string        `json:",omitzero"`
	Sticky        bool          `json:",omitzero"`
	ScheduledTime time.Time     `json:",omitzero"`
	StartedTime   time.Time     `json:",omitzero"`
	Timeout       time.Duration `json:",omitzero"` // start-to-close
	// ScheduleToStartDeadline bounds how long a sticky task may wait for its
	// worker before it moves to the normal queue. Zero: no bound.
	ScheduleToStartDeadline time.Time `json:",omitzero"`
	RequestID               string    `json:",omitzero"`
	Identity                string    `json:",omitzero"`
	// Inline marks a task started in the same transition that scheduled it, to be
	// returned in the completion response.
	Inline bool `json:"-"`
}

// ActivityState is where an activity is in its life.
type ActivityState int8

// Activity states.
const (
	// ActivityScheduled waits in a task queue for a worker.
	ActivityScheduled ActivityState = iota
	// ActivityStarted runs on a worker.
	ActivityStarted
	// ActivityBackoff waits for its retry time.
	ActivityBackoff
)

// Activity is one scheduled activity, across all its attempts.
type Activity struct {
	ScheduledEventID int64         `json:",omitzero"`
	ActivityID       string        `json:",omitzero"`
	ActivityType     string        `json:",omitzero"`
	TaskQueue        string        `json:",omitzero"`
	State            ActivityState `json:",omitzero"`
	Attempt          int32         `json:",omitzero"`
	// ScheduledTime is when the activity was first scheduled.
	ScheduledTime time.Time `json:",omitzero"`
	// AttemptScheduledTime is when the current attempt was (or will be, during
	// backoff) scheduled.
	AttemptScheduledTime time.Time `json:",omitzero"`
	StartedTime          time.Time `json:",omitzero"`
	StartedIdentity      string    `json:",omitzero"`
	StartedRequestID     string    `json:",omitzero"`

	ScheduleToClose time.Duration `json:",omitzero"`
	ScheduleToStart time.Duration `json:",omitzero"`
	StartToClose    time.Duration `json:",omitzero"`
	Heartbeat       time.Duration `json:",omitzero"`
	Retry           RetryPolicy   `json:",omitzero"`

	HeartbeatDetails []byte    `json:",omitzero"` // encoded commonpb.Payloads of the last heartbeat
	LastHeartbeat    time.Time `json:",omitzero"`
	LastFailure      []byte    `json:",omitzero"` // encoded failurepb.Failure of the previous attempt
	LastIdentity     string    `json:",omitzero"`

	CancelRequested        bool   `json:",omitzero"`
	CancelRequestedEventID int64  `json:",omitzero"`
	Priority               []byte `json:",omitzero"` // encoded commonpb.Priority, may be nil

	// Paused withholds the activity's next attempt (see activity_ops.go); the
	// Pause fields say who paused it, when and why.
	Paused         bool      `json:",omitzero"`
	PauseTime      time.Time `json:",omitzero"`
	PauseIdentity  string    `json:",omitzero"`
	PauseReason    string    `json:",omitzero"`
	PauseRequestID string    `json:",omitzero"`
	// ResetRequested is set when an operator reset the activity while an
	// attempt was running: that attempt learns it through its heartbeat, and
	// the next attempt is number 1. ResetHeartbeat then also drops the
	// heartbeat details before the next attempt.
	ResetRequested bool `json:",omitzero"`
	ResetHeartbeat bool `json:",omitzero"`
	// ResetAttempts makes the next attempt number 1 (a reset or an unpause
	// that resets attempts while an attempt was running).
	ResetAttempts bool `json:",omitzero"`
	// LastAttemptCompleteTime is when the last failed attempt ended; a retry
	// policy changed during backoff counts its interval from it.
	LastAttemptCompleteTime time.Time `json:",omitzero"`
}

// Timer is one started user timer.
type Timer struct {
	TimerID        string    `json:",omitzero"`
	StartedEventID int64     `json:",omitzero"`
	FireTime       time.Time `json:",omitzero"`
}

// RetryPolicy is a normalized retry policy: every field is filled.
type RetryPolicy struct {
	InitialInterval        time.Duration `json:",omitzero"`
	BackoffCoefficient     float64       `json:",omitzero"`
	MaximumInterval        time.Duration `json:",omitzero"`
	MaximumAttempts        int32         `json:",omitzero"` // 0: unlimited
	NonRetryableErrorTypes []string      `json:",omitzero"`
}

// Open reports whether the run is still running.
func (s *State) Open() bool {
	return s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING || s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
}

// Paused reports whether an operator paused the run (see workflow_pause.go).
func (s *State) Paused() bool {
	return s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_PAUSED
}

// WorkflowTaskStarted reports whether a workflow task is running on a worker.
func (s *State) WorkflowTaskStarted() bool {
	return s.WorkflowTask != nil && s.WorkflowTask.StartedEventID != 0
}

// ActivityByID finds an open activity by its activity id.
func (s *State) ActivityByID(activityID string) *Activity {
	for _, a := range s.Activities {
		if a.ActivityID == activityID {
			return a
		}
	}
	return nil
}

// Clone returns a deep copy, so a transition can be abandoned.
func (s *State) Clone() *State {
	c := *s
	if s.WorkflowTask != nil {
		wt := *s.WorkflowTask
		c.WorkflowTask = &wt
	}
	// Buffered events are shared: they are never changed in place (flushBuffered
	// writes copies), and copying them made every transition of a run with many
	// buffered results cost as much as all of them.
	c.Buffered = slices.Clone(s.Buffered)
	c.Activities = make(map[int64]*Activity, len(s.Activities))
	for k, a := range s.Activities {
		ac := *a
		c.Activities[k] = &ac
	}
	c.Timers = make(map[string]*Timer, len(s.Timers))
	for k, t := range s.Timers {
		tc := *t
		c.Timers[k] = &tc
	}
	c.Children = cloneMap(s.Children)
	c.ExternalSignals = cloneMap(s.ExternalSignals)
	c.ExternalCancels = cloneMap(s.ExternalCancels)
	c.Updates = cloneMap(s.Updates)
	c.NexusOperations = cloneNexusOperations(s.NexusOperations)
	c.ResetPoints = append([]ResetPoint(nil), s.ResetPoints...)
	c.SignalRequestIDs = append([]string(nil), s.SignalRequestIDs...)
	if s.Parent != nil {
		p := *s.Parent
		c.Parent = &p
	}
	if s.Standalone != nil {
		sa := *s.Standalone
		c.Standalone = &sa
	}
	if s.StandaloneNexus != nil {
		sn := *s.StandaloneNexus
		c.StandaloneNexus = &sn
	}
	if s.Pause != nil {
		p := *s.Pause
		c.Pause = &p
	}
	if s.Versioning != nil {
		v := *s.Versioning
		c.Versioning = &v
	}
	return &c
}

// ResetPoint is the first workflow task completed by one worker binary.
type ResetPoint struct {
	BinaryChecksum   string    `json:",omitzero"`
	CompletedEventID int64     `json:",omitzero"`
	CreateTime       time.Time `json:",omitzero"`
}

// maxResetPoints bounds how many reset points a run keeps; the oldest go first.
const maxResetPoints = 20

// cloneMap copies a map of pointers to plain structs, copying each value.
func cloneMap[K comparable, V any](m map[K]*V) map[K]*V {
	if m == nil {
		return nil
	}
	out := make(map[K]*V, len(m))
	for k, v := range m {
		c := *v
		out[k] = &c
	}
	return out
}

// DecodedPriority returns the run's priority, nil if none was set.
func (s *State) DecodedPriority() *commonpb.Priority {
	if len(s.Priority) == 0 {
		return nil
	}
	p := &commonpb.Priority{}
	if proto.Unmarshal(s.Priority, p) != nil {
		return nil
	}
	return p
}
