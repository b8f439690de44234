package client

import (
	"errors"

	schedulepb "go.temporal.io/api/schedule/v1"
	workflowpb "go.temporal.io/api/workflow/v1"
)

// ScheduleAction is what a schedule does at each action time. Make one with
// StartWorkflowAction or ScheduleWorkflowAction.
type ScheduleAction interface {
	// scheduleAction encodes the action of the schedule with the given id.
	scheduleAction(c *Client, scheduleID string) (*schedulepb.ScheduleAction, error)
}

// ScheduleWorkflowAction starts a workflow of type WorkflowType with Args.
// Of Options, the schedule uses ID (the schedule id when empty; the server
// appends the action time unless the schedule keeps original ids), TaskQueue
// (required), the three timeouts, RetryPolicy, Memo, SearchAttributes and
// Priority.
type ScheduleWorkflowAction struct {
	WorkflowType string
	Args         []any
	Options      StartWorkflowOptions
}

// StartWorkflowAction returns the action of starting the declared workflow wf
// with input in; the compiler checks in against wf's input type:
//
//	action := client.StartWorkflowAction(ReportWorkflow, ReportRequest{Kind: "daily"},
//		client.StartWorkflowOptions{TaskQueue: "reports"})
func StartWorkflowAction[In, Out any](wf WorkflowFunc[In, Out], in In, opts StartWorkflowOptions) ScheduleWorkflowAction {
	return ScheduleWorkflowAction{WorkflowType: wf.Name(), Args: []any{in}, Options: opts}
}

func (a ScheduleWorkflowAction) scheduleAction(c *Client, scheduleID string) (*schedulepb.ScheduleAction, error) {
	opts := a.Options
	if opts.ID == "" {
		opts.ID = scheduleID
	}
	if opts.StartSignal != "" || opts.CronSchedule != "" || opts.StartDelay != 0 {
		return nil, errors.New("a scheduled workflow cannot have a start signal, a cron schedule or a start delay")
	}
	req, err := c.startRequest(opts, a.WorkflowType, a.Args)
	if err != nil {
		return nil, err
	}
	return &schedulepb.ScheduleAction{Action: &schedulepb.ScheduleAction_StartWorkflow{StartWorkflow: &workflowpb.NewWorkflowExecutionInfo{
		WorkflowId:               req.GetWorkflowId(),
		WorkflowType:             req.GetWorkflowType(),
		TaskQueue:                req.GetTaskQueue(),
		Input:                    req.GetInput(),
		WorkflowExecutionTimeout: req.GetWorkflowExecutionTimeout(),
		WorkflowRunTimeout:       req.GetWorkflowRunTimeout(),
		WorkflowTaskTimeout:      req.GetWorkflowTaskTimeout(),
		WorkflowIdReusePolicy:    req.GetWorkflowIdReusePolicy(),
		RetryPolicy:              req.GetRetryPolicy(),
		Memo:                     req.GetMemo(),
		SearchAttributes:         req.GetSearchAttributes(),
		Priority:                 req.GetPriority(),
	}}}, nil
}
