package sundial

import (
	"fmt"

	enumspb "go.temporal.io/api/enums/v1"
)

// ChildWorkflowErrorOptions describe the failed child; they mirror
// ChildWorkflowExecutionFailureInfo.
type ChildWorkflowErrorOptions struct {
	Namespace        string
	WorkflowID       string
	RunID            string
	WorkflowType     string
	InitiatedEventID int64
	StartedEventID   int64
	RetryState       enumspb.RetryState
	// Cause is why the child did not complete.
	Cause error
}

// ChildWorkflowError is how a parent workflow sees a child that did not complete.
type ChildWorkflowError struct {
	decodedFrom
	opts ChildWorkflowErrorOptions
}

// NewChildWorkflowError returns a ChildWorkflowError.
func NewChildWorkflowError(opts ChildWorkflowErrorOptions) *ChildWorkflowError {
	return &ChildWorkflowError{opts: opts}
}

// Error describes the child, then the cause.
func (e *ChildWorkflowError) Error() string {
	msg := fmt.Sprintf("%s (type: %s, workflowID: %s, runID: %s, initiatedEventID: %d, startedEventID: %d)",
		e.Message(), e.opts.WorkflowType, e.opts.WorkflowID, e.opts.RunID, e.opts.InitiatedEventID, e.opts.StartedEventID)
	if e.opts.Cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.opts.Cause)
	}
	return msg
}

// Message is always "child workflow execution error"; the detail is in the cause.
func (e *ChildWorkflowError) Message() string { return "child workflow execution error" }

// Namespace is the child's namespace.
func (e *ChildWorkflowError) Namespace() string { return e.opts.Namespace }

// WorkflowID is the child's workflow id.
func (e *ChildWorkflowError) WorkflowID() string { return e.opts.WorkflowID }

// RunID is the child's run id.
func (e *ChildWorkflowError) RunID() string { return e.opts.RunID }

// WorkflowType is the child's workflow type name.
func (e *ChildWorkflowError) WorkflowType() string { return e.opts.WorkflowType }

// InitiatedEventID is the id of the StartChildWorkflowExecutionInitiated event.
func (e *ChildWorkflowError) InitiatedEventID() int64 { return e.opts.InitiatedEventID }

// StartedEventID is the id of the ChildWorkflowExecutionStarted event.
func (e *ChildWorkflowError) StartedEventID() int64 { return e.opts.StartedEventID }

// RetryState says why retries stopped.
func (e *ChildWorkflowError) RetryState() enumspb.RetryState { return e.opts.RetryState }

// Unwrap returns the cause.
func (e *ChildWorkflowError) Unwrap() error { return e.opts.Cause }

// WorkflowExecutionError is what a client gets when a workflow it waits for failed, was
// canceled, terminated or timed out. The cause says which.
type WorkflowExecutionError struct {
	workflowID   string
	runID        string
	workflowType string
	cause        error
}

// NewWorkflowExecutionError returns a WorkflowExecutionError.
func NewWorkflowExecutionError(workflowID, runID, workflowType string, cause error) *WorkflowExecutionError {
	return &WorkflowExecutionError{workflowID: workflowID, runID: runID, workflowType: workflowType, cause: cause}
}

// Error names the workflow, then the cause.
func (e *WorkflowExecutionError) Error() string {
	msg := fmt.Sprintf("workflow execution error (type: %s, workflowID: %s, runID: %s)", e.workflowType, e.workflowID, e.runID)
	if e.cause != nil {
		msg = fmt.Sprintf("%s: %v", msg, e.cause)
	}
	return msg
}

// WorkflowID is the workflow's id.
func (e *WorkflowExecutionError) WorkflowID() string { return e.workflowID }

// RunID is the id of the run that closed.
func (e *WorkflowExecutionError) RunID() string { return e.runID }

// WorkflowType is the workflow's type name, when known.
func (e *WorkflowExecutionError) WorkflowType() string { return e.workflowType }

// Unwrap returns the cause.
func (e *WorkflowExecutionError) Unwrap() error { return e.cause }
