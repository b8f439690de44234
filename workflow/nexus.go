package workflow

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
	"google.golang.org/protobuf/types/known/durationpb"
)

// NexusOperationCancellationType says what canceling the context of a Nexus operation
// call does. Every type but NexusCancelAbandon asks the server to cancel the
// operation; they differ in when the call's future fails with a *sundial.CanceledError.
type NexusOperationCancellationType int

const (
	// NexusCancelWaitCompleted asks for cancellation and waits until the operation
	// ends, however it ends (the default).
	NexusCancelWaitCompleted NexusOperationCancellationType = iota
	// NexusCancelAbandon fails the future at once and leaves the operation running
	// without telling the server.
	NexusCancelAbandon
	// NexusCancelTry fails the future once the server has recorded the cancellation
	// request.
	NexusCancelTry
	// NexusCancelWaitRequested fails the future once the handler has accepted the
	// cancellation request (or with its refusal).
	NexusCancelWaitRequested
)

// reservedNexusPrefix starts endpoint and service names that Temporal keeps for itself.
const reservedNexusPrefix = "__temporal_"

// NexusOperationOptions shape how a Nexus operation is scheduled. Zero timeouts leave
// the limits to the server (the schedule-to-close timeout then is the caller's run
// timeout, or the server's maximum).
type NexusOperationOptions struct {
	// ScheduleToCloseTimeout bounds the whole operation, start attempts included.
	ScheduleToCloseTimeout time.Duration
	// ScheduleToStartTimeout bounds the time until the handler started the operation
	// (or completed it, if synchronous).
	ScheduleToStartTimeout time.Duration
	// StartToCloseTimeout bounds an asynchronous operation from its start to its end.
	StartToCloseTimeout time.Duration
	// CancellationType says what canceling the call's context does.
	CancellationType NexusOperationCancellationType
	// Summary is a one-line description the UI and CLI show for the operation.
	Summary string
	// Header is sent to the handler with the start request (Nexus headers: keys are
	// case-insensitive).
	Header map[string]string
}

// NexusOperationExecution describes a started Nexus operation.
type NexusOperationExecution struct {
	// OperationToken identifies an asynchronous operation to its handler; it is empty
	// when the operation completed synchronously.
	OperationToken string
}

// NexusOperationFuture is the result of a Nexus operation, with a second future for
// its start.
type NexusOperationFuture interface {
	Future
	// GetNexusOperationExecution is ready with a NexusOperationExecution once the
	// operation started (asynchronous operations) or completed (synchronous ones), or
	// with the operation's error if it failed before starting.
	GetNexusOperationExecution() Future
}

// NexusClient calls the operations of one Nexus service through one endpoint. The
// endpoint is registered on the server (temporal operator nexus endpoint create) and
// routes the calls to the handler's namespace and task queue.
type NexusClient interface {
	// Endpoint is the endpoint's name.
	Endpoint() string
	// Service is the service's name.
	Service() string
	// ExecuteOperation schedules operation (its name, or a nexus.OperationReference
	// or nexus.Operation from github.com/nexus-rpc/sdk-go/nexus) with input, encoded
	// by the workflow's data converter, and returns the future of its result. A failed
	// operation's future returns a *sundial.NexusOperationError whose cause says why:
	// a *sundial.ApplicationError (the handler failed it), *sundial.CanceledError,
	// *sundial.TimeoutError or *sundial.NexusHandlerError.
	ExecuteOperation(ctx Context, operation any, input any, opts NexusOperationOptions) NexusOperationFuture
}

type nexusClient struct{ endpoint, service string }

// NewNexusClient returns a client for service behind endpoint. It panics if either
// name is empty or starts with the reserved "__temporal_".
func NewNexusClient(endpoint, service string) NexusClient {
	switch {
	case endpoint == "":
		panic("workflow.NewNexusClient: empty endpoint")
	case service == "":
		panic("workflow.NewNexusClient: empty service")
	case strings.HasPrefix(endpoint, reservedNexusPrefix), strings.HasPrefix(service, reservedNexusPrefix):
		panic("workflow.NewNexusClient: endpoint and service names must not start with " + reservedNexusPrefix)
	}
	return nexusClient{endpoint: endpoint, service: service}
}

