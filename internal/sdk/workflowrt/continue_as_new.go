package workflowrt

import (
	"fmt"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// NewContinueAsNewError encodes args for a new run of workflowType (empty: the current
// type) with the current run's options.
func NewContinueAsNewError(ctx Context, workflowType string, args ...any) *ContinueAsNewError {
	env := envFrom(ctx)
	input, err := env.dataConverter.ToPayloads(args...)
	if err != nil {
		panic(fmt.Sprintf("encoding continue-as-new arguments: %v", err))
	}
	return &ContinueAsNewError{WorkflowType: workflowType, Input: input}
}

func (e *runEnv) continueAsNewCommand(c *ContinueAsNewError) *commandpb.Command {
	workflowType := orDefault(c.WorkflowType, e.info.WorkflowType)
	taskQueue := orDefault(c.TaskQueue, e.info.TaskQueue)
	runTimeout, taskTimeout := c.WorkflowRunTimeout, c.WorkflowTaskTimeout
	if runTimeout == 0 {
		runTimeout = e.info.WorkflowRunTimeout
	}
	if taskTimeout == 0 {
		taskTimeout = e.info.WorkflowTaskTimeout
	}
	retry := c.RetryPolicy
	if retry == nil {
		retry = e.info.RetryPolicy
	}
	attrs := &commandpb.ContinueAsNewWorkflowExecutionCommandAttributes{
		WorkflowType:        &commonpb.WorkflowType{Name: workflowType},
		TaskQueue:           &taskqueuepb.TaskQueue{Name: taskQueue, Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:               c.Input,
		WorkflowRunTimeout:  durationpb.New(runTimeout),
		WorkflowTaskTimeout: durationpb.New(taskTimeout),
		RetryPolicy:         retry.ToProto(),
		Memo:                e.info.Memo,
		SearchAttributes:    e.info.SearchAttributes,
	}
	if c.BackoffStartInterval > 0 {
		attrs.BackoffStartInterval = durationpb.New(c.BackoffStartInterval)
	}
	return &commandpb.Command{
		CommandType: enumspb.COMMAND_TYPE_CONTINUE_AS_NEW_WORKFLOW_EXECUTION,
		Attributes:  &commandpb.Command_ContinueAsNewWorkflowExecutionCommandAttributes{ContinueAsNewWorkflowExecutionCommandAttributes: attrs},
	}
}

const (
	commandTypeComplete = enumspb.COMMAND_TYPE_COMPLETE_WORKFLOW_EXECUTION
	commandTypeFail     = enumspb.COMMAND_TYPE_FAIL_WORKFLOW_EXECUTION
	commandTypeCancel   = enumspb.COMMAND_TYPE_CANCEL_WORKFLOW_EXECUTION
)
