package workflow

import (
	"fmt"
	"time"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// ChildWorkflowOptions shape how a child workflow is started.
type ChildWorkflowOptions struct {
	// WorkflowID of the child; empty means one derived from the parent's run id.
	WorkflowID string
	// Namespace of the child; empty means the parent's.
	Namespace string
	// TaskQueue of the child; empty means the parent's.
	TaskQueue                string
	WorkflowExecutionTimeout time.Duration
	WorkflowRunTimeout       time.Duration
	WorkflowTaskTimeout      time.Duration
	// ParentClosePolicy says what happens to the child when the parent closes first:
	// terminate (the server's default), request cancellation, or abandon.
	ParentClosePolicy     enumspb.ParentClosePolicy
	WorkflowIDReusePolicy enumspb.WorkflowIdReusePolicy
	RetryPolicy           *sundial.RetryPolicy
	CronSchedule          string
	Memo                  map[string]any
	SearchAttributes      map[string]any
	Priority              *sundial.Priority
}

type childOptionsKey struct{}

// WithChildOptions returns a child of ctx whose child workflows start with opts.
func WithChildOptions(ctx Context, opts ChildWorkflowOptions) Context {
	return WithValue(ctx, childOptionsKey{}, opts)
}

// GetChildWorkflowOptions returns the child workflow options ctx carries.
func GetChildWorkflowOptions(ctx Context) ChildWorkflowOptions {
	opts, _ := ctx.Value(childOptionsKey{}).(ChildWorkflowOptions)
	return opts
}

// ChildWorkflowFuture is the result of a child workflow, with a second future for its
// start.
type ChildWorkflowFuture interface {
	Future
	// GetChildWorkflowExecution is ready with the child's Execution once it started, or
	// with an error if it could not start.
	GetChildWorkflowExecution() Future
}

type childFuture struct {
	Future
	started Future
}

func (c childFuture) GetChildWorkflowExecution() Future { return c.started }

// ExecuteChildWorkflow starts a child workflow of workflowType (a type name or a
// workflow function) with args, options from WithChildOptions. A failed child's future
// returns a *sundial.ChildWorkflowError whose cause says why. Canceling ctx asks the
// server to cancel the child, and the future then reports how it ended.
func ExecuteChildWorkflow(ctx Context, workflowType any, args ...any) ChildWorkflowFuture {
	name, err := activityName(workflowType)
	if err == nil {
		var attrs *commandpb.StartChildWorkflowExecutionCommandAttributes
		if attrs, err = childCommand(ctx, name, GetChildWorkflowOptions(ctx), args); err == nil {
			started, result := runtimeOf(ctx).StartChildWorkflow(ctx, attrs)
			return childFuture{Future: result, started: started}
		}
	}
	failed := failedFuture(ctx, fmt.Errorf("child workflow: %w", err))
	return childFuture{Future: failed, started: failed}
}

// ExecuteChildWorkflowFunc starts the declared workflow wf as a child; the compiler
// checks its input and result types.
func ExecuteChildWorkflowFunc[In, Out any](ctx Context, wf Func[In, Out], in In) FutureOf[Out] {
	return NewFutureOf[Out](ExecuteChildWorkflow(ctx, wf.Name(), in))
}

func childCommand(ctx Context, name string, opts ChildWorkflowOptions, args []any) (*commandpb.StartChildWorkflowExecutionCommandAttributes, error) {
	dc := DataConverter(ctx)
	input, err := dc.ToPayloads(args...)
	if err != nil {
		return nil, fmt.Errorf("encoding arguments of %s: %w", name, err)
	}
	memo, err := encodeFields(dc, opts.Memo)
	if err != nil {
		return nil, fmt.Errorf("encoding memo of %s: %w", name, err)
	}
	search, err := encodeFields(converter.GetDefaultDataConverter(), opts.SearchAttributes)
	if err != nil {
		return nil, fmt.Errorf("encoding search attributes of %s: %w", name, err)
	}
	info := GetInfo(ctx)
	attrs := &commandpb.StartChildWorkflowExecutionCommandAttributes{
		Namespace:                orDefault(opts.Namespace, info.Namespace),
		WorkflowId:               opts.WorkflowID,
		WorkflowType:             &commonpb.WorkflowType{Name: name},
		TaskQueue:                &taskqueuepb.TaskQueue{Name: orDefault(opts.TaskQueue, info.TaskQueue), Kind: enumspb.TASK_QUEUE_KIND_NORMAL},
		Input:                    input,
		WorkflowExecutionTimeout: durationpb.New(opts.WorkflowExecutionTimeout),
		WorkflowRunTimeout:       durationpb.New(opts.WorkflowRunTimeout),
		WorkflowTaskTimeout:      durationpb.New(opts.WorkflowTaskTimeout),
		ParentClosePolicy:        opts.ParentClosePolicy,
		WorkflowIdReusePolicy:    opts.WorkflowIDReusePolicy,
		RetryPolicy:              opts.RetryPolicy.ToProto(),
		CronSchedule:             opts.CronSchedule,
		Priority:                 opts.Priority.ToProto(),
	}
	if memo != nil {
		attrs.Memo = &commonpb.Memo{Fields: memo}
	}
	if search != nil {
		attrs.SearchAttributes = &commonpb.SearchAttributes{IndexedFields: search}
	}
	return attrs, nil
}

// UpsertSearchAttributes adds or replaces search attributes of the running workflow
// (a nil value removes one); GetInfo reflects them at once.
func UpsertSearchAttributes(ctx Context, attributes map[string]any) error {
	fields, err := encodeFields(converter.GetDefaultDataConverter(), attributes)
	if err != nil {
		return fmt.Errorf("encoding search attributes: %w", err)
	}
	if len(fields) == 0 {
		return fmt.Errorf("upserting search attributes: none given")
	}
	runtimeOf(ctx).UpsertSearchAttributes(ctx, &commandpb.UpsertWorkflowSearchAttributesCommandAttributes{
		SearchAttributes: &commonpb.SearchAttributes{IndexedFields: fields},
	})
	return nil
}

// UpsertMemo adds or replaces memo fields of the running workflow (a nil value removes
// one); GetInfo reflects them at once.
func UpsertMemo(ctx Context, memo map[string]any) error {
	fields, err := encodeFields(DataConverter(ctx), memo)
	if err != nil {
		return fmt.Errorf("encoding memo: %w", err)
	}
	if len(fields) == 0 {
		return fmt.Errorf("upserting memo: no fields given")
	}
	runtimeOf(ctx).UpsertMemo(ctx, &commandpb.ModifyWorkflowPropertiesCommandAttributes{UpsertedMemo: &commonpb.Memo{Fields: fields}})
	return nil
}

func encodeFields(dc converter.DataConverter, values map[string]any) (map[string]*commonpb.Payload, error) {
	if len(values) == 0 {
		return nil, nil
	}
	fields := make(map[string]*commonpb.Payload, len(values))
	for k, v := range values {
		p, err := dc.ToPayload(v)
		if err != nil {
			return nil, fmt.Errorf("field %q: %w", k, err)
		}
		fields[k] = p
	}
	return fields, nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// SignalExternalWorkflow sends a signal with arg to another workflow (runID empty: its
// current run). The future is ready once the signal was delivered.
func SignalExternalWorkflow(ctx Context, workflowID, runID, signalName string, arg any) Future {
	input, err := DataConverter(ctx).ToPayloads(arg)
	if err != nil {
		return failedFuture(ctx, fmt.Errorf("encoding signal %s: %w", signalName, err))
	}
	return runtimeOf(ctx).SignalExternalWorkflow(ctx, "", workflowID, runID, signalName, input, false)
}

// RequestCancelExternalWorkflow asks the server to cancel another workflow (runID empty:
// its current run). The future is ready once the request was delivered.
func RequestCancelExternalWorkflow(ctx Context, workflowID, runID string) Future {
	return runtimeOf(ctx).RequestCancelExternalWorkflow(ctx, "", workflowID, runID)
}
