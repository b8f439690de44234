package nexusop

import (
	"context"
	"maps"

	"github.com/nexus-rpc/sdk-go/nexus"
	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/internal/sdk/nexusrt"
	"github.com/sundialdev/sundial/internal/sdk/startinfo"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	nexuspb "go.temporal.io/api/nexus/v1"
	apinexus "go.temporal.io/api/temporalnexus"
	workflowpb "go.temporal.io/api/workflow/v1"
	"google.golang.org/protobuf/proto"
)

// WorkflowOptionsFunc returns the options of the workflow a workflow-run operation
// starts for input in. The workflow id must be set and should derive from the input
// (or opts.RequestID): a start request may be retried, and the id keeps it from
// starting a second workflow. TaskQueue defaults to the worker's.
// WorkflowIDConflictPolicy USE_EXISTING attaches a second caller to the running
// workflow instead of failing its start.
type WorkflowOptionsFunc[I any] func(ctx context.Context, in I, opts nexus.StartOperationOptions) (client.StartWorkflowOptions, error)

// WorkflowStartFunc starts the workflow behind an operation of NewWorkflowRunFunc,
// with StartWorkflow.
type WorkflowStartFunc[I, O any] func(ctx context.Context, in I, opts nexus.StartOperationOptions) (WorkflowHandle[O], error)

// WorkflowHandle is a workflow StartWorkflow started for an operation; O is its
// result type, which the operation returns.
type WorkflowHandle[O any] struct {
	// ID and RunID name the workflow run.
	ID    string
	RunID string
	token string
}

// workflowRunOperation is the operation NewWorkflowRun and NewWorkflowRunFunc return.
type workflowRunOperation[I, O any] struct {
	nexus.UnimplementedOperation[I, O]

	name  string
	start WorkflowStartFunc[I, O]
}

// NewWorkflowRun returns an asynchronous operation named name backed by a run of the
// declared workflow wf (a workflow.Func, made with workflow.Define), which gets the
// operation's input as its input; the caller receives the workflow's result, failure
// or cancellation when it closes. Canceling the operation requests the workflow's
// cancellation. The workflow must be registered with a worker of the options' task
// queue.
func NewWorkflowRun[I, O any](name string, wf client.WorkflowFunc[I, O], getOptions WorkflowOptionsFunc[I]) nexus.Operation[I, O] {
	return NewWorkflowRunFunc(name, func(ctx context.Context, in I, opts nexus.StartOperationOptions) (WorkflowHandle[O], error) {
		wopts, err := getOptions(ctx, in, opts)
		if err != nil {
			return WorkflowHandle[O]{}, err
		}
		return StartWorkflow(ctx, opts, wopts, wf, in)
	})
}

// NewWorkflowRunFunc returns an asynchronous operation named name whose start
// function starts the backing workflow itself with StartWorkflow: for a workflow whose
// input is not the operation's, or whose options need more than the input. Its
// cancellation requests the workflow's, as NewWorkflowRun's does.
func NewWorkflowRunFunc[I, O any](name string, start WorkflowStartFunc[I, O]) nexus.Operation[I, O] {
	return &workflowRunOperation[I, O]{name: name, start: start}
}

// StartWorkflow starts wf with input in for the operation of the handler's context
// ctx (opts are the operation's start options): with the operation's request id,
// the caller's completion callback and links, and the conflict options that attach
// them to a running workflow under WorkflowIDConflictPolicy USE_EXISTING, as
// NewWorkflowRun does. wopts must name the workflow id; TaskQueue defaults to the
// worker's.
func StartWorkflow[WI, O any](ctx context.Context, opts nexus.StartOperationOptions, wopts client.StartWorkflowOptions,
	wf client.WorkflowFunc[WI, O], in WI) (WorkflowHandle[O], error) {
	oc, ok := nexusrt.FromContext(ctx)
	if !ok {
		return WorkflowHandle[O]{}, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "workflow %q: StartWorkflow runs only in a Nexus handler of Sundial's worker", wf.Name())
	}
	id, runID, token, err := startWorkflow(ctx, oc, opts, wopts, wf.Name(), in)
	if err != nil {
		return WorkflowHandle[O]{}, err
	}
	return WorkflowHandle[O]{ID: id, RunID: runID, token: token}, nil
}

// Name is the operation's name.
func (o *workflowRunOperation[I, O]) Name() string { return o.name }

// Start starts the workflow and answers with its operation token and a link to it.
func (o *workflowRunOperation[I, O]) Start(ctx context.Context, in I, opts nexus.StartOperationOptions) (nexus.HandlerStartOperationResult[O], error) {
	if !nexusrt.InHandler(ctx) {
		return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "operation %q runs only in Sundial's worker", o.name)
	}
	handle, err := o.start(ctx, in, opts)
	if err != nil {
		return nil, err
	}
	if handle.token == "" {
		return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "operation %q: its start function returned a handle that StartWorkflow did not make", o.name)
	}
	return &nexus.HandlerStartOperationResultAsync{OperationToken: handle.token}, nil
}

