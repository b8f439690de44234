package worker

import (
	"fmt"

	"github.com/sundialdev/sundial/activity"
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
