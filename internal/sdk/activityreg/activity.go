package activityreg

import (
	"context"
	"fmt"
	"reflect"
	"runtime/debug"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
)

var (
	contextType = reflect.TypeFor[context.Context]()
	errorType   = reflect.TypeFor[error]()
)

// Activity is one registered activity: a checked function, or the dynamic activity.
type Activity struct {
	name         string
	fn           reflect.Value
	takesContext bool
	params       []reflect.Type // the positional arguments, context excluded
	returnsValue bool
	dynamic      activity.DynamicFunc
}

// newActivity checks that fn has an activity function's shape:
// func([context.Context,] args...) error or func([context.Context,] args...) (R, error).
func newActivity(fn any) (*Activity, error) {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return nil, fmt.Errorf("activity must be a function, got %T", fn)
	}
	if v.IsNil() {
		return nil, fmt.Errorf("activity function is nil")
	}
	t := v.Type()
	if t.IsVariadic() {
		return nil, fmt.Errorf("activity function %s is variadic; only fixed positional arguments are supported", t)
	}
	a := &Activity{fn: v}
	for i := range t.NumIn() {
		in := t.In(i)
		if i == 0 && in == contextType {
			a.takesContext = true
			continue
		}
		if in == contextType {
			return nil, fmt.Errorf("activity function %s: context.Context must be the first parameter", t)
		}
		if err := checkSerializable(in); err != nil {
			return nil, fmt.Errorf("activity function %s: parameter %d: %w", t, i+1, err)
		}
		a.params = append(a.params, in)
	}
	switch t.NumOut() {
	case 1:
	case 2:
		if err := checkSerializable(t.Out(0)); err != nil {
			return nil, fmt.Errorf("activity function %s: result: %w", t, err)
		}
		a.returnsValue = true
	default:
		return nil, fmt.Errorf("activity function %s must return error or (value, error)", t)
	}
	if t.Out(t.NumOut()-1) != errorType {
		return nil, fmt.Errorf("activity function %s: last result must be of type error, got %s", t, t.Out(t.NumOut()-1))
	}
	return a, nil
}

// checkSerializable rejects types no data converter can encode.
func checkSerializable(t reflect.Type) error {
	switch t.Kind() {
	case reflect.Chan, reflect.Func, reflect.UnsafePointer:
		return fmt.Errorf("type %s cannot be encoded as a payload", t)
	}
	return nil
}

// Name is the name the activity was registered under, "" for the dynamic activity.
func (a *Activity) Name() string { return a.name }

// Invoke decodes input into the function's arguments, calls it with ctx and encodes its
// result. The function's own error is returned as it is; a panic becomes a
// *sundial.PanicError carrying the stack trace. Missing trailing arguments are zero
// values; surplus arguments are an error.
func (a *Activity) Invoke(ctx context.Context, input *commonpb.Payloads, dc converter.DataConverter) (result *commonpb.Payloads, err error) {
	defer func() {
		if p := recover(); p != nil {
			result, err = nil, sundial.NewPanicError(p, string(debug.Stack()))
		}
	}()
	if a.dynamic != nil {
		out, err := a.dynamic(ctx, activity.NewDynamicArgs(input, dc))
		if err != nil {
			return nil, err
		}
		return encodeResult(dc, out)
	}
	args, err := a.decodeArgs(ctx, input, dc)
	if err != nil {
		return nil, err
	}
	outs := a.fn.Call(args)
	if errValue := outs[len(outs)-1]; !errValue.IsNil() {
		return nil, errValue.Interface().(error)
	}
	if !a.returnsValue {
		return nil, nil
	}
	return encodeResult(dc, outs[0].Interface())
}

func (a *Activity) decodeArgs(ctx context.Context, input *commonpb.Payloads, dc converter.DataConverter) ([]reflect.Value, error) {
	payloads := input.GetPayloads()
	if len(payloads) > len(a.params) {
		return nil, sundial.NewNonRetryableApplicationError(
			fmt.Sprintf("activity %s takes %d arguments, got %d", a.name, len(a.params), len(payloads)),
			"ArgumentCountMismatch", nil)
	}
	args := make([]reflect.Value, 0, len(a.params)+1)
	if a.takesContext {
		args = append(args, reflect.ValueOf(ctx))
	}
	for i, t := range a.params {
		ptr := reflect.New(t)
		if i < len(payloads) {
			if err := dc.FromPayload(payloads[i], ptr.Interface()); err != nil {
				return nil, fmt.Errorf("decoding argument %d of activity %s: %w", i+1, a.name, err)
			}
		}
		args = append(args, ptr.Elem())
	}
	return args, nil
}

func encodeResult(dc converter.DataConverter, value any) (*commonpb.Payloads, error) {
	payloads, err := dc.ToPayloads(value)
	if err != nil {
		return nil, fmt.Errorf("encoding activity result: %w", err)
	}
	return payloads, nil
}
