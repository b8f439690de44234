package machine

import (
	"fmt"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Workflow task timeouts, as Temporal defines them.
const (
	DefaultWorkflowTaskTimeout = 10 * time.Second
	MaxWorkflowTaskTimeout     = 120 * time.Second
)

// scheduleWorkflowTask makes sure a workflow task will run: it schedules one if
// none is outstanding, or notes that another is needed after the started one.
func (tx *Tx) scheduleWorkflowTask() {
	s := tx.S
	if !s.Open() || s.DelayedStart {
		// A delayed first task runs at its time; what arrives before waits for it.
		return
	}
	if s.WorkflowTask != nil {
		if s.WorkflowTask.StartedEventID != 0 {
			s.WorkflowTaskNeeded = true
		}
		return
	}
	tx.scheduleWorkflowTaskAttempt(1)
}

func (tx *Tx) scheduleWorkflowTaskAttempt(attempt int32) {
	s := tx.S
	if s.Paused() {
		// A paused run gets its next workflow task when it is unpaused.
		s.WorkflowTaskNeeded = true
		return
	}
	wt := &WorkflowTask{
		Attempt:       attempt,
		TaskQueue:     s.TaskQueue,
		ScheduledTime: tx.Now,
		Timeout:       s.WorkflowTaskTimeout,
	}
	tq := &taskqueuepb.TaskQueue{Name: s.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL}
	if s.StickyQueue != "" {
		wt.TaskQueue = s.StickyQueue
		wt.Sticky = true
		if s.StickyTimeout > 0 {
			wt.ScheduleToStartDeadline = tx.Now.Add(s.StickyTimeout)
		}
		tq = &taskqueuepb.TaskQueue{Name: s.StickyQueue, Kind: enumspb.TASK_QUEUE_KIND_STICKY, NormalName: s.TaskQueue}
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_SCHEDULED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskScheduledEventAttributes{
			WorkflowTaskScheduledEventAttributes: &historypb.WorkflowTaskScheduledEventAttributes{
				TaskQueue:           tq,
				StartToCloseTimeout: durationpb.New(s.WorkflowTaskTimeout),
				Attempt:             attempt,
			},
		},
	})
	wt.ScheduledEventID = ev.EventId
	s.WorkflowTask = wt
	s.WorkflowTaskNeeded = false
}

// StartWorkflowTask records that a worker took the workflow task scheduled at
// scheduledEventID. It returns ErrStale if that task is no longer the run's
// pending one.
func (tx *Tx) StartWorkflowTask(scheduledEventID int64, identity, requestID string) (*WorkflowTask, error) {
	s := tx.S
	wt := s.WorkflowTask
	if !s.Open() || s.Paused() || wt == nil || wt.ScheduledEventID != scheduledEventID || wt.StartedEventID != 0 {
		return nil, ErrStale
	}
	tx.startWorkflowTask(identity, requestID)
	return wt, nil
}

func (tx *Tx) startWorkflowTask(identity, requestID string) {
	s := tx.S
	wt := s.WorkflowTask
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_STARTED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskStartedEventAttributes{
			WorkflowTaskStartedEventAttributes: &historypb.WorkflowTaskStartedEventAttributes{
				ScheduledEventId: wt.ScheduledEventID,
				Identity:         identity,
				RequestId:        requestID,
				HistorySizeBytes: s.HistorySize,
			},
		},
	})
	wt.StartedEventID = ev.EventId
	wt.StartedTime = tx.Now
	wt.Identity = identity
	wt.RequestID = requestID
	wt.ScheduleToStartDeadline = time.Time{}
}

// CurrentWorkflowTask returns the started workflow task matching the ids a task
// token carries, or ErrStale.
func (s *State) CurrentWorkflowTask(scheduledEventID, startedEventID int64, attempt int32) (*WorkflowTask, error) {
	wt := s.WorkflowTask
	if !s.Open() || wt == nil || wt.ScheduledEventID != scheduledEventID || wt.StartedEventID != startedEventID ||
		wt.StartedEventID == 0 || wt.Attempt != attempt {
		return nil, ErrStale
	}
	return wt, nil
}

