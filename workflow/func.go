package workflow

import (
	"fmt"

	"github.com/sundialdev/sundial/internal/sdk/funcname"
)

// Func is a typed workflow declaration: a workflow function with the name it is
// registered and started under. Declare one next to the function,
//
//	var OrderWorkflow = workflow.Define(order) // func(workflow.Context, Order) (string, error)
//
// and the compiler checks the input and result wherever it is used: starting it as a
// child with ExecuteChildWorkflowFunc, or from clients that accept a Func.
type Func[In, Out any] struct {
	name string
	fn   func(Context, In) (Out, error)
}

// Define declares fn under its own function name. It panics if fn is nil or anonymous.
func Define[In, Out any](fn func(Context, In) (Out, error)) Func[In, Out] {
	name, err := funcname.Of(fn)
	if err != nil {
		panic(fmt.Sprintf("workflow.Define: %v", err))
	}
	return Func[In, Out]{name: name, fn: fn}
}

// DefineNamed declares fn under name. It panics if name is empty or fn is nil.
func DefineNamed[In, Out any](name string, fn func(Context, In) (Out, error)) Func[In, Out] {
	if name == "" {
		panic("workflow.DefineNamed: empty name")
	}
	if fn == nil {
		panic("workflow.DefineNamed: nil function")
	}
	return Func[In, Out]{name: name, fn: fn}
}

// Name is the workflow type name.
func (f Func[In, Out]) Name() string { return f.name }

// Function is the declared workflow function, for registration.
func (f Func[In, Out]) Function() func(Context, In) (Out, error) { return f.fn }

// WorkflowTypes returns zero values of the workflow's input and result types. Typed client
// calls (client.ExecuteWorkflowFunc) take a Func through an interface with this
// method, which lets the compiler check their arguments without the client importing
// this package.
func (f Func[In, Out]) WorkflowTypes() (In, Out) {
	var in In
	var out Out
	return in, out
}
