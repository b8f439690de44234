package engine

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	schedulepb "go.temporal.io/api/schedule/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/timestamppb"

	"github.com/sundialdev/sundial/internal/store"
)

// Schedules start workflows at the times a spec names. Each schedule is a
// store record (kind "schedule") holding the schedule as the client last
// set it, its counters, the starts it has buffered and the nominal time up
// to which its spec has been taken into account. The engine keeps one
// deadline per schedule in a timer queue on the workflow clock (so a
// time-skipping clock moves schedules); a firing reads the record, takes
// the actions that fell due, and saves it. A started workflow's request id
// is derived from the schedule and the nominal time, so an action repeated
// after a crash (started, not yet saved) finds the run it started before.
const (
	scheduleRecordKind = "schedule"
	// defaultCatchupWindow and minCatchupWindow are Temporal's.
	defaultCatchupWindow = 365 * 24 * time.Hour
	minCatchupWindow     = 10 * time.Second
	// scheduleRecentActions and scheduleFutureActions are how many of each
	// DescribeSchedule shows; the list entries show scheduleListActions.
	scheduleRecentActions = 10
	scheduleFutureActions = 10
	scheduleListActions   = 5
	// scheduleMaxBuffer bounds the starts a schedule holds back, as
	// Temporal's MaxBufferSize; more are dropped (BufferDropped).
	scheduleMaxBuffer = 1000
	// scheduleMaxStepsPerFire bounds the spec times one firing walks; a
	// schedule further behind continues at once in the next firing.
	scheduleMaxStepsPerFire = 10_000
)

// scheduleState is a schedule's durable state (a record's Data).
type scheduleState struct {
	Schedule         []byte    `json:"schedule"` // schedulepb.Schedule
	Memo             []byte    `json:"memo,omitempty"`
	SearchAttributes []byte    `json:"search_attributes,omitempty"`
	CreateRequestID  string    `json:"create_request_id,omitempty"`
	CreateTime       time.Time `json:"create_time"`
	UpdateTime       time.Time `json:"update_time,omitzero"`
	// Generation distinguishes this schedule from an earlier one of the same
	// id (it enters the derived request ids).
	Generation string `json:"generation"`
	// ConflictToken changes with every update and patch of the schedule.
	ConflictToken int64 `json:"conflict_token"`
	// Processed is the time up to which the spec's times have been taken
	// into account (buffered, skipped or missed).
	Processed time.Time `json:"processed"`

	ActionCount         int64                 `json:"action_count,omitempty"`
	MissedCatchupWindow int64                 `json:"missed_catchup_window,omitempty"`
	OverlapSkipped      int64                 `json:"overlap_skipped,omitempty"`
	BufferDropped       int64                 `json:"buffer_dropped,omitempty"`
	Running             []scheduledRun        `json:"running,omitempty"`
	Recent              []scheduleActionEntry `json:"recent,omitempty"`
	Buffer              []bufferedStart       `json:"buffer,omitempty"`
	// ManualSeq numbers the manual starts (trigger, backfill) for their
	// request ids.
	ManualSeq int64 `json:"manual_seq,omitempty"`
	// LastCompletionResult and ContinuedFailure (encoded protos) go to the
	// next start, as Temporal passes them.
	LastCompletionResult []byte `json:"last_completion_result,omitempty"`
	ContinuedFailure     []byte `json:"continued_failure,omitempty"`

	schedule *schedulepb.Schedule
}

// scheduledRun is a workflow the schedule started and watches.
type scheduledRun struct {
	WorkflowID string `json:"workflow_id"`
	RunID      string `json:"run_id"`
}

// scheduleActionEntry is one recent action.
type scheduleActionEntry struct {
	ScheduleTime time.Time                       `json:"schedule_time"`
	ActualTime   time.Time                       `json:"actual_time"`
	WorkflowID   string                          `json:"workflow_id"`
	RunID        string                          `json:"run_id"`
	Status       enumspb.WorkflowExecutionStatus `json:"status"`
}

// bufferedStart is an action due but not taken yet.
type bufferedStart struct {
	Nominal time.Time                     `json:"nominal"`
	Actual  time.Time                     `json:"actual"`
	Overlap enumspb.ScheduleOverlapPolicy `json:"overlap,omitempty"`
	Manual  bool                          `json:"manual,omitempty"`
	// Seq is the manual start's number (its request id), 0 for scheduled ones.
	Seq int64 `json:"seq,omitempty"`
}