// FailWorkflowTask closes the started workflow task as failed (reported by the
// worker, or caused by a bad command) and schedules the next attempt on the
// normal task queue.
func (tx *Tx) FailWorkflowTask(cause enumspb.WorkflowTaskFailedCause, failure *failurepb.Failure, identity, binaryChecksum string) {
	s := tx.S
	wt := s.WorkflowTask
	tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_FAILED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskFailedEventAttributes{
			WorkflowTaskFailedEventAttributes: &historypb.WorkflowTaskFailedEventAttributes{
				ScheduledEventId: wt.ScheduledEventID,
				StartedEventId:   wt.StartedEventID,
				Cause:            cause,
				Failure:          failure,
				Identity:         identity,
				BinaryChecksum:   binaryChecksum,
			},
		},
	})
	tx.retryWorkflowTask(wt, cause != enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND)
}

// timeoutWorkflowTask handles an expired workflow task: start-to-close for a
// started task, schedule-to-start for a sticky task no worker took.
func (tx *Tx) timeoutWorkflowTask(timeoutType enumspb.TimeoutType) {
	wt := tx.S.WorkflowTask
	tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT,
		Attributes: &historypb.HistoryEvent_WorkflowTaskTimedOutEventAttributes{
			WorkflowTaskTimedOutEventAttributes: &historypb.WorkflowTaskTimedOutEventAttributes{
				ScheduledEventId: wt.ScheduledEventID,
				StartedEventId:   wt.StartedEventID,
				TimeoutType:      timeoutType,
			},
		},
	})
	tx.retryWorkflowTask(wt, timeoutType != enumspb.TIMEOUT_TYPE_SCHEDULE_TO_START)
}

// retryWorkflowTask drops stickiness, writes what was buffered, and schedules the
// next workflow task on the normal queue.
func (tx *Tx) retryWorkflowTask(prev *WorkflowTask, incrementAttempt bool) {
	s := tx.S
	s.WorkflowTask = nil
	s.StickyQueue = ""
	s.StickyTimeout = 0
	tx.flushBuffered()
	attempt := prev.Attempt
	if incrementAttempt {
		attempt++
	}
	tx.scheduleWorkflowTaskAttempt(attempt)
}

// CompletionOptions are the parts of a workflow task completion besides its
// commands.
type CompletionOptions struct {
	Identity       string
	BinaryChecksum string
	SdkMetadata    *sdkpb.WorkflowTaskCompletedMetadata
	Metering       *historypb.WorkflowTaskCompletedEventAttributes
	Sticky         *taskqueuepb.StickyExecutionAttributes
	// ForceNewTask asks for a new workflow task even if nothing happened (local
	// activities heartbeat the workflow task this way).
	ForceNewTask bool
	// ReturnNewTask asks for the next workflow task, if one is needed, to be
	// started at once and returned in the response.
	ReturnNewTask bool
	// RequestID identifies the completion, used for an inline next task.
	RequestID string
	// Messages are the protocol messages (update acceptances, rejections and
	// responses) sent with the completion.
	Messages []*protocolpb.Message
}

// CompletionResult says what a workflow task completion led to.
type CompletionResult struct {
	// Inline is the next workflow task, already started, when the completion
	// asked for it and one was needed.
	Inline *WorkflowTask
}

