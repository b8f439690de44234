// Package frontend serves Temporal's WorkflowService over gRPC. Each handler
// validates its request, then hands it to the engine; no business logic lives
// here.
package frontend

import (
	"context"
	"errors"

	"go.temporal.io/api/workflowservice/v1"

	"github.com/sundialdev/sundial/internal/engine"
)

// Handler implements workflowservice.WorkflowServiceServer. Methods Sundial does
// not implement yet answer Unimplemented.
type Handler struct {
	workflowservice.UnimplementedWorkflowServiceServer
	engine    *engine.Engine
	limits    Limits
	version   string
	clusterID string
	cluster   ClusterInfo
}

// NewHandler returns a handler serving e.
func NewHandler(e *engine.Engine, limits Limits, version string) *Handler {
	return &Handler{engine: e, limits: limits, version: version, clusterID: e.ClusterID()}
}

// serve validates req with validate, then calls do.
func serve[Req, Resp any](ctx context.Context, h *Handler, req Req, validate func(Req, Limits) error, do func(context.Context, Req) (Resp, error)) (Resp, error) {
	var zero Resp
	if err := validate(req, h.limits); err != nil {
		return zero, err
	}
	if err := h.checkNamespaceState(ctx, req); err != nil {
		return zero, err
	}
	return do(ctx, req)
}

func (h *Handler) DeprecateNamespace(ctx context.Context, req *workflowservice.DeprecateNamespaceRequest) (*workflowservice.DeprecateNamespaceResponse, error) {
	return serve(ctx, h, req, validateDeprecateNamespace, h.engine.DeprecateNamespace)
}

func (h *Handler) RegisterNamespace(ctx context.Context, req *workflowservice.RegisterNamespaceRequest) (*workflowservice.RegisterNamespaceResponse, error) {
	return serve(ctx, h, req, validateRegisterNamespace, h.engine.RegisterNamespace)
}

func (h *Handler) DescribeNamespace(ctx context.Context, req *workflowservice.DescribeNamespaceRequest) (*workflowservice.DescribeNamespaceResponse, error) {
	return serve(ctx, h, req, validateDescribeNamespace, h.engine.DescribeNamespace)
}

func (h *Handler) ListNamespaces(ctx context.Context, req *workflowservice.ListNamespacesRequest) (*workflowservice.ListNamespacesResponse, error) {
	return serve(ctx, h, req, validateListNamespaces, h.engine.ListNamespaces)
}

func (h *Handler) UpdateNamespace(ctx context.Context, req *workflowservice.UpdateNamespaceRequest) (*workflowservice.UpdateNamespaceResponse, error) {
	return serve(ctx, h, req, validateUpdateNamespace, h.engine.UpdateNamespace)
}

func (h *Handler) StartWorkflowExecution(ctx context.Context, req *workflowservice.StartWorkflowExecutionRequest) (*workflowservice.StartWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateStartWorkflowExecution, h.engine.StartWorkflowExecution)
}

func (h *Handler) SignalWithStartWorkflowExecution(ctx context.Context, req *workflowservice.SignalWithStartWorkflowExecutionRequest) (*workflowservice.SignalWithStartWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateSignalWithStartWorkflowExecution, h.engine.SignalWithStartWorkflowExecution)
}

func (h *Handler) PollWorkflowTaskQueue(ctx context.Context, req *workflowservice.PollWorkflowTaskQueueRequest) (*workflowservice.PollWorkflowTaskQueueResponse, error) {
	return serve(ctx, h, req, validatePollWorkflowTaskQueue, h.engine.PollWorkflowTaskQueue)
}

// RespondWorkflowTaskCompleted fails the workflow task, rather than only
// refusing the request, when a command is malformed: the worker then gets a
// fresh task instead of waiting for a timeout.
func (h *Handler) RespondWorkflowTaskCompleted(ctx context.Context, req *workflowservice.RespondWorkflowTaskCompletedRequest) (*workflowservice.RespondWorkflowTaskCompletedResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	// The token's namespace is checked before the commands, so that a request in
	// the wrong namespace cannot fail another namespace's workflow task.
	if err := h.checkTokenNamespace(ctx, req); err != nil {
		return nil, err
	}
	if err := h.checkNamespaceState(ctx, req); err != nil {
		return nil, err
	}
	err := validateRespondWorkflowTaskCompleted(req, h.limits)
	var cmdErr *CommandError
	if errors.As(err, &cmdErr) {
		return nil, h.engine.RejectWorkflowTaskCompletion(ctx, req, cmdErr.Cause, cmdErr.Error())
	}
	if err != nil {
		return nil, err
	}
	return h.engine.RespondWorkflowTaskCompleted(ctx, req)
}

