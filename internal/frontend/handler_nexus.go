package frontend

import (
	"context"

	commonpb "go.temporal.io/api/common/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// Nexus: the operator's endpoint registry and the worker's side of Nexus
// tasks. The engine (nexus_*.go) does the work; these check what they read.

func (h *OperatorHandler) CreateNexusEndpoint(ctx context.Context, req *operatorservice.CreateNexusEndpointRequest) (*operatorservice.CreateNexusEndpointResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return h.engine.CreateNexusEndpoint(ctx, req, h.limits.MaxIDLength)
}

func (h *OperatorHandler) UpdateNexusEndpoint(ctx context.Context, req *operatorservice.UpdateNexusEndpointRequest) (*operatorservice.UpdateNexusEndpointResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return h.engine.UpdateNexusEndpoint(ctx, req, h.limits.MaxIDLength)
}

func (h *OperatorHandler) DeleteNexusEndpoint(ctx context.Context, req *operatorservice.DeleteNexusEndpointRequest) (*operatorservice.DeleteNexusEndpointResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return h.engine.DeleteNexusEndpoint(ctx, req)
}

func (h *OperatorHandler) GetNexusEndpoint(ctx context.Context, req *operatorservice.GetNexusEndpointRequest) (*operatorservice.GetNexusEndpointResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	return h.engine.GetNexusEndpoint(ctx, req)
}

func (h *OperatorHandler) ListNexusEndpoints(ctx context.Context, req *operatorservice.ListNexusEndpointsRequest) (*operatorservice.ListNexusEndpointsResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	if len(req.GetNextPageToken()) > h.limits.MaxIDLength {
		return nil, invalid("NextPageToken is not a token this server issued.")
	}
	return h.engine.ListNexusEndpoints(ctx, req)
}

func (h *Handler) PollNexusTaskQueue(ctx context.Context, req *workflowservice.PollNexusTaskQueueRequest) (*workflowservice.PollNexusTaskQueueResponse, error) {
	return serve(ctx, h, req, validatePollNexusTaskQueue, h.engine.PollNexusTaskQueue)
}

func (h *Handler) RespondNexusTaskCompleted(ctx context.Context, req *workflowservice.RespondNexusTaskCompletedRequest) (*workflowservice.RespondNexusTaskCompletedResponse, error) {
	return serve(ctx, h, req, validateRespondNexusTaskCompleted, h.engine.RespondNexusTaskCompleted)
}

func (h *Handler) RespondNexusTaskFailed(ctx context.Context, req *workflowservice.RespondNexusTaskFailedRequest) (*workflowservice.RespondNexusTaskFailedResponse, error) {
	return serve(ctx, h, req, validateRespondNexusTaskFailed, h.engine.RespondNexusTaskFailed)
}

func validatePollNexusTaskQueue(req *workflowservice.PollNexusTaskQueueRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	return firstError(
		c.namespace(req.GetNamespace()),
		c.taskQueue("TaskQueue", req.GetTaskQueue()),
		c.optional("Identity", req.GetIdentity()),
	)
}

func validateRespondNexusTaskCompleted(req *workflowservice.RespondNexusTaskCompletedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.optional("Identity", req.GetIdentity()), nexusTaskToken(req.GetTaskToken())); err != nil {
		return err
	}
	switch v := req.GetResponse().GetVariant().(type) {
	case *nexuspb.Response_StartOperation:
		switch r := v.StartOperation.GetVariant().(type) {
		case *nexuspb.StartOperationResponse_SyncSuccess:
			return c.blob("Response.StartOperation.SyncSuccess.Payload", r.SyncSuccess)
		case *nexuspb.StartOperationResponse_AsyncSuccess:
			token := r.AsyncSuccess.GetOperationToken()
			if token == "" {
				token = r.AsyncSuccess.GetOperationId()
			}
			if token == "" {
				return invalid("Response.StartOperation.AsyncSuccess.OperationToken is not set.")
			}
			if len(token) > maxNexusOperationTokenLength {
				return invalid("Response.StartOperation.AsyncSuccess.OperationToken exceeds length limit of %d.", maxNexusOperationTokenLength)
			}
			return c.blob("Response.StartOperation.AsyncSuccess", r.AsyncSuccess)
		case *nexuspb.StartOperationResponse_OperationError:
			return c.blob("Response.StartOperation.OperationError", r.OperationError)
		case *nexuspb.StartOperationResponse_Failure:
			return c.blob("Response.StartOperation.Failure", r.Failure)
		default:
			return invalid("Response.StartOperation is not set.")
		}
	case *nexuspb.Response_CancelOperation:
		return nil
	default:
		return invalid("Response is not set.")
	}
}

func validateRespondNexusTaskFailed(req *workflowservice.RespondNexusTaskFailedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(c.namespace(req.GetNamespace()), c.optional("Identity", req.GetIdentity()), nexusTaskToken(req.GetTaskToken())); err != nil {
		return err
	}
	if req.GetError() == nil && req.GetFailure() == nil {
		return invalid("Error or Failure must be set on request.")
	}
	return firstError(c.blob("Error", req.GetError()), c.blob("Failure", req.GetFailure()))
}

// maxNexusOperationTokenLength is Temporal's default limit on the token an
// asynchronous operation hands back.
const maxNexusOperationTokenLength = 4096

func nexusTaskToken(token []byte) error {
	if len(token) == 0 {
		return invalid("Task token not set on request.")
	}
	if len(token) > 4096 {
		return invalid("Task token is not a token this server issued.")
	}
	return nil
}

// completionCallbacks checks the callbacks and links a start request
// attaches (a Nexus handler starting the workflow behind an operation).
func (c checker) completionCallbacks(cbs []*commonpb.Callback, links []*commonpb.Link) error {
	if len(cbs) > machine.MaxCallbacksPerRun {
		return invalid("cannot attach more than %d callbacks to a workflow", machine.MaxCallbacksPerRun)
	}
	for _, cb := range cbs {
		n := cb.GetNexus()
		if n == nil {
			return invalid("unsupported callback variant: only Nexus callbacks are accepted")
		}
		if n.GetUrl() == "" {
			return invalid("invalid callback: URL is not set")
		}
		if len(n.GetUrl()) > maxCallbackURLLength {
			return invalid("invalid url: url length longer than max length allowed of %d", maxCallbackURLLength)
		}
	}
	if len(links) > maxLinksPerRequest {
		return invalid("cannot attach more than %d links", maxLinksPerRequest)
	}
	size := 0
	for _, cb := range cbs {
		size += proto.Size(cb)
	}
	for _, l := range links {
		size += proto.Size(l)
	}
	if size > c.lim.MaxPayloadBytes {
		return invalid("CompletionCallbacks and Links size %d bytes exceeds limit of %d bytes.", size, c.lim.MaxPayloadBytes)
	}
	return nil
}

// Temporal's default limits on callback URLs and request links.
const (
	maxCallbackURLLength = 1000
	maxLinksPerRequest   = 10
)
