package client

import (
	"context"
)

// WorkflowFunc is a typed workflow declaration. workflow.Func[In, Out], made with
// workflow.Define, implements it; the typed calls below take one so that the compiler
// checks the workflow's input and result types at the call site.
type WorkflowFunc[In, Out any] interface {
	// Name is the workflow type name.
	Name() string
	// WorkflowTypes returns zero values of the workflow's input and result types;
	// its signature is what lets the compiler check calls.
	WorkflowTypes() (In, Out)
}

// TypedRun is a handle to a workflow whose result type is known.
type TypedRun[Out any] struct {
	WorkflowRun
}

// Result waits for the workflow to close and returns its result; see WorkflowRun.Get
// for the errors.
func (r TypedRun[Out]) Result(ctx context.Context) (Out, error) {
	var out Out
	err := r.Get(ctx, &out)
	return out, err
}

// ExecuteWorkflowFunc starts the declared workflow wf with input in, like
// Client.ExecuteWorkflow, and returns a handle whose Result has wf's result type:
//
//	var OrderWorkflow = workflow.Define(orderWorkflow) // func(workflow.Context, Order) (string, error)
//
//	run, err := client.ExecuteWorkflowFunc(ctx, c, opts, OrderWorkflow, order)
//	receipt, err := run.Result(ctx) // a string
func ExecuteWorkflowFunc[In, Out any](ctx context.Context, c *Client, opts StartWorkflowOptions, wf WorkflowFunc[In, Out], in In) (TypedRun[Out], error) {
	run, err := c.ExecuteWorkflow(ctx, opts, wf.Name(), in)
	if err != nil {
		return TypedRun[Out]{}, err
	}
	return TypedRun[Out]{WorkflowRun: run}, nil
}

// GetWorkflowFunc returns a typed handle to an existing run of wf; an empty runID
// means the latest run.
func GetWorkflowFunc[In, Out any](ctx context.Context, c *Client, wf WorkflowFunc[In, Out], workflowID, runID string) TypedRun[Out] {
	return TypedRun[Out]{WorkflowRun: c.newRun(workflowID, runID, wf.Name())}
}

// Signal sends the declared signal s (a workflow.Signal, made with workflow.NewSignal)
// with value to the workflow of run.
func Signal[T any](ctx context.Context, run WorkflowRun, s SignalDef[T], value T) error {
	return run.Signal(ctx, s.Name(), value)
}

// SignalWithStart returns opts with the declared signal s and value as the start signal
// (see StartWorkflowOptions.StartSignal).
func SignalWithStart[T any](opts StartWorkflowOptions, s SignalDef[T], value T) StartWorkflowOptions {
	opts.StartSignal = s.Name()
	opts.StartSignalArgs = []any{value}
	return opts
}

// QueryState runs the declared argument-less query q (a workflow.StateQuery, made with
// workflow.NewStateQuery) on the workflow of run and returns its typed result.
func QueryState[Out any](ctx context.Context, run WorkflowRun, q StateQueryDef[Out]) (Out, error) {
	var out Out
	value, err := run.Query(ctx, q.Name())
	if err != nil {
		return out, err
	}
	if err := value.Get(&out); err != nil {
		return out, err
	}
	return out, nil
}

// Query runs the declared query q (a workflow.Query, made with workflow.NewQuery) with
// argument in on the workflow of run and returns its typed result.
func Query[In, Out any](ctx context.Context, run WorkflowRun, q QueryDef[In, Out], in In) (Out, error) {
	var out Out
	value, err := run.Query(ctx, q.Name(), in)
	if err != nil {
		return out, err
	}
	if err := value.Get(&out); err != nil {
		return out, err
	}
	return out, nil
}

// UpdateOptions adjust a typed update.
type UpdateOptions struct {
	// UpdateID identifies the update; a random UUID when empty.
	UpdateID string
	// WaitForStage is the stage to wait for; default UpdateStageCompleted.
	WaitForStage UpdateStage
}

// UpdateHandleOf is a typed handle to an update.
type UpdateHandleOf[Out any] struct {
	WorkflowUpdateHandle
}

// Result waits for the update's outcome and returns its typed result.
func (h UpdateHandleOf[Out]) Result(ctx context.Context) (Out, error) {
	var out Out
	err := h.Get(ctx, &out)
	return out, err
}

// StartUpdate sends the declared update u (a workflow.Update, made with
// workflow.NewUpdate) with argument in to the workflow of run and waits for
// opts.WaitForStage.
func StartUpdate[In, Out any](ctx context.Context, run WorkflowRun, u UpdateDef[In, Out], in In, opts UpdateOptions) (UpdateHandleOf[Out], error) {
	h, err := run.Update(ctx, UpdateWorkflowOptions{UpdateName: u.Name(), Args: []any{in}, UpdateID: opts.UpdateID, WaitForStage: opts.WaitForStage})
	if err != nil {
		return UpdateHandleOf[Out]{}, err
	}
	return UpdateHandleOf[Out]{WorkflowUpdateHandle: h}, nil
}

// ExecuteUpdate sends the declared update u with argument in to the workflow of run,
// waits for the handler to finish and returns its typed result.
func ExecuteUpdate[In, Out any](ctx context.Context, run WorkflowRun, u UpdateDef[In, Out], in In) (Out, error) {
	h, err := StartUpdate(ctx, run, u, in, UpdateOptions{WaitForStage: UpdateStageCompleted})
	if err != nil {
		var zero Out
		return zero, err
	}
	return h.Result(ctx)
}
