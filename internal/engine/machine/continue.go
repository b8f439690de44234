package machine

import (
	"strconv"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/cron"
	"github.com/sundialdev/sundial/internal/uuid"
)

// successorRunID derives the id of the run that follows this one from the run
// id and the close event id, so the machine stays deterministic and the id is
// unique per run; like every run id it is time-ordered (see package uuid).
func (tx *Tx) successorRunID() string {
	return uuid.DerivedTimeOrdered(tx.Now, []byte(tx.S.RunID+"/"+strconv.FormatInt(tx.S.NextEventID, 10)))
}

// successor returns the parameters of a run that continues this one: same
// workflow, configuration and first run, to be adjusted by the caller.
func (tx *Tx) successor(runID string) StartParams {
	s := tx.S
	p := StartParams{
		NamespaceID:         s.NamespaceID,
		Namespace:           s.Namespace,
		WorkflowID:          s.WorkflowID,
		RunID:               runID,
		WorkflowType:        s.WorkflowType,
		TaskQueue:           s.TaskQueue,
		ExecutionTimeout:    s.ExecutionTimeout,
		RunTimeout:          s.RunTimeout,
		WorkflowTaskTimeout: s.WorkflowTaskTimeout,
		Identity:            s.Identity,
		CronSchedule:        s.CronSchedule,
		FirstRunID:          s.FirstRunID,
		ContinuedRunID:      s.RunID,
		Attempt:             1,
		ExecutionDeadline:   s.ExecutionDeadline,
		Input:               s.startInput(),
		Header:              s.startHeader(),
		Parent:              s.Parent,
		Priority:            s.DecodedPriority(),
	}
	if len(s.RetryPolicy) > 0 {
		p.RetryPolicy = &commonpb.RetryPolicy{}
		_ = proto.Unmarshal(s.RetryPolicy, p.RetryPolicy)
	}
	if len(s.Memo) > 0 {
		p.Memo = &commonpb.Memo{}
		_ = proto.Unmarshal(s.Memo, p.Memo)
	}
	if len(s.SearchAttributes) > 0 {
		p.SearchAttributes = &commonpb.SearchAttributes{}
		_ = proto.Unmarshal(s.SearchAttributes, p.SearchAttributes)
	}
	return p
}

// startNext begins the successor run's transition; the engine commits it with
// this one.
func (tx *Tx) startNext(p StartParams) {
	tx.Next = NewRun(p, tx.Now)
}

// continueAsNew applies a ContinueAsNewWorkflowExecution command.
func (tx *Tx) continueAsNew(i int, a *commandpb.ContinueAsNewWorkflowExecutionCommandAttributes, completedID int64, cmd *commandpb.Command) error {
	runID := tx.successorRunID()
	p := tx.successor(runID)
	p.Initiator = enumspb.CONTINUE_AS_NEW_INITIATOR_WORKFLOW
	if n := a.GetWorkflowType().GetName(); n != "" {
		p.WorkflowType = n
	}
	if q := a.GetTaskQueue().GetName(); q != "" {
		p.TaskQueue = q
	}
	p.Input = a.Input
	p.Header = a.Header
	if d := a.GetWorkflowRunTimeout().AsDuration(); d > 0 {
		p.RunTimeout = d
	}
	if d := a.GetWorkflowTaskTimeout().AsDuration(); d > 0 {
		p.WorkflowTaskTimeout = d
	}
	if a.RetryPolicy != nil {
		p.RetryPolicy = a.RetryPolicy
	}
	if a.Memo != nil {
		p.Memo = a.Memo
	}
	if a.SearchAttributes != nil {
		p.SearchAttributes = a.SearchAttributes
	}
	if a.CronSchedule != "" {
		p.CronSchedule = a.CronSchedule
	}
	p.LastCompletionResult = a.LastCompletionResult
	p.ContinuedFailure = a.Failure
	p.StartDelay = a.GetBackoffStartInterval().AsDuration()
	if p.StartDelay < 0 {
		return &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_CONTINUE_AS_NEW_ATTRIBUTES, Message: "BackoffStartInterval must not be negative"}
	}
	_, runTimeout, taskTimeout := NormalizeWorkflowTimeouts(p.ExecutionTimeout, p.RunTimeout, p.WorkflowTaskTimeout)
	tx.closeRun(enumspb.WORKFLOW_EXECUTION_STATUS_CONTINUED_AS_NEW, &historypb.HistoryEvent{
		EventType:    enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW,
		UserMetadata: cmd.UserMetadata,
		Attributes: &historypb.HistoryEvent_WorkflowExecutionContinuedAsNewEventAttributes{WorkflowExecutionContinuedAsNewEventAttributes: &historypb.WorkflowExecutionContinuedAsNewEventAttributes{
			NewExecutionRunId:            runID,
			WorkflowType:                 &commonpb.WorkflowType{Name: p.WorkflowType},
			TaskQueue:                    &taskqueuepb.TaskQueue{Name: p.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Input:                        p.Input,
			WorkflowRunTimeout:           durationpb.New(runTimeout),
			WorkflowTaskTimeout:          durationpb.New(taskTimeout),
			WorkflowTaskCompletedEventId: completedID,
			BackoffStartInterval:         a.BackoffStartInterval,
			Initiator:                    p.Initiator,
			Failure:                      a.Failure,
			LastCompletionResult:         a.LastCompletionResult,
			Header:                       p.Header,
			Memo:                         p.Memo,
			SearchAttributes:             p.SearchAttributes,
		}},
	})
	tx.startNext(p)
	return nil
}

