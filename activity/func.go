package activity

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/internal/sdk/funcname"
)

// Func is a typed activity declaration: an activity function together with the name it is
// registered and called under. Declare one next to the function,
//
//	var ChargeCard = activity.Define(chargeCard) // named "chargeCard"
//
// register it with worker.RegisterActivityFunc(w, ChargeCard) and call it from a workflow
// with workflow.ExecuteActivityFunc(ctx, ChargeCard, in), or by ChargeCard.Name() where
// activities are scheduled by name. The compiler checks In and Out everywhere the
// declaration is used. An activity that needs several inputs takes them as one struct.
type Func[In, Out any] struct {
	name string
	fn   func(context.Context, In) (Out, error)
}

// Define declares fn under its own function name (without package path). It panics if fn
// is nil or anonymous, which is a programming error caught when the package loads;
// DefineNamed accepts any function.
func Define[In, Out any](fn func(context.Context, In) (Out, error)) Func[In, Out] {
	name, err := funcname.Of(fn)
	if err != nil {
		panic(fmt.Sprintf("activity.Define: %v", err))
	}
	return Func[In, Out]{name: name, fn: fn}
}

// DefineNamed declares fn under the given name. It panics if name is empty or fn is nil.
func DefineNamed[In, Out any](name string, fn func(context.Context, In) (Out, error)) Func[In, Out] {
	if name == "" {
		panic("activity.DefineNamed: empty name")
	}
	if fn == nil {
		panic("activity.DefineNamed: nil function")
	}
	return Func[In, Out]{name: name, fn: fn}
}

// Name is the activity type name the function is registered and scheduled under.
func (f Func[In, Out]) Name() string { return f.name }

// Function is the declared activity function.
func (f Func[In, Out]) Function() func(context.Context, In) (Out, error) { return f.fn }
