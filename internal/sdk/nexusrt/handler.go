package nexusrt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime/debug"
	"time"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	nexuspb "go.temporal.io/api/nexus/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// ErrTaskAbandoned reports a task whose handler was still running when the request's
// deadline passed or the worker stopped. It is not answered: the server retries the
// request when its own timeout passes.
var ErrTaskAbandoned = errors.New("nexus task abandoned: its deadline passed or the worker stopped")

// TaskHandlerOptions configure NewTaskHandler.
type TaskHandlerOptions struct {
	// Handler runs the operations (nexus.ServiceRegistry.NewHandler).
	Handler nexus.Handler
	// Client is the worker's client, given to handlers through their context.
	Client *client.Client
	// Namespace, TaskQueue and Identity are the worker's.
	Namespace string
	TaskQueue string
	Identity  string
	// DataConverter decodes inputs and encodes results; FailureConverter encodes
	// failures.
	DataConverter    converter.DataConverter
	FailureConverter converter.FailureConverter
	Logger           *slog.Logger
}

// TaskHandler runs Nexus tasks. It is safe for concurrent use.
type TaskHandler struct {
	opts TaskHandlerOptions
}

// NewTaskHandler returns a TaskHandler.
func NewTaskHandler(opts TaskHandlerOptions) *TaskHandler {
	return &TaskHandler{opts: opts}
}

// Answer is a task's reply: exactly one of Completed and Failed is set.
type Answer struct {
	Completed *workflowservice.RespondNexusTaskCompletedRequest
	Failed    *workflowservice.RespondNexusTaskFailedRequest
}

// Execute runs one task under ctx (the worker's task context) and the request's
// Request-Timeout, and returns its reply; ErrTaskAbandoned when no reply is due, or an
// error when the reply could not be built.
func (h *TaskHandler) Execute(ctx context.Context, task *workflowservice.PollNexusTaskQueueResponse) (Answer, error) {
	req := task.GetRequest()
	legacy := !req.GetCapabilities().GetTemporalFailureResponses()
	hdr := header(req.GetHeader())
	ctx, cancel, herr := withRequestTimeout(ctx, hdr)
	if herr != nil {
		return h.failed(task, herr, legacy)
	}
	defer cancel()

	var resp *nexuspb.Response
	switch v := req.GetVariant().(type) {
	case *nexuspb.Request_StartOperation:
		resp, herr = h.start(ctx, task, v.StartOperation, hdr, legacy)
	case *nexuspb.Request_CancelOperation:
		herr = h.cancel(ctx, task, v.CancelOperation, hdr)
		resp = &nexuspb.Response{Variant: &nexuspb.Response_CancelOperation{CancelOperation: &nexuspb.CancelOperationResponse{}}}
	default:
		herr = nexus.NewHandlerErrorf(nexus.HandlerErrorTypeNotImplemented, "unknown Nexus request type %T", req.GetVariant())
	}
	if ctx.Err() != nil {
		return Answer{}, ErrTaskAbandoned
	}
	if herr != nil {
		return h.failed(task, herr, legacy)
	}
	return Answer{Completed: &workflowservice.RespondNexusTaskCompletedRequest{
		Namespace: h.opts.Namespace, Identity: h.opts.Identity, TaskToken: task.GetTaskToken(), Response: resp,
	}}, nil
}

// withRequestTimeout bounds ctx by the request's Request-Timeout header, if any.
func withRequestTimeout(ctx context.Context, hdr nexus.Header) (context.Context, context.CancelFunc, *nexus.HandlerError) {
	value := hdr.Get(nexus.HeaderRequestTimeout)
	if value == "" {
		ctx, cancel := context.WithCancel(ctx)
		return ctx, cancel, nil
	}
	timeout, err := time.ParseDuration(value)
	if err != nil || timeout <= 0 {
		return nil, nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "invalid %s header %q", nexus.HeaderRequestTimeout, value)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	return ctx, cancel, nil
}

// handlerContext is the context a handler runs with: Nexus's handler context (for
// handler links) and the task's OperationContext.
func (h *TaskHandler) handlerContext(ctx context.Context, task *workflowservice.PollNexusTaskQueueResponse, service, operation string, hdr nexus.Header) (context.Context, *slog.Logger) {
	logger := h.opts.Logger.With(slog.String("nexus_service", service), slog.String("nexus_operation", operation),
		slog.String("task_queue", h.opts.TaskQueue))
	ctx = nexus.WithHandlerContext(ctx, nexus.HandlerInfo{Service: service, Operation: operation, Header: hdr})
	return WithOperationContext(ctx, &OperationContext{
		Client: h.opts.Client, Namespace: h.opts.Namespace, TaskQueue: h.opts.TaskQueue,
		Endpoint: task.GetRequest().GetEndpoint(), Service: service, Operation: operation, Logger: logger,
	}), logger
}