func (h *Handler) RespondWorkflowTaskFailed(ctx context.Context, req *workflowservice.RespondWorkflowTaskFailedRequest) (*workflowservice.RespondWorkflowTaskFailedResponse, error) {
	return serveWithToken(ctx, h, req, validateRespondWorkflowTaskFailed, h.engine.RespondWorkflowTaskFailed)
}

func (h *Handler) PollActivityTaskQueue(ctx context.Context, req *workflowservice.PollActivityTaskQueueRequest) (*workflowservice.PollActivityTaskQueueResponse, error) {
	return serve(ctx, h, req, validatePollActivityTaskQueue, h.engine.PollActivityTaskQueue)
}

func (h *Handler) RecordActivityTaskHeartbeat(ctx context.Context, req *workflowservice.RecordActivityTaskHeartbeatRequest) (*workflowservice.RecordActivityTaskHeartbeatResponse, error) {
	return serveWithToken(ctx, h, req, validateRecordActivityTaskHeartbeat, h.engine.RecordActivityTaskHeartbeat)
}

func (h *Handler) RecordActivityTaskHeartbeatById(ctx context.Context, req *workflowservice.RecordActivityTaskHeartbeatByIdRequest) (*workflowservice.RecordActivityTaskHeartbeatByIdResponse, error) {
	return serve(ctx, h, req, validateRecordActivityTaskHeartbeatById, h.engine.RecordActivityTaskHeartbeatById)
}

func (h *Handler) RespondActivityTaskCompleted(ctx context.Context, req *workflowservice.RespondActivityTaskCompletedRequest) (*workflowservice.RespondActivityTaskCompletedResponse, error) {
	return serveWithToken(ctx, h, req, validateRespondActivityTaskCompleted, h.engine.RespondActivityTaskCompleted)
}

func (h *Handler) RespondActivityTaskCompletedById(ctx context.Context, req *workflowservice.RespondActivityTaskCompletedByIdRequest) (*workflowservice.RespondActivityTaskCompletedByIdResponse, error) {
	return serve(ctx, h, req, validateRespondActivityTaskCompletedById, h.engine.RespondActivityTaskCompletedById)
}

func (h *Handler) RespondActivityTaskFailed(ctx context.Context, req *workflowservice.RespondActivityTaskFailedRequest) (*workflowservice.RespondActivityTaskFailedResponse, error) {
	return serveWithToken(ctx, h, req, validateRespondActivityTaskFailed, h.engine.RespondActivityTaskFailed)
}

func (h *Handler) RespondActivityTaskFailedById(ctx context.Context, req *workflowservice.RespondActivityTaskFailedByIdRequest) (*workflowservice.RespondActivityTaskFailedByIdResponse, error) {
	return serve(ctx, h, req, validateRespondActivityTaskFailedById, h.engine.RespondActivityTaskFailedById)
}

func (h *Handler) RespondActivityTaskCanceled(ctx context.Context, req *workflowservice.RespondActivityTaskCanceledRequest) (*workflowservice.RespondActivityTaskCanceledResponse, error) {
	return serveWithToken(ctx, h, req, validateRespondActivityTaskCanceled, h.engine.RespondActivityTaskCanceled)
}

func (h *Handler) RespondActivityTaskCanceledById(ctx context.Context, req *workflowservice.RespondActivityTaskCanceledByIdRequest) (*workflowservice.RespondActivityTaskCanceledByIdResponse, error) {
	return serve(ctx, h, req, validateRespondActivityTaskCanceledById, h.engine.RespondActivityTaskCanceledById)
}

func (h *Handler) GetWorkflowExecutionHistory(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryRequest) (*workflowservice.GetWorkflowExecutionHistoryResponse, error) {
	return serve(ctx, h, req, validateGetWorkflowExecutionHistory, h.engine.GetWorkflowExecutionHistory)
}

func (h *Handler) DescribeWorkflowExecution(ctx context.Context, req *workflowservice.DescribeWorkflowExecutionRequest) (*workflowservice.DescribeWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateDescribeWorkflowExecution, h.engine.DescribeWorkflowExecution)
}

