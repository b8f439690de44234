// Package wfdriver drives workflow tasks by hand, for SDK tests against a real
// WorkflowService (Sundial's engine or a Temporal server) before Sundial's own workflow
// SDK exists: a test polls a workflow task, reads its history, and answers with
// commands such as "schedule this activity" or "complete the workflow".
package wfdriver

import (
	"context"
	"fmt"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// Driver polls one workflow task queue and answers its tasks.
type Driver struct {
	Service   workflowservice.WorkflowServiceClient
	Namespace string
	TaskQueue string
}

// Task is a polled workflow task with its full history.
type Task struct {
	Token  []byte
	Events []*historypb.HistoryEvent
}

// Next long-polls until a workflow task arrives or ctx ends.
func (d *Driver) Next(ctx context.Context) (*Task, error) {
	for {
		pollCtx, cancel := context.WithTimeout(ctx, 70*time.Second)
		resp, err := d.Service.PollWorkflowTaskQueue(pollCtx, &workflowservice.PollWorkflowTaskQueueRequest{
			Namespace: d.Namespace,
			TaskQueue: &taskqueuepb.TaskQueue{Name: d.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
			Identity:  "wfdriver",
		})
		cancel()
		if err != nil {
			return nil, fmt.Errorf("polling workflow task: %w", err)
		}
		if len(resp.GetTaskToken()) == 0 {
			if err := ctx.Err(); err != nil {
				return nil, err
			}
			continue
		}
		task := &Task{Token: resp.GetTaskToken(), Events: resp.GetHistory().GetEvents()}
		for token := resp.GetNextPageToken(); len(token) > 0; {
			page, err := d.Service.GetWorkflowExecutionHistory(ctx, &workflowservice.GetWorkflowExecutionHistoryRequest{
				Namespace: d.Namespace, Execution: resp.GetWorkflowExecution(), NextPageToken: token,
			})
			if err != nil {
				return nil, fmt.Errorf("reading history: %w", err)
			}
			task.Events = append(task.Events, page.GetHistory().GetEvents()...)
			token = page.GetNextPageToken()
		}
		return task, nil
	}
}

// Complete answers task with commands.
func (d *Driver) Complete(ctx context.Context, task *Task, commands ...*commandpb.Command) error {
	_, err := d.Service.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		TaskToken: task.Token,
		Commands:  commands,
		Identity:  "wfdriver",
		Namespace: d.Namespace,
	})
	if err != nil {
		return fmt.Errorf("completing workflow task: %w", err)
	}
	return nil
}

// Last returns the task's latest event of type t, nil if none.
func (t *Task) Last(eventType enumspb.EventType) *historypb.HistoryEvent {
	for i := len(t.Events) - 1; i >= 0; i-- {
		if t.Events[i].GetEventType() == eventType {
			return t.Events[i]
		}
	}
	return nil
}

// ActivityOptions shape a ScheduleActivity command.
type ActivityOptions struct {
	ID                  string
	Type                string
	TaskQueue           string
	Input               *commonpb.Payloads
	StartToCloseTimeout time.Duration
	HeartbeatTimeout    time.Duration
	RetryPolicy         *commonpb.RetryPolicy
}

// ScheduleActivity is the command that schedules an activity.
func ScheduleActivity(opts ActivityOptions) *commandpb.Command {
	attrs := &commandpb.ScheduleActivityTaskCommandAttributes{
		ActivityId:          opts.ID,
		ActivityType:        &commonpb.ActivityType{Name: opts.Type},
		TaskQueue:           &taskqueuepb.TaskQueue{Name: opts.TaskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:               opts.Input,
		StartToCloseTimeout: durationpb.New(opts.StartToCloseTimeout),
		RetryPolicy:         opts.RetryPolicy,
	}
	if opts.HeartbeatTimeout > 0 {
		attrs.HeartbeatTimeout = durationpb.New(opts.HeartbeatTimeout)
	}
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
		Attributes:  &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: attrs},
	}
}

// RequestCancelActivity is the command that asks a scheduled activity to cancel.
func RequestCancelActivity(scheduledEventID int64) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_REQUEST_CANCEL_ACTIVITY_TASK,
		Attributes: &commandpb.Command_RequestCancelActivityTaskCommandAttributes{
			RequestCancelActivityTaskCommandAttributes: &commandpb.RequestCancelActivityTaskCommandAttributes{ScheduledEventId: scheduledEventID},
		},
	}
}

// CompleteWorkflow is the command that completes the workflow with result.
func CompleteWorkflow(result *commonpb.Payloads) *commandpb.Command {
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION,
		Attributes: &commandpb.Command_CompleteWorkflowExecutionCommandAttributes{
			CompleteWorkflowExecutionCommandAttributes: &commandpb.CompleteWorkflowExecutionCommandAttributes{Result: result},
		},
	}
}