func decodeSchedule(r *store.Record) (*scheduleState, error) {
	var s scheduleState
	if err := json.Unmarshal(r.Data, &s); err != nil {
		return nil, fmt.Errorf("decoding schedule %s: %w", r.ID, err)
	}
	s.schedule = &schedulepb.Schedule{}
	if err := proto.Unmarshal(s.Schedule, s.schedule); err != nil {
		return nil, fmt.Errorf("decoding the schedule of %s: %w", r.ID, err)
	}
	return &s, nil
}

func (s *scheduleState) encode() ([]byte, error) {
	b, err := proto.Marshal(s.schedule)
	if err != nil {
		return nil, fmt.Errorf("encoding a schedule: %w", err)
	}
	s.Schedule = b
	return json.Marshal(s)
}

// memo and searchAttributes decode the schedule's own memo and attributes.
func (s *scheduleState) memo() *commonpb.Memo {
	if len(s.Memo) == 0 {
		return nil
	}
	m := &commonpb.Memo{}
	if proto.Unmarshal(s.Memo, m) != nil {
		return nil
	}
	return m
}

func (s *scheduleState) searchAttributes() *commonpb.SearchAttributes {
	if len(s.SearchAttributes) == 0 {
		return nil
	}
	sa := &commonpb.SearchAttributes{}
	if proto.Unmarshal(s.SearchAttributes, sa) != nil {
		return nil
	}
	return sa
}

// conflictToken is the token clients see: the counter, big-endian, as
// Temporal encodes it.
func (s *scheduleState) conflictToken() []byte {
	return binary.BigEndian.AppendUint64(nil, uint64(s.ConflictToken))
}

// catchupWindow is the schedule's catch-up window, with Temporal's default
// and minimum.
func (s *scheduleState) catchupWindow() time.Duration {
	cw := s.schedule.GetPolicies().GetCatchupWindow()
	switch {
	case cw == nil:
		return defaultCatchupWindow
	case cw.AsDuration() < minCatchupWindow:
		return minCatchupWindow
	}
	return cw.AsDuration()
}

// overlapPolicy resolves a start's overlap policy: its own, else the
// schedule's, else SKIP.
func (s *scheduleState) overlapPolicy(p enumspb.ScheduleOverlapPolicy) enumspb.ScheduleOverlapPolicy {
	if p == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		p = s.schedule.GetPolicies().GetOverlapPolicy()
	}
	if p == enumspb.SCHEDULE_OVERLAP_POLICY_UNSPECIFIED {
		p = enumspb.SCHEDULE_OVERLAP_POLICY_SKIP
	}
	return p
}

// addRecent appends an action result, keeping the last scheduleRecentActions.
func (s *scheduleState) addRecent(a scheduleActionEntry) {
	s.Recent = append(s.Recent, a)
	if n := len(s.Recent) - scheduleRecentActions; n > 0 {
		s.Recent = append(s.Recent[:0:0], s.Recent[n:]...)
	}
}

// recentActions is the last n recent actions as Temporal reports them.
func (s *scheduleState) recentActions(n int) []*schedulepb.ScheduleActionResult {
	from := max(0, len(s.Recent)-n)
	out := make([]*schedulepb.ScheduleActionResult, 0, len(s.Recent)-from)
	for _, a := range s.Recent[from:] {
		out = append(out, &schedulepb.ScheduleActionResult{
			ScheduleTime:        timestamppb.New(a.ScheduleTime),
			ActualTime:          timestamppb.New(a.ActualTime),
			StartWorkflowResult: &commonpb.WorkflowExecution{WorkflowId: a.WorkflowID, RunId: a.RunID},
			StartWorkflowStatus: a.Status,
		})
	}
	return out
}

// scheduledWorkflowID is the id of the workflow a schedule starts for a
// nominal time: the action's id and the time in seconds, as Temporal names
// them.
func scheduledWorkflowID(base string, nominal time.Time) string {
	return base + "-" + nominal.UTC().Truncate(time.Second).Format(time.RFC3339)
}

// scheduleRequestID is the request id of a schedule's start: the same for
// every attempt at one action, so a repeat after a crash is deduplicated.
func scheduleRequestID(nsID, scheduleID, generation string, nominal time.Time, seq int64) string {
	sum := sha256.Sum256(fmt.Appendf(nil, "schedule\x00%s\x00%s\x00%s\x00%d\x00%d", nsID, scheduleID, generation, nominal.UnixNano(), seq))
	return fmt.Sprintf("%x-%x-%x-%x-%x", sum[0:4], sum[4:6], sum[6:8], sum[8:10], sum[10:16])
}
