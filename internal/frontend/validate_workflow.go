// Validation of the client-facing workflow requests: start, signal, query, update,
// cancel, terminate, describe, history and visibility.

package frontend

import (
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

func validateStartWorkflowExecution(req *workflowservice.StartWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.required("WorkflowId", req.GetWorkflowId()),
		c.required("WorkflowType", req.GetWorkflowType().GetName()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.workflowTimeouts(req.GetWorkflowExecutionTimeout(), req.GetWorkflowRunTimeout(), req.GetWorkflowTaskTimeout()),
		c.startDelay(req.GetCronSchedule(), req.GetWorkflowStartDelay()),
		c.retryPolicy(req.GetRetryPolicy()),
		c.priority("Priority", req.GetPriority()),
		idPolicies(req.GetWorkflowIdReusePolicy(), req.GetWorkflowIdConflictPolicy()),
		c.blob("Input", req.GetInput()),
		c.blob("Memo", req.GetMemo()),
		c.blob("SearchAttributes", req.GetSearchAttributes()),
		c.blob("Header", req.GetHeader()),
		c.blob("ContinuedFailure", req.GetContinuedFailure()),
		c.blob("LastCompletionResult", req.GetLastCompletionResult()),
		c.completionCallbacks(req.GetCompletionCallbacks(), req.GetLinks()),
	)
}

func validateSignalWithStartWorkflowExecution(req *workflowservice.SignalWithStartWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	err := firstError(
		c.namespace(req.GetNamespace()),
		c.required("WorkflowId", req.GetWorkflowId()),
		c.required("SignalName", req.GetSignalName()),
		c.required("WorkflowType", req.GetWorkflowType().GetName()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.workflowTimeouts(req.GetWorkflowExecutionTimeout(), req.GetWorkflowRunTimeout(), req.GetWorkflowTaskTimeout()),
		c.startDelay(req.GetCronSchedule(), req.GetWorkflowStartDelay()),
		c.retryPolicy(req.GetRetryPolicy()),
		c.priority("Priority", req.GetPriority()),
		idPolicies(req.GetWorkflowIdReusePolicy(), req.GetWorkflowIdConflictPolicy()),
		c.blob("Input", req.GetInput()),
		c.blob("SignalInput", req.GetSignalInput()),
		c.blob("Memo", req.GetMemo()),
		c.blob("SearchAttributes", req.GetSearchAttributes()),
		c.blob("Header", req.GetHeader()),
	)
	if err != nil {
		return err
	}
	// Signal-with-start exists to reach a running workflow, so "fail if running" makes
	// no sense for it.
	if req.GetWorkflowIdConflictPolicy() == enumspb.WORKFLOW_ID_CONFLICT_POLICY_FAIL {
		return invalid("Invalid WorkflowIdConflictPolicy: %v is not supported for this operation.", enumName(req.GetWorkflowIdConflictPolicy()))
	}
	return nil
}

func validateGetWorkflowExecutionHistory(req *workflowservice.GetWorkflowExecutionHistoryRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("Execution", req.GetExecution()),
		c.pageSize("MaximumPageSize", req.GetMaximumPageSize()),
		knownEnum("HistoryEventFilterType", req.GetHistoryEventFilterType()),
	)
}

func validateDescribeWorkflowExecution(req *workflowservice.DescribeWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("Execution", req.GetExecution()),
	)
}

func validateRequestCancelWorkflowExecution(req *workflowservice.RequestCancelWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("WorkflowExecution", req.GetWorkflowExecution()),
		c.runID("FirstExecutionRunId", req.GetFirstExecutionRunId()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
	)
}

func validateTerminateWorkflowExecution(req *workflowservice.TerminateWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("WorkflowExecution", req.GetWorkflowExecution()),
		c.runID("FirstExecutionRunId", req.GetFirstExecutionRunId()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Details", req.GetDetails()),
	)
}

func validateSignalWorkflowExecution(req *workflowservice.SignalWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("WorkflowExecution", req.GetWorkflowExecution()),
		c.required("SignalName", req.GetSignalName()),
		c.optional("RequestId", req.GetRequestId()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Input", req.GetInput()),
		c.blob("Header", req.GetHeader()),
	)
}

