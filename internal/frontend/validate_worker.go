// Validation of the worker-facing requests: polls, task completions, heartbeats,
// query answers, shutdown and task queue description.

package frontend

import (
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"go.temporal.io/api/workflowservice/v1"
)

func validatePollWorkflowTaskQueue(req *workflowservice.PollWorkflowTaskQueueRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		c.optional("Identity", req.GetIdentity()),
		workerDeploymentOptions(lim, req.GetDeploymentOptions()),
	)
}

func validateRespondWorkflowTaskFailed(req *workflowservice.RespondWorkflowTaskFailedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
		knownEnum("Cause", req.GetCause()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Failure", req.GetFailure()),
	)
}

func validatePollActivityTaskQueue(req *workflowservice.PollActivityTaskQueueRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		c.optional("Identity", req.GetIdentity()), c.taskQueueMetadata("TaskQueueMetadata", req.GetTaskQueueMetadata()),
		workerDeploymentOptions(lim, req.GetDeploymentOptions()),
	)
}

func validateRespondActivityTaskCompleted(req *workflowservice.RespondActivityTaskCompletedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Result", req.GetResult()),
	)
}

func validateRespondActivityTaskCompletedById(req *workflowservice.RespondActivityTaskCompletedByIdRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityByID(req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), req.GetActivityId()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Result", req.GetResult()),
	)
}

func validateRespondActivityTaskFailed(req *workflowservice.RespondActivityTaskFailedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Failure", req.GetFailure()),
		c.nextRetryDelay(req.GetFailure()),
		c.blob("LastHeartbeatDetails", req.GetLastHeartbeatDetails()),
	)
}

func validateRespondActivityTaskFailedById(req *workflowservice.RespondActivityTaskFailedByIdRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityByID(req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), req.GetActivityId()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Failure", req.GetFailure()),
		c.nextRetryDelay(req.GetFailure()),
		c.blob("LastHeartbeatDetails", req.GetLastHeartbeatDetails()),
	)
}

func validateRespondActivityTaskCanceled(req *workflowservice.RespondActivityTaskCanceledRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Details", req.GetDetails()),
	)
}

func validateRespondActivityTaskCanceledById(req *workflowservice.RespondActivityTaskCanceledByIdRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityByID(req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), req.GetActivityId()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Details", req.GetDetails()),
	)
}

func validateRecordActivityTaskHeartbeat(req *workflowservice.RecordActivityTaskHeartbeatRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Details", req.GetDetails()),
	)
}

func validateRecordActivityTaskHeartbeatById(req *workflowservice.RecordActivityTaskHeartbeatByIdRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.activityByID(req.GetNamespace(), req.GetWorkflowId(), req.GetRunId(), req.GetActivityId()),
		c.optional("Identity", req.GetIdentity()),
		c.blob("Details", req.GetDetails()),
	)
}

func validateRespondQueryTaskCompleted(req *workflowservice.RespondQueryTaskCompletedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
	); err != nil {
		return err
	}
	switch req.GetCompletedType() {
	case enumspb.QUERY_RESULT_TYPE_ANSWERED, enumspb.QUERY_RESULT_TYPE_FAILED:
	default:
		return invalid("CompletedType must be QUERY_RESULT_TYPE_ANSWERED or QUERY_RESULT_TYPE_FAILED, got %s.", enumName(req.GetCompletedType()))
	}
	return firstError(
		knownEnum("Cause", req.GetCause()),
		c.blob("QueryResult", req.GetQueryResult()),
		c.blob("Failure", req.GetFailure()),
	)
}

func validateShutdownWorker(req *workflowservice.ShutdownWorkerRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		c.optional("Identity", req.GetIdentity()),
		c.optionalTaskQueueName("StickyTaskQueue", req.GetStickyTaskQueue()),
		c.optionalTaskQueueName("TaskQueue", req.GetTaskQueue()),
	); err != nil {
		return err
	}
	for _, typ := range req.GetTaskQueueTypes() {
		if err := knownEnum("TaskQueueTypes", typ); err != nil {
			return err
		}
	}
	return nil
}

func validateDescribeTaskQueue(req *workflowservice.DescribeTaskQueueRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.namespace(req.GetNamespace()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		knownEnum("TaskQueueType", req.GetTaskQueueType()),
		knownEnum("ApiMode", req.GetApiMode()),
	); err != nil {
		return err
	}
	for _, typ := range req.GetTaskQueueTypes() {
		if err := knownEnum("TaskQueueTypes", typ); err != nil {
			return err
		}
	}
	return nil
}

// activityByID checks how the ...ById requests name an activity: by namespace,
// workflow id, optional run id and activity id. An empty workflow id names a
// standalone activity, as in Temporal.
func (c checker) activityByID(namespace, workflowID, runID, activityID string) error {
	return firstError(
		c.namespace(namespace),
		c.optional("WorkflowId", workflowID),
		c.runID("RunId", runID),
		c.required("ActivityId", activityID),
	)
}

// optionalTaskQueueName checks a task queue given as a bare name that may be empty.
func (c checker) optionalTaskQueueName(field, name string) error {
	if name == "" {
		return nil
	}
	return c.taskQueueName(field, name)
}

// nextRetryDelay checks the delay an activity failure asks for before its next
// attempt, and caps it like every other duration. Zero or absent means "use the
// retry policy".
func (c checker) nextRetryDelay(f *failurepb.Failure) error {
	return c.duration("Failure.ApplicationFailureInfo.NextRetryDelay", f.GetApplicationFailureInfo().GetNextRetryDelay())
}