// start runs a start request: the response, or the handler error to fail the task with.
func (h *TaskHandler) start(ctx context.Context, task *workflowservice.PollNexusTaskQueueResponse, req *nexuspb.StartOperationRequest,
	hdr nexus.Header, legacy bool) (*nexuspb.Response, *nexus.HandlerError) {
	links, err := requestLinks(req.GetLinks())
	if err != nil {
		return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "invalid link: %v", err)
	}
	ctx, logger := h.handlerContext(ctx, task, req.GetService(), req.GetOperation(), hdr)
	callbackHeader := header(req.GetCallbackHeader())
	opts := nexus.StartOperationOptions{Header: hdr, CallbackURL: req.GetCallback(), CallbackHeader: callbackHeader,
		RequestID: req.GetRequestId(), Links: links}
	var result nexus.HandlerStartOperationResult[any]
	err = guard(logger, func() error {
		var err error
		result, err = h.opts.Handler.StartOperation(ctx, req.GetService(), req.GetOperation(), inputValue(h.opts.DataConverter, req.GetPayload()), opts)
		return err
	})
	if err != nil {
		return h.startError(ctx, logger, err, legacy)
	}
	handlerLinks := responseLinks(nexus.HandlerLinks(ctx))
	switch r := result.(type) {
	case *nexus.HandlerStartOperationResultAsync:
		if r.OperationToken == "" {
			return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "the handler started an asynchronous operation without a token")
		}
		return startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_AsyncSuccess{
			AsyncSuccess: &nexuspb.StartOperationResponse_Async{OperationId: r.OperationToken, OperationToken: r.OperationToken, Links: handlerLinks},
		}}), nil
	case interface{ ValueAsAny() any }:
		payload, err := h.opts.DataConverter.ToPayload(r.ValueAsAny())
		if err != nil {
			logger.Error("encoding the Nexus operation's result failed", "error", err)
			return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "encoding the operation's result: %v", err)
		}
		return startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_SyncSuccess{
			SyncSuccess: &nexuspb.StartOperationResponse_Sync{Payload: payload, Links: handlerLinks},
		}}), nil
	default:
		return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "the handler returned no result")
	}
}

func startResponse(r *nexuspb.StartOperationResponse) *nexuspb.Response {
	return &nexuspb.Response{Variant: &nexuspb.Response_StartOperation{StartOperation: r}}
}

// startError turns a failed start into its reply: an OperationError completes the
// task with an unsuccessful operation, anything else fails it with a handler error.
func (h *TaskHandler) startError(ctx context.Context, logger *slog.Logger, err error, legacy bool) (*nexuspb.Response, *nexus.HandlerError) {
	var oe *nexus.OperationError
	if !errors.As(err, &oe) {
		if ctx.Err() == nil {
			logger.Warn("Nexus operation handler failed", "error", err)
		}
		return nil, asHandlerError(err)
	}
	failure := operationFailure(h.opts.FailureConverter, oe)
	if failure == nil {
		return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "the handler returned an operation error with invalid state %q", oe.State)
	}
	if !legacy {
		return startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_Failure{Failure: failure}}), nil
	}
	old, err := legacyOperationError(oe, failure)
	if err != nil {
		return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "encoding the operation error: %v", err)
	}
	return startResponse(&nexuspb.StartOperationResponse{Variant: &nexuspb.StartOperationResponse_OperationError{OperationError: old}}), nil
}

// cancel runs a cancel request; nil when the cancellation was delivered.
func (h *TaskHandler) cancel(ctx context.Context, task *workflowservice.PollNexusTaskQueueResponse, req *nexuspb.CancelOperationRequest, hdr nexus.Header) *nexus.HandlerError {
	ctx, logger := h.handlerContext(ctx, task, req.GetService(), req.GetOperation(), hdr)
	token := req.GetOperationToken()
	if token == "" {
		token = req.GetOperationId() // servers before 1.27 send only the id
	}
	err := guard(logger, func() error {
		return h.opts.Handler.CancelOperation(ctx, req.GetService(), req.GetOperation(), token, nexus.CancelOperationOptions{Header: hdr})
	})
	if err == nil {
		return nil
	}
	if ctx.Err() == nil {
		logger.Warn("Nexus cancel handler failed", "error", err)
	}
	return asHandlerError(err)
}

// guard runs fn, turning a panic into an INTERNAL handler error that carries the
// panic and its stack trace.
func guard(logger *slog.Logger, fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			stack := string(debug.Stack())
			logger.Error("Nexus handler panicked", "panic", fmt.Sprint(r), "stack", stack)
			err = &nexus.HandlerError{Type: nexus.HandlerErrorTypeInternal, Message: fmt.Sprintf("handler panicked: %v", r),
				Cause: sundial.NewPanicError(r, stack)}
		}
	}()
	return fn()
}

// failed builds the reply that fails the task with herr.
func (h *TaskHandler) failed(task *workflowservice.PollNexusTaskQueueResponse, herr *nexus.HandlerError, legacy bool) (Answer, error) {
	req := &workflowservice.RespondNexusTaskFailedRequest{Namespace: h.opts.Namespace, Identity: h.opts.Identity, TaskToken: task.GetTaskToken()}
	if legacy {
		old, err := legacyHandlerError(h.opts.FailureConverter, herr)
		if err != nil {
			return Answer{}, err
		}
		req.Error = old // the form servers without temporal_failure_responses read
	} else {
		req.Failure = handlerFailure(h.opts.FailureConverter, herr)
	}
	return Answer{Failed: req}, nil
}
