package machine

import (
	"strconv"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	"go.temporal.io/api/serviceerror"
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
// workflow, configuration and first run, to be adjusted by the caller. A part
// of the persisted state that does not decode is an Internal error: the run
// must not continue with it silently dropped.
func (tx *Tx) successor(runID string) (StartParams, error) {
	s := tx.S
	input, err := decodeStateField("Input", s.Input, &commonpb.Payloads{})
	if err != nil {
		return StartParams{}, err
	}
	header, err := decodeStateField("Header", s.Header, &commonpb.Header{})
	if err != nil {
		return StartParams{}, err
	}
	retry, err := decodeStateField("RetryPolicy", s.RetryPolicy, &commonpb.RetryPolicy{})
	if err != nil {
		return StartParams{}, err
	}
	memo, err := decodeStateField("Memo", s.Memo, &commonpb.Memo{})
	if err != nil {
		return StartParams{}, err
	}
	attrs, err := decodeStateField("SearchAttributes", s.SearchAttributes, &commonpb.SearchAttributes{})
	if err != nil {
		return StartParams{}, err
	}
	return StartParams{
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
		Input:               input,
		Header:              header,
		RetryPolicy:         retry,
		Memo:                memo,
		SearchAttributes:    attrs,
		Parent:              s.Parent,
		Priority:            s.DecodedPriority(),
	}, nil
}

// decodeStateField decodes data, a message kept in the run's persisted state
// under field, into m. Empty data means the field is not set: nil, no error.
// Data that does not decode is an Internal error naming the field.
func decodeStateField[M proto.Message](field string, data []byte, m M) (M, error) {
	var none M
	if len(data) == 0 {
		return none, nil
	}
	if err := proto.Unmarshal(data, m); err != nil {
		return none, serviceerror.NewInternalf("run state is corrupt: its %s (%d bytes) is unreadable: %v", field, len(data), err)
	}
	return m, nil
}

// startNext begins the successor run's transition; the engine commits it with
// this one.
func (tx *Tx) startNext(p StartParams) {
	tx.Next = NewRun(p, tx.Now)
}

// continueAsNew applies a ContinueAsNewWorkflowExecution command.
func (tx *Tx) continueAsNew(i int, a *commandpb.ContinueAsNewWorkflowExecutionCommandAttributes, completedID int64, cmd *commandpb.Command) error {
	runID := tx.successorRunID()
	p, err := tx.successor(runID)
	if err != nil {
		return err
	}
	p.Initiator = enumspb.CONTINUE_AS_NEW_INITIATOR_WORKFLOW
	p.Callbacks = tx.handOnCallbacks()
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
// state for the close event, or an Internal error if the state needed for the
// successor does not decode.
func (tx *Tx) nextRun(failure *failurepb.Failure, result *commonpb.Payloads) (*StartParams, enumspb.RetryState, error) {
	s := tx.S
	state := enumspb.RETRY_STATE_RETRY_POLICY_NOT_SET
	if failure != nil && len(s.RetryPolicy) > 0 {
		wire, err := decodeStateField("RetryPolicy", s.RetryPolicy, &commonpb.RetryPolicy{})
		if err != nil {
			return nil, state, err
		}
		policy := NormalizeRetryPolicy(wire)
		var delay time.Duration
		delay, state = policy.nextAttempt(s.Attempt, failure, tx.Now, s.ExecutionDeadline)
		if state == enumspb.RETRY_STATE_IN_PROGRESS {
			p, err := tx.successor(tx.successorRunID())
			if err != nil {
				return nil, state, err
			}
			p.Initiator = enumspb.CONTINUE_AS_NEW_INITIATOR_RETRY
			p.Callbacks = tx.handOnCallbacks()
			p.Attempt = s.Attempt + 1
			p.ContinuedFailure = failure
			p.StartDelay = delay
			return &p, state, nil
		}
	}
	if s.CronSchedule == "" {
		return nil, state, nil
	}
	delay, err := CronDelay(s.CronSchedule, s.ExecutionTime, tx.Now)
	if err != nil {
		// Validated when the run started: a schedule that no longer fires
		// ends the chain, as in Temporal.
		return nil, state, nil
	}
	p, err := tx.successor(tx.successorRunID())
	if err != nil {
		return nil, state, err
	}
	p.Initiator = enumspb.CONTINUE_AS_NEW_INITIATOR_CRON_SCHEDULE
	p.StartDelay = delay
	p.LastCompletionResult = result
	p.ContinuedFailure = failure
	// Each cron run has its own execution timeout.
	p.ExecutionDeadline = time.Time{}
	return &p, state, nil
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