func (h *Handler) RequestCancelWorkflowExecution(ctx context.Context, req *workflowservice.RequestCancelWorkflowExecutionRequest) (*workflowservice.RequestCancelWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateRequestCancelWorkflowExecution, h.engine.RequestCancelWorkflowExecution)
}

func (h *Handler) TerminateWorkflowExecution(ctx context.Context, req *workflowservice.TerminateWorkflowExecutionRequest) (*workflowservice.TerminateWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateTerminateWorkflowExecution, h.engine.TerminateWorkflowExecution)
}

func (h *Handler) SignalWorkflowExecution(ctx context.Context, req *workflowservice.SignalWorkflowExecutionRequest) (*workflowservice.SignalWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateSignalWorkflowExecution, h.engine.SignalWorkflowExecution)
}

func (h *Handler) QueryWorkflow(ctx context.Context, req *workflowservice.QueryWorkflowRequest) (*workflowservice.QueryWorkflowResponse, error) {
	return serve(ctx, h, req, validateQueryWorkflow, h.engine.QueryWorkflow)
}

func (h *Handler) RespondQueryTaskCompleted(ctx context.Context, req *workflowservice.RespondQueryTaskCompletedRequest) (*workflowservice.RespondQueryTaskCompletedResponse, error) {
	return serveWithToken(ctx, h, req, validateRespondQueryTaskCompleted, h.engine.RespondQueryTaskCompleted)
}

func (h *Handler) ResetStickyTaskQueue(ctx context.Context, req *workflowservice.ResetStickyTaskQueueRequest) (*workflowservice.ResetStickyTaskQueueResponse, error) {
	return serve(ctx, h, req, validateResetStickyTaskQueue, h.engine.ResetStickyTaskQueue)
}

func (h *Handler) ShutdownWorker(ctx context.Context, req *workflowservice.ShutdownWorkerRequest) (*workflowservice.ShutdownWorkerResponse, error) {
	return serve(ctx, h, req, validateShutdownWorker, h.engine.ShutdownWorker)
}

func (h *Handler) DescribeTaskQueue(ctx context.Context, req *workflowservice.DescribeTaskQueueRequest) (*workflowservice.DescribeTaskQueueResponse, error) {
	return serve(ctx, h, req, validateDescribeTaskQueue, h.engine.DescribeTaskQueue)
}

func (h *Handler) UpdateWorkflowExecution(ctx context.Context, req *workflowservice.UpdateWorkflowExecutionRequest) (*workflowservice.UpdateWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateUpdateWorkflowExecution, h.engine.UpdateWorkflowExecution)
}

func (h *Handler) PollWorkflowExecutionUpdate(ctx context.Context, req *workflowservice.PollWorkflowExecutionUpdateRequest) (*workflowservice.PollWorkflowExecutionUpdateResponse, error) {
	return serve(ctx, h, req, validatePollWorkflowExecutionUpdate, h.engine.PollWorkflowExecutionUpdate)
}

func (h *Handler) GetWorkflowExecutionHistoryReverse(ctx context.Context, req *workflowservice.GetWorkflowExecutionHistoryReverseRequest) (*workflowservice.GetWorkflowExecutionHistoryReverseResponse, error) {
	return serve(ctx, h, req, validateGetWorkflowExecutionHistoryReverse, h.engine.GetWorkflowExecutionHistoryReverse)
}

// validateGetWorkflowExecutionHistoryReverse checks what the reverse history
// read needs: a namespace, an execution and a sane page size.
func validateGetWorkflowExecutionHistoryReverse(req *workflowservice.GetWorkflowExecutionHistoryReverseRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("Execution", req.GetExecution()),
		c.pageSize("MaximumPageSize", req.GetMaximumPageSize()),
	)
}

func (h *Handler) DeleteWorkflowExecution(ctx context.Context, req *workflowservice.DeleteWorkflowExecutionRequest) (*workflowservice.DeleteWorkflowExecutionResponse, error) {
	return serve(ctx, h, req, validateDeleteWorkflowExecution, h.engine.DeleteWorkflowExecution)
}

func validateDeleteWorkflowExecution(req *workflowservice.DeleteWorkflowExecutionRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.execution("WorkflowExecution", req.GetWorkflowExecution()),
	)
}
