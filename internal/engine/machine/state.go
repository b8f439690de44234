package machine

import (
	commonpb "go.temporal.io/api/common/v1"
	"time"

	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"
)

// State is the mutable state of one workflow run: everything the engine must know
// about a run besides its history. It is persisted with every transition.
type State struct {
	NamespaceID   string
	Namespace     string
	WorkflowID    string
	RunID         string
	FirstRunID    string
	WorkflowType  string
	TaskQueue     string
	Status        enumspb.WorkflowExecutionStatus
	StartRequest  string // request id of the start, for deduplication
	Identity      string // who started it
	Attempt       int32
	StartTime     time.Time
	ExecutionTime time.Time
	CloseTime     time.Time

	RunTimeout          time.Duration
	ExecutionTimeout    time.Duration
	WorkflowTaskTimeout time.Duration
	RunDeadline         time.Time // zero: none
	// DelayedStart is set while the first workflow task waits for ExecutionTime.
	DelayedStart      bool
	ExecutionDeadline time.Time // zero: none

	// NextEventID is the id the next history event gets.
	NextEventID int64
	// LastCompletedStartedID is the WorkflowTaskStarted id of the last completed
	// workflow task (previous_started_event_id for the next one).
	LastCompletedStartedID int64
	// CloseEventID is the id of the close event once the run has closed.
	CloseEventID int64
	// HistorySize is the approximate size in bytes of the history written so far.
	HistorySize int64

	// WorkflowTask is the outstanding workflow task, nil when none.
	WorkflowTask *WorkflowTask
	// WorkflowTaskNeeded records that something happened while a workflow task was
	// started that requires a new one once it closes.
	WorkflowTaskNeeded bool
	// StickyQueue and StickyTimeout route the next workflow task to the worker that
	// holds the run in its cache. Empty when the run is not sticky.
	StickyQueue   string
	StickyTimeout time.Duration

	// Buffered holds events that arrived while a workflow task was started. They
	// get ids when the task closes.
	Buffered []*historypb.HistoryEvent `json:"-"`

	Activities map[int64]*Activity // by scheduled event id
	Timers     map[string]*Timer   // by timer id
	// Children, ExternalSignals and ExternalCancels are by initiated event id.
	Children        map[int64]*Child
	ExternalSignals map[int64]*ExternalRequest
	ExternalCancels map[int64]*ExternalRequest
	// Parent is set on child workflow runs.
	Parent *ParentInfo
	// Updates are the accepted updates, by update id.
	Updates map[string]*UpdateRecord
	// SignalRequestIDs remembers the request ids of recent signals, so a
	// signal sent twice (a client or engine retry) is delivered once.
	SignalRequestIDs []string

	CancelRequested bool

	Memo             []byte // encoded commonpb.Memo
	SearchAttributes []byte // encoded commonpb.SearchAttributes

	// RetryPolicy is the workflow's own retry policy (encoded
	// commonpb.RetryPolicy), nil when the client set none: runs are then not
	// retried.
	RetryPolicy  []byte
	CronSchedule string
	// Priority is the run's encoded commonpb.Priority, nil if none was set.
	Priority []byte
	// Input and Header of the start (encoded), kept only when a retry or cron
	// run may need them again.
	Input  []byte
	Header []byte
}

// WorkflowTask is the one workflow task a run may have outstanding.
type WorkflowTask struct {
	ScheduledEventID int64
	StartedEventID   int64 // 0 until started
	Attempt          int32
	// TaskQueue is the queue the task was dispatched to; Sticky when it is the
	// worker's sticky queue.
	TaskQueue     string
	Sticky        bool
	ScheduledTime time.Time
	StartedTime   time.Time
	Timeout       time.Duration // start-to-close
	// ScheduleToStartDeadline bounds how long a sticky task may wait for its
	// worker before it moves to the normal queue. Zero: no bound.
	ScheduleToStartDeadline time.Time
	RequestID               string
	Identity                string
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
	ScheduledEventID int64
	ActivityID       string
	ActivityType     string
	TaskQueue        string
	State            ActivityState
	Attempt          int32
	// ScheduledTime is when the activity was first scheduled.
	ScheduledTime time.Time
	// AttemptScheduledTime is when the current attempt was (or will be, during
	// backoff) scheduled.
	AttemptScheduledTime time.Time
	StartedTime          time.Time
	StartedIdentity      string
	StartedRequestID     string

	ScheduleToClose time.Duration
	ScheduleToStart time.Duration
	StartToClose    time.Duration
	Heartbeat       time.Duration
	Retry           RetryPolicy

	HeartbeatDetails []byte // encoded commonpb.Payloads of the last heartbeat
	LastHeartbeat    time.Time
	LastFailure      []byte // encoded failurepb.Failure of the previous attempt
	LastIdentity     string

	CancelRequested        bool
	CancelRequestedEventID int64
	Priority               []byte // encoded commonpb.Priority, may be nil
}

// Timer is one started user timer.
type Timer struct {
	TimerID        string
	StartedEventID int64
	FireTime       time.Time
}

// RetryPolicy is a normalized retry policy: every field is filled.
type RetryPolicy struct {
	InitialInterval        time.Duration
	BackoffCoefficient     float64
	MaximumInterval        time.Duration
	MaximumAttempts        int32 // 0: unlimited
	NonRetryableErrorTypes []string
}

// Open reports whether the run is still running.
func (s *State) Open() bool {
	return s.Status == enumspb.WORKFLOW_EXECUTION_STATUS_RUNNING
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
	c.Buffered = make([]*historypb.HistoryEvent, len(s.Buffered))
	for i, ev := range s.Buffered {
		c.Buffered[i] = proto.Clone(ev).(*historypb.HistoryEvent)
	}
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
	c.SignalRequestIDs = append([]string(nil), s.SignalRequestIDs...)
	if s.Parent != nil {
		p := *s.Parent
		c.Parent = &p
	}
	return &c
}

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