// nextRun decides whether a closing run is followed by another: a retry (when
// failure is set and the workflow's retry policy allows one) or the next cron
// run. It returns the successor's parameters (nil when none) and the retry
// state for the close event.
func (tx *Tx) nextRun(failure *failurepb.Failure, result *commonpb.Payloads) (*StartParams, enumspb.RetryState) {
	s := tx.S
	state := enumspb.RETRY_STATE_RETRY_POLICY_NOT_SET
	if failure != nil && len(s.RetryPolicy) > 0 {
		wire := &commonpb.RetryPolicy{}
		_ = proto.Unmarshal(s.RetryPolicy, wire)
		policy := NormalizeRetryPolicy(wire)
		var delay time.Duration
		delay, state = policy.nextAttempt(s.Attempt, failure, tx.Now, s.ExecutionDeadline)
		if state == enumspb.RETRY_STATE_IN_PROGRESS {
			p := tx.successor(tx.successorRunID())
			p.Initiator = enumspb.CONTINUE_AS_NEW_INITIATOR_RETRY
			p.Attempt = s.Attempt + 1
			p.ContinuedFailure = failure
			p.StartDelay = delay
			return &p, state
		}
	}
	if s.CronSchedule == "" {
		return nil, state
	}
	delay, err := CronDelay(s.CronSchedule, s.ExecutionTime, tx.Now)
	if err != nil {
		return nil, state
	}
	p := tx.successor(tx.successorRunID())
	p.Initiator = enumspb.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE
	p.StartDelay = delay
	p.LastCompletionResult = result
	p.ContinuedFailure = failure
	// Each cron run has its own execution timeout.
	p.ExecutionDeadline = time.Time{}
	return &p, state
}

// CronDelay is how long after now the run of a cron schedule that follows
// the one scheduled for scheduled starts; for a first run, scheduled is now.
// As in Temporal, firing times are counted from the previous run's scheduled
// time, so "@every 1m" fires a minute after the last run was due rather than
// on the minute. An invalid schedule, or one that never fires again, is an
// error with Temporal's text.
func CronDelay(schedule string, scheduled, now time.Time) (time.Duration, error) {
	return cron.Backoff(schedule, scheduled, now)
}

// startInput and startHeader return the run's input and header, kept in the
// state only for runs that may be retried or repeated by cron.
func (s *State) startInput() *commonpb.Payloads {
	if len(s.Input) == 0 {
		return nil
	}
	p := &commonpb.Payloads{}
	_ = proto.Unmarshal(s.Input, p)
	return p
}

func (s *State) startHeader() *commonpb.Header {
	if len(s.Header) == 0 {
		return nil
	}
	h := &commonpb.Header{}
	_ = proto.Unmarshal(s.Header, h)
	return h
}
