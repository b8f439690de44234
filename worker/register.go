package worker

import (
	"fmt"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
	"github.com/sundialdev/sundial/workflow"
)

// RegisterActivityOptions configure RegisterActivityWithOptions.
type RegisterActivityOptions struct {
	// Name is the activity type name; default the function's name without its package
	// path ("ChargeCard" for billing.ChargeCard or for the method value acts.ChargeCard).
	// For a struct, it is a prefix put before each method's name.
	Name string
}

// RegisterActivity registers an activity function under its own name. The function takes
// an optional context.Context first, then any number of positional arguments the data
// converter can decode, and returns either error or (result, error). A wrong shape, a
// function without a usable name (a function literal) or a name already taken is
// reported at once.
//
// fn may also be a pointer to a struct (or a struct): each of its exported methods is
// then registered under the method's name, which suits activities that share
// dependencies such as a database handle. Every method must be a valid activity.
func (w *Worker) RegisterActivity(fn any) error {
	return w.RegisterActivityWithOptions(fn, RegisterActivityOptions{})
}

// RegisterActivityWithOptions registers an activity function, under opts.Name if set.
func (w *Worker) RegisterActivityWithOptions(fn any, opts RegisterActivityOptions) error {
	if err := w.activities.Register(fn, opts.Name); err != nil {
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, err)
	}
	return nil
}

// RegisterDynamicActivity registers the activity that runs every activity type with no
// function of its own. There can be one per worker.
func (w *Worker) RegisterDynamicActivity(fn activity.DynamicFunc) error {
	if err := w.activities.RegisterDynamic(fn); err != nil {
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, err)
	}
	return nil
}

// RegisterActivityFunc registers a typed activity declaration under its declared name.
// The compiler has already checked its shape; only a name clash can fail.
func RegisterActivityFunc[In, Out any](w *Worker, f activity.Func[In, Out]) error {
	return w.RegisterActivityWithOptions(f.Function(), RegisterActivityOptions{Name: f.Name()})
}

// RegisterWorkflowOptions configure RegisterWorkflowWithOptions.
type RegisterWorkflowOptions struct {
	// Name is the workflow type name; default the function's name without its package
	// path ("OrderWorkflow" for orders.OrderWorkflow).
	Name string
	// VersioningBehavior is what a versioned worker (Options.DeploymentOptions)
	// reports for runs of this type: pinned to their version, or moving to the
	// current version at each workflow task. Unspecified means the worker's
	// DeploymentOptions.DefaultVersioningBehavior; a versioned worker without a
	// default refuses workflows that leave it unspecified.
	VersioningBehavior sundial.VersioningBehavior
}

// RegisterWorkflow registers a workflow function under its own name. The function takes
// workflow.Context first, then any number of arguments the data converter can decode,
// and returns error or (result, error). A wrong shape, a function without a usable name
// or a name already taken is reported at once.
func (w *Worker) RegisterWorkflow(fn any) error {
	return w.RegisterWorkflowWithOptions(fn, RegisterWorkflowOptions{})
}

// RegisterWorkflowWithOptions registers a workflow function, under opts.Name if set.
func (w *Worker) RegisterWorkflowWithOptions(fn any, opts RegisterWorkflowOptions) error {
	if err := w.checkWorkflowBehavior(fn, opts.Name, opts.VersioningBehavior); err != nil {
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, err)
	}
	if err := w.workflows.RegisterWorkflow(fn, workflowrt.RegisterOptions{Name: opts.Name, VersioningBehavior: opts.VersioningBehavior.ToProto()}); err != nil {
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, err)
	}
	return nil
}

// DynamicWorkflowFunc runs every workflow type that has no function of its own:
// workflow.GetInfo(ctx).WorkflowType names the type, and args decode the input on
// request. Its result is encoded with the data converter.
type DynamicWorkflowFunc func(ctx workflow.Context, args *converter.EncodedValues) (any, error)

// RegisterDynamicWorkflow registers the workflow that runs every workflow type with no
// function of its own. There can be one per worker.
func (w *Worker) RegisterDynamicWorkflow(fn DynamicWorkflowFunc) error {
	return w.RegisterDynamicWorkflowWithOptions(fn, RegisterDynamicWorkflowOptions{})
}

// RegisterDynamicWorkflowWithOptions registers the dynamic workflow with options.
func (w *Worker) RegisterDynamicWorkflowWithOptions(fn DynamicWorkflowFunc, opts RegisterDynamicWorkflowOptions) error {
	if err := w.checkDynamicBehavior(opts); err != nil {
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, err)
	}
	if err := w.workflows.RegisterDynamic(workflowrt.DynamicWorkflow(fn)); err != nil {
		return fmt.Errorf("worker for task queue %q: %w", w.taskQueue, err)
	}
	w.workflows.SetDynamicVersioningBehavior(opts.behaviorFunc())
	return nil
}

// RegisterWorkflowFunc registers a typed workflow declaration under its declared name.
func RegisterWorkflowFunc[In, Out any](w *Worker, f workflow.Func[In, Out]) error {
	return w.RegisterWorkflowWithOptions(f.Function(), RegisterWorkflowOptions{Name: f.Name()})
}