func (c nexusClient) Endpoint() string { return c.endpoint }
func (c nexusClient) Service() string  { return c.service }

func (c nexusClient) ExecuteOperation(ctx Context, operation any, input any, opts NexusOperationOptions) NexusOperationFuture {
	attrs, metadata, err := c.operationCommand(ctx, operation, input, opts)
	if err != nil {
		failed := failedFuture(ctx, fmt.Errorf("nexus operation: %w", err))
		return nexusFuture{Future: failed, started: failed}
	}
	started, result := runtimeOf(ctx).ScheduleNexusOperation(ctx, attrs, metadata, opts.CancellationType)
	return nexusFuture{Future: result, started: started}
}

type nexusFuture struct {
	Future
	started Future
}

func (f nexusFuture) GetNexusOperationExecution() Future { return f.started }

// typedOperation is satisfied by nexus.OperationReference and nexus.Operation values.
type typedOperation interface {
	Name() string
	InputType() reflect.Type
}

// namedOperation is any value naming an operation.
type namedOperation interface{ Name() string }

// operationCommand builds and validates the ScheduleNexusOperation attributes and the
// command's user metadata.
func (c nexusClient) operationCommand(ctx Context, operation any, input any, opts NexusOperationOptions) (*commandpb.ScheduleNexusOperationCommandAttributes, *sdkpb.UserMetadata, error) {
	var name string
	switch op := operation.(type) {
	case string:
		name = op
	case typedOperation:
		name = op.Name()
		if t := reflect.TypeOf(input); t != nil && op.InputType() != nil && !t.AssignableTo(op.InputType()) {
			return nil, nil, fmt.Errorf("operation %s takes %s, not %s", name, op.InputType(), t)
		}
	case namedOperation:
		name = op.Name()
	default:
		return nil, nil, fmt.Errorf("operation %T is neither a name nor a nexus.OperationReference", operation)
	}
	if name == "" {
		return nil, nil, errors.New("operation name is empty")
	}
	if opts.ScheduleToCloseTimeout < 0 || opts.ScheduleToStartTimeout < 0 || opts.StartToCloseTimeout < 0 {
		return nil, nil, fmt.Errorf("operation %s: timeouts must not be negative", name)
	}
	if opts.CancellationType < NexusCancelWaitCompleted || opts.CancellationType > NexusCancelWaitRequested {
		return nil, nil, fmt.Errorf("operation %s: unknown cancellation type %d", name, opts.CancellationType)
	}
	dc := DataConverter(ctx)
	payload, err := dc.ToPayload(input)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the input of operation %s: %w", name, err)
	}
	attrs := &commandpb.ScheduleNexusOperationCommandAttributes{
		Endpoint:  c.endpoint,
		Service:   c.service,
		Operation: name,
		Input:     payload,
	}
	if len(opts.Header) > 0 {
		attrs.NexusHeader = make(map[string]string, len(opts.Header))
		for k, v := range opts.Header {
			attrs.NexusHeader[strings.ToLower(k)] = v
		}
	}
	if opts.ScheduleToCloseTimeout > 0 {
		attrs.ScheduleToCloseTimeout = durationpb.New(opts.ScheduleToCloseTimeout)
	}
	if opts.ScheduleToStartTimeout > 0 {
		attrs.ScheduleToStartTimeout = durationpb.New(opts.ScheduleToStartTimeout)
	}
	if opts.StartToCloseTimeout > 0 {
		attrs.StartToCloseTimeout = durationpb.New(opts.StartToCloseTimeout)
	}
	var metadata *sdkpb.UserMetadata
	if opts.Summary != "" {
		summary, err := dc.ToPayload(opts.Summary)
		if err != nil {
			return nil, nil, fmt.Errorf("encoding the summary of operation %s: %w", name, err)
		}
		metadata = &sdkpb.UserMetadata{Summary: summary}
	}
	return attrs, metadata, nil
}