func validateQueryWorkflow(req *workflowservice.QueryWorkflowRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		c.execution("Execution", req.GetExecution()),
	); err != nil {
		return err
	}
	if req.GetQuery() == nil {
		return c.notSet("Query")
	}
	return firstError(
		c.required("QueryType", req.GetQuery().GetQueryType()),
		c.blob("QueryArgs", req.GetQuery().GetQueryArgs()),
		c.blob("Header", req.GetQuery().GetHeader()),
		knownEnum("QueryRejectCondition", req.GetQueryRejectCondition()),
	)
}

func validateResetStickyTaskQueue(req *workflowservice.ResetStickyTaskQueueRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("Execution", req.GetExecution()),
	)
}

func validateListWorkflowExecutions(req *workflowservice.ListWorkflowExecutionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.pageSize("PageSize", req.GetPageSize()),
	)
}

func validateCountWorkflowExecutions(req *workflowservice.CountWorkflowExecutionsRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return c.namespace(req.GetNamespace())
}

func validateUpdateWorkflowExecution(req *workflowservice.UpdateWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		c.execution("WorkflowExecution", req.GetWorkflowExecution()),
		c.runID("FirstExecutionRunId", req.GetFirstExecutionRunId()),
		knownEnum("WaitPolicy.LifecycleStage", req.GetWaitPolicy().GetLifecycleStage()),
	); err != nil {
		return err
	}
	u := req.GetRequest()
	switch {
	case u == nil:
		return c.notSet("Request")
	case u.GetMeta() == nil:
		return c.notSet("Request.Meta")
	case u.GetInput() == nil:
		return c.notSet("Request.Input")
	}
	return firstError(
		c.optional("UpdateId", u.GetMeta().GetUpdateId()),
		c.optional("Identity", u.GetMeta().GetIdentity()),
		c.required("Request.Input.Name", u.GetInput().GetName()),
		c.blob("Request.Input.Args", u.GetInput().GetArgs()),
		c.blob("Request.Input.Header", u.GetInput().GetHeader()),
	)
}

func validatePollWorkflowExecutionUpdate(req *workflowservice.PollWorkflowExecutionUpdateRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := c.namespace(req.GetNamespace()); err != nil {
		return err
	}
	ref := req.GetUpdateRef()
	if ref == nil {
		return c.notSet("UpdateRef")
	}
	return firstError(
		c.execution("UpdateRef.WorkflowExecution", ref.GetWorkflowExecution()),
		c.required("UpdateRef.UpdateId", ref.GetUpdateId()),
		c.optional("Identity", req.GetIdentity()),
		knownEnum("WaitPolicy.LifecycleStage", req.GetWaitPolicy().GetLifecycleStage()),
	)
}

// workflowTimeouts checks the three timeouts a new workflow run may carry.
func (c checker) workflowTimeouts(execution, run, task *durationpb.Duration) error {
	return firstError(
		c.duration("WorkflowExecutionTimeout", execution),
		c.duration("WorkflowRunTimeout", run),
		c.duration("WorkflowTaskTimeout", task),
	)
}

// startDelay checks a start delay, which a cron workflow may not have.
func (c checker) startDelay(cron string, delay *durationpb.Duration) error {
	if cron != "" && delay != nil {
		return invalid("CronSchedule and WorkflowStartDelay may not be used together.")
	}
	return c.duration("WorkflowStartDelay", delay)
}

// idPolicies checks the workflow-id reuse and conflict policies, alone and together.
func idPolicies(reuse enumspb.WorkflowIdReusePolicy, conflict enumspb.WorkflowIdConflictPolicy) error {
	if err := firstError(
		knownEnum("WorkflowIdReusePolicy", reuse),
		knownEnum("WorkflowIdConflictPolicy", conflict),
	); err != nil {
		return err
	}
	if reuse == enumspb.WORKFLOW_ID_REUSE_POLICY_TERMINATE_IF_RUNNING && conflict != enumspb.WORKFLOW_ID_CONFLICT_POLICY_UNSPECIFIED {
		return invalid("Invalid WorkflowIdReusePolicy: %v cannot be used together with a WorkflowIdConflictPolicy.", enumName(reuse))
	}
	if reuse == enumspb.WORKFLOW_ID_REUSE_POLICY_REJECT_DUPLICATE && conflict == enumspb.WORKFLOW_ID_CONFLICT_POLICY_TERMINATE_EXISTING {
		return invalid("Invalid WorkflowIdReusePolicy: %v cannot be used together with WorkflowIdConflictPolicy %v.", enumName(reuse), enumName(conflict))
	}
	return nil
}