// CompleteWorkflowTask applies a workflow task completion. A command the run's
// state does not allow returns a *CommandError; tx and its state are then
// half-applied, so the caller must discard them, start again from a copy of the
// state taken before, and fail the task with the error's cause.
func (tx *Tx) CompleteWorkflowTask(commands []*commandpb.Command, opts CompletionOptions) (CompletionResult, error) {
	s := tx.S
	wt := s.WorkflowTask
	completed := &historypb.WorkflowTaskCompletedEventAttributes{
		ScheduledEventId: wt.ScheduledEventID,
		StartedEventId:   wt.StartedEventID,
		Identity:         opts.Identity,
		BinaryChecksum:   opts.BinaryChecksum,
		SdkMetadata:      opts.SdkMetadata,
	}
	if opts.Metering != nil {
		completed.MeteringMetadata = opts.Metering.MeteringMetadata
		completed.VersioningBehavior = opts.Metering.VersioningBehavior
		completed.DeploymentVersion = opts.Metering.DeploymentVersion
	}
	ev := tx.add(&historypb.HistoryEvent{
		EventType: enumspb.EVENT_TYPE_WORKFLOW_TASK_COMPLETED,
		Attributes: &historypb.HistoryEvent_WorkflowTaskCompletedEventAttributes{
			WorkflowTaskCompletedEventAttributes: completed,
		},
	})
	completedID := ev.EventId
	tx.noteResetPoint(opts.BinaryChecksum, completedID)
	s.LastCompletedStartedID = wt.StartedEventID
	s.WorkflowTask = nil
	if att := opts.Sticky; att != nil && att.GetWorkerTaskQueue().GetName() != "" {
		s.StickyQueue = att.GetWorkerTaskQueue().GetName()
		s.StickyTimeout = att.GetScheduleToStartTimeout().AsDuration()
	} else {
		s.StickyQueue = ""
		s.StickyTimeout = 0
	}
	needed := s.WorkflowTaskNeeded || opts.ForceNewTask
	s.WorkflowTaskNeeded = false
	messages := make(map[string]*protocolpb.Message, len(opts.Messages))
	for _, m := range opts.Messages {
		messages[m.GetId()] = m
	}
	for i, cmd := range commands {
		if !s.Open() {
			return CompletionResult{}, &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
				Message: fmt.Sprintf("command %d (%s) follows a command that closed the workflow", i, cmd.CommandType)}
		}
		if cmd.CommandType == enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE {
			id := cmd.GetProtocolMessageCommandAttributes().GetMessageId()
			m := messages[id]
			if m == nil {
				return CompletionResult{}, &CommandError{Index: i, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE,
					Message: fmt.Sprintf("ProtocolMessage command %d names message %q, which the completion does not carry", i, id)}
			}
			delete(messages, id)
			if err := tx.applyMessage(i, m, completedID); err != nil {
				return CompletionResult{}, err
			}
			continue
		}
		more, err := tx.applyCommand(i, cmd, completedID)
		if err != nil {
			return CompletionResult{}, err
		}
		needed = needed || more
	}
	// Messages no command placed are applied after the commands, in order.
	for _, m := range opts.Messages {
		if _, left := messages[m.GetId()]; left && s.Open() {
			if err := tx.applyMessage(len(commands), m, completedID); err != nil {
				return CompletionResult{}, err
			}
		}
	}
	if !s.Open() {
		if len(s.Buffered) > 0 {
			return CompletionResult{}, &CommandError{Index: len(commands) - 1, Cause: enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND,
				// Exactly Temporal's text: the SDKs (the Rust core above all) match on
				// it to replay the new events instead of treating it as fatal.
				Message: enumspb.WORKFLOW_TASK_FAILED_CAUSE_UNHANDLED_COMMAND.String()}
		}
		return CompletionResult{}, nil
	}
	if len(s.Buffered) > 0 {
		needed = true
		tx.flushBuffered()
	}
	if !needed {
		return CompletionResult{}, nil
	}
	tx.scheduleWorkflowTaskAttempt(1)
	if opts.ReturnNewTask && s.WorkflowTask != nil {
		tx.startWorkflowTask(opts.Identity, opts.RequestID)
		s.WorkflowTask.Inline = true
		return CompletionResult{Inline: s.WorkflowTask}, nil
	}
	return CompletionResult{}, nil
}

// noteResetPoint records the first workflow task a worker binary completed.
func (tx *Tx) noteResetPoint(checksum string, completedID int64) {
	s := tx.S
	for _, p := range s.ResetPoints {
		if p.BinaryChecksum == checksum {
			return
		}
	}
	s.ResetPoints = append(s.ResetPoints, ResetPoint{BinaryChecksum: checksum, CompletedEventID: completedID, CreateTime: tx.Now})
	if n := len(s.ResetPoints); n > maxResetPoints {
		s.ResetPoints = s.ResetPoints[n-maxResetPoints:]
	}
}