// Cancel requests the cancellation of the workflow the token names.
func (o *workflowRunOperation[I, O]) Cancel(ctx context.Context, token string, _ nexus.CancelOperationOptions) error {
	oc, ok := nexusrt.FromContext(ctx)
	if !ok {
		return nexus.NewHandlerErrorf(nexus.HandlerErrorTypeInternal, "operation %q runs only in Sundial's worker", o.name)
	}
	t, err := decodeWorkflowRunToken(token)
	if err != nil {
		return &nexus.HandlerError{Type: nexus.HandlerErrorTypeBadRequest, Message: "invalid operation token", Cause: err}
	}
	return oc.Client.CancelWorkflow(ctx, t.WorkflowID, "")
}

// startWorkflow starts workflowType with the request's id, callback and links, and
// returns the run and the operation token; a link to the workflow is added to the
// handler's links.
func startWorkflow(ctx context.Context, oc *nexusrt.OperationContext, opts nexus.StartOperationOptions, wopts client.StartWorkflowOptions,
	workflowType string, args ...any) (id, runID, token string, err error) {
	if wopts.ID == "" {
		return "", "", "", &nexus.HandlerError{Type: nexus.HandlerErrorTypeInternal, Message: "the workflow options of the operation have no workflow id",
			RetryBehavior: nexus.HandlerErrorRetryBehaviorNonRetryable}
	}
	if wopts.TaskQueue == "" {
		wopts.TaskQueue = oc.TaskQueue
	}
	if opts.RequestID != "" {
		wopts.RequestID = opts.RequestID
	}
	links, err := callerLinks(opts.Links)
	if err != nil {
		return "", "", "", err
	}
	token, err = encodeWorkflowRunToken(oc.Namespace, wopts.ID)
	if err != nil {
		return "", "", "", err
	}
	if opts.CallbackURL != "" {
		header := make(map[string]string, len(opts.CallbackHeader)+2)
		maps.Copy(header, opts.CallbackHeader)
		header[nexus.HeaderOperationToken] = token
		header["nexus-operation-id"] = token // read by servers before 1.27
		wopts.CompletionCallbacks = []*commonpb.Callback{{
			Variant: &commonpb.Callback_Nexus_{Nexus: &commonpb.Callback_Nexus{Url: opts.CallbackURL, Header: header}},
			Links:   links,
		}}
	}
	// The links also go on the start itself, for servers that do not read them from
	// callbacks.
	wopts.Links = links
	wopts.OnConflictOptions = &workflowpb.OnConflictOptions{AttachRequestId: true, AttachCompletionCallbacks: true, AttachLinks: true}
	// The operation has started only once the callback is attached to a workflow: a
	// running workflow of the id fails the start unless the policy is USE_EXISTING.
	wopts.WorkflowExecutionErrorWhenAlreadyStarted = true

	ctx, started := startinfo.WithRecorder(ctx)
	run, err := oc.Client.ExecuteWorkflow(ctx, wopts, workflowType, args...)
	if err != nil {
		return "", "", "", err
	}
	event := started.Link().GetWorkflowEvent()
	if event == nil {
		event = &commonpb.Link_WorkflowEvent{Namespace: oc.Namespace, WorkflowId: run.GetID(), RunId: run.GetRunID(),
			Reference: &commonpb.Link_WorkflowEvent_EventRef{EventRef: &commonpb.Link_WorkflowEvent_EventReference{
				EventType: enumspb.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED,
			}}}
	}
	nexus.AddHandlerLinks(ctx, apinexus.ConvertLinkWorkflowEventToNexusLink(event))
	return run.GetID(), run.GetRunID(), token, nil
}

// isTemporalLinkType reports whether a link type is one Temporal defines; links of
// other types are someone else's and are passed over.
func isTemporalLinkType(typ string) bool {
	for _, m := range []proto.Message{&commonpb.Link_WorkflowEvent{}, &commonpb.Link_NexusOperation{}, &commonpb.Link_Activity{}, &commonpb.Link_Workflow{}} {
		if typ == string(m.ProtoReflect().Descriptor().FullName()) {
			return true
		}
	}
	return false
}

// callerLinks converts the caller's links for the workflow start; a malformed
// Temporal link is a bad request.
func callerLinks(links []nexus.Link) ([]*commonpb.Link, error) {
	var out []*commonpb.Link
	for _, l := range links {
		if !isTemporalLinkType(l.Type) || l.URL == nil {
			continue
		}
		link, ok := apinexus.NexusLinkToCommonLink(&nexuspb.Link{Url: l.URL.String(), Type: l.Type})
		if !ok {
			return nil, nexus.NewHandlerErrorf(nexus.HandlerErrorTypeBadRequest, "invalid %s link %q", l.Type, l.URL)
		}
		out = append(out, link)
	}
	return out, nil
}
