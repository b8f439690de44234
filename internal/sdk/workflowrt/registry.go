package workflowrt

import (
	"errors"
	"fmt"
	"reflect"
	"sort"
	"sync"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/funcname"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
)

// RegisterOptions adjust how a workflow is registered.
type RegisterOptions struct {
	// Name is the workflow type name; empty means the function's own name.
	Name string
	// VersioningBehavior is what a versioned worker reports for runs of this
	// type; unspecified means the worker's default.
	VersioningBehavior enumspb.VersioningBehavior
}

// DynamicWorkflow runs every workflow type without a function of its own. GetInfo(ctx)
// .WorkflowType names the type; args decode on request.
type DynamicWorkflow func(ctx Context, args *converter.EncodedValues) (any, error)

// workflowFunc runs a workflow from its encoded input.
type workflowFunc func(ctx Context, input *commonpb.Payloads) (*commonpb.Payloads, error)

// Registry maps workflow type names to workflow functions. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	byName  map[string]workflowFunc
	dynamic DynamicWorkflow
	// behaviors are the versioning behaviors registered per type, and
	// dynamicBehavior the dynamic workflow's (see versioning.go).
	behaviors       map[string]enumspb.VersioningBehavior
	dynamicBehavior func(workflowType string) enumspb.VersioningBehavior
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{byName: make(map[string]workflowFunc)} }

var contextType = reflect.TypeFor[Context]()
var errorType = reflect.TypeFor[error]()

// RegisterWorkflow adds fn, a function func(Context, args...) (result, error) or
// func(Context, args...) error. Arguments and result must suit the data converter.
func (r *Registry) RegisterWorkflow(fn any, opts RegisterOptions) error {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func || v.IsNil() {
		return fmt.Errorf("registering workflow: %T is not a function", fn)
	}
	t := v.Type()
	if t.NumIn() == 0 || t.In(0) != contextType {
		return fmt.Errorf("registering workflow %s: the first parameter must be workflow.Context", t)
	}
	if err := checkResultTypes(t); err != nil {
		return fmt.Errorf("registering workflow %s: %w", t, err)
	}
	name := opts.Name
	if name == "" {
		var err error
		if name, err = funcname.Of(fn); err != nil {
			return fmt.Errorf("registering workflow: %w", err)
		}
	}
	run := func(ctx Context, input *commonpb.Payloads) (*commonpb.Payloads, error) {
		dc := envFrom(ctx).dataConverter
		args, err := decodeArgs(dc, t, 1, input)
		if err != nil {
			return nil, fmt.Errorf("decoding arguments of workflow %s: %w", name, err)
		}
		return encodeResults(dc, v.Call(append([]reflect.Value{reflect.ValueOf(ctx)}, args...)))
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.byName[name]; taken {
		return fmt.Errorf("registering workflow: a workflow named %q is already registered", name)
	}
	r.byName[name] = run
	r.setBehavior(name, opts.VersioningBehavior)
	return nil
}

// RegisterDynamic sets the workflow that runs types without a function of their own.
func (r *Registry) RegisterDynamic(fn DynamicWorkflow) error {
	if fn == nil {
		return errors.New("registering dynamic workflow: function is nil")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dynamic != nil {
		return errors.New("registering dynamic workflow: one is already registered")
	}
	r.dynamic = fn
	return nil
}

// Names lists the registered workflow types, sorted.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return sortedKeys(r.byName)
}

// Empty reports whether nothing is registered.
func (r *Registry) Empty() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byName) == 0 && r.dynamic == nil
}

func (r *Registry) lookup(name string) (workflowFunc, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if fn, ok := r.byName[name]; ok {
		return fn, nil
	}
	if dyn := r.dynamic; dyn != nil {
		return func(ctx Context, input *commonpb.Payloads) (*commonpb.Payloads, error) {
			dc := envFrom(ctx).dataConverter
			result, err := dyn(ctx, converter.NewEncodedValues(input, dc))
			if err != nil {
				return nil, err
			}
			if result == nil {
				return nil, nil
			}
			return dc.ToPayloads(result)
		}, nil
	}
	return nil, fmt.Errorf("workflow type %q is not registered; registered types: %v", name, sortedKeys(r.byName))
}

// checkResultTypes accepts functions returning error or (value, error).
func checkResultTypes(t reflect.Type) error {
	switch {
	case t.NumOut() == 1 && t.Out(0) == errorType:
		return nil
	case t.NumOut() == 2 && t.Out(1) == errorType:
		return nil
	}
	return errors.New("the function must return error or (result, error)")
}

// decodeArgs decodes payloads into the parameters of t from index skip on. Missing
// payloads give zero values.
func decodeArgs(dc converter.DataConverter, t reflect.Type, skip int, input *commonpb.Payloads) ([]reflect.Value, error) {
	payloads := input.GetPayloads()
	n := t.NumIn() - skip
	if t.IsVariadic() {
		return nil, errors.New("variadic functions are not supported")
	}
	if len(payloads) > n {
		return nil, fmt.Errorf("%d arguments given, the function takes %d", len(payloads), n)
	}
	args := make([]reflect.Value, n)
	for i := range n {
		ptr := reflect.New(t.In(skip + i))
		if i < len(payloads) {
			if err := dc.FromPayload(payloads[i], ptr.Interface()); err != nil {
				return nil, fmt.Errorf("argument %d: %w", i+1, err)
			}
		}
		args[i] = ptr.Elem()
	}
	return args, nil
}

// encodeResults turns (value, error) or (error) results into payloads and error.
func encodeResults(dc converter.DataConverter, out []reflect.Value) (*commonpb.Payloads, error) {
	errValue := out[len(out)-1]
	if !errValue.IsNil() {
		return nil, errValue.Interface().(error)
	}
	if len(out) == 1 {
		return nil, nil
	}
	payloads, err := dc.ToPayloads(out[0].Interface())
	if err != nil {
		return nil, fmt.Errorf("encoding result: %w", err)
	}
	return payloads, nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func sortedStrings(s []string) []string {
	sort.Strings(s)
	return s
}
