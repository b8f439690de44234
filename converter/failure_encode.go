package converter

import (
	"errors"
	"fmt"
	"reflect"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	failurepb "go.temporal.io/api/failure/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"
)

// panicErrorType is the application failure type of a panic, shared with Temporal's Go SDK.
const panicErrorType = "PanicError"

// messenger is implemented by errors whose failure message differs from Error(), which
// adds decorations (type, cause).
type messenger interface{ Message() string }

func (c *defaultFailureConverter) ErrorToFailure(err error) *failurepb.Failure {
	if err == nil {
		return nil
	}
	if original := sundial.OriginalFailure(err); original != nil {
		return proto.CloneOf(original)
	}
	failure := &failurepb.Failure{Source: failureSource, Message: err.Error()}
	if m, ok := err.(messenger); ok {
		failure.Message = m.Message()
	}
	c.setFailureInfo(failure, err)
	failure.Cause = c.ErrorToFailure(errors.Unwrap(err))
	if c.encodeCommonAttributes {
		c.encodeAttributes(failure)
	}
	return failure
}

// setFailureInfo fills the failure-info one-of (and the stack trace of panics).
func (c *defaultFailureConverter) setFailureInfo(failure *failurepb.Failure, err error) {
	switch e := err.(type) {
	case *sundial.ApplicationError:
		info := &failurepb.ApplicationFailureInfo{
			Type:         e.Type(),
			NonRetryable: e.NonRetryable(),
			Details:      c.encodeDetails(failure, e),
			Category:     enumspb.ApplicationErrorCategory(e.Category()),
		}
		if d := e.NextRetryDelay(); d > 0 {
			info.NextRetryDelay = durationpb.New(d)
		}
		failure.FailureInfo = &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: info}
	case *sundial.CanceledError:
		failure.FailureInfo = &failurepb.Failure_CanceledFailureInfo{CanceledFailureInfo: &failurepb.CanceledFailureInfo{
			Details: c.encodeDetails(failure, e),
		}}
	case *sundial.TimeoutError:
		failure.FailureInfo = &failurepb.Failure_TimeoutFailureInfo{TimeoutFailureInfo: &failurepb.TimeoutFailureInfo{
			TimeoutType:          e.TimeoutType(),
			LastHeartbeatDetails: c.encodeDetails(failure, e),
		}}
	case *sundial.TerminatedError:
		failure.FailureInfo = &failurepb.Failure_TerminatedFailureInfo{TerminatedFailureInfo: &failurepb.TerminatedFailureInfo{}}
	case *sundial.ServerError:
		failure.FailureInfo = &failurepb.Failure_ServerFailureInfo{ServerFailureInfo: &failurepb.ServerFailureInfo{
			NonRetryable: e.NonRetryable(),
		}}
	case *sundial.PanicError:
		failure.StackTrace = e.StackTrace()
		failure.FailureInfo = &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{
			Type: panicErrorType,
		}}
	case *sundial.ActivityError:
		failure.FailureInfo = &failurepb.Failure_ActivityFailureInfo{ActivityFailureInfo: &failurepb.ActivityFailureInfo{
			ScheduledEventId: e.ScheduledEventID(),
			StartedEventId:   e.StartedEventID(),
			Identity:         e.Identity(),
			ActivityType:     &commonpb.ActivityType{Name: e.ActivityType()},
			ActivityId:       e.ActivityID(),
			RetryState:       e.RetryState(),
		}}
	case *sundial.ChildWorkflowError:
		failure.FailureInfo = &failurepb.Failure_ChildWorkflowExecutionFailureInfo{ChildWorkflowExecutionFailureInfo: &failurepb.ChildWorkflowExecutionFailureInfo{
			Namespace:         e.Namespace(),
			WorkflowExecution: &commonpb.WorkflowExecution{WorkflowId: e.WorkflowID(), RunId: e.RunID()},
			WorkflowType:      &commonpb.WorkflowType{Name: e.WorkflowType()},
			InitiatedEventId:  e.InitiatedEventID(),
			StartedEventId:    e.StartedEventID(),
			RetryState:        e.RetryState(),
		}}
	case *sundial.NexusOperationError:
		failure.FailureInfo = nexusOperationFailureInfo(e)
	case *sundial.NexusHandlerError:
		failure.FailureInfo = nexusHandlerFailureInfo(e)
	default:
		failure.FailureInfo = &failurepb.Failure_ApplicationFailureInfo{ApplicationFailureInfo: &failurepb.ApplicationFailureInfo{
			Type: goErrorTypeName(err),
		}}
	}
}

// encodeDetails encodes an error's details. Details decoded from a failure are passed on
// as received. If encoding fails the failure is still sent, without details, and its
// message says why.
func (c *defaultFailureConverter) encodeDetails(failure *failurepb.Failure, err error) *commonpb.Payloads {
	values := sundial.DetailValues(err)
	if len(values) == 0 {
		return nil
	}
	if len(values) == 1 {
		if ev, ok := values[0].(interface{ Payloads() *commonpb.Payloads }); ok {
			return ev.Payloads()
		}
	}
	payloads, encErr := c.dataConverter.ToPayloads(values...)
	if encErr != nil {
		failure.Message = fmt.Sprintf("%s (details dropped: %v)", failure.Message, encErr)
		return nil
	}
	return payloads
}

// encodedAttributes is the JSON object that carries a failure's message and stack trace
// when common attributes are encoded; other SDKs read the same field names.
type encodedAttributes struct {
	Message    string `json:"message"`
	StackTrace string `json:"stack_trace"`
}

// encodeAttributes moves message and stack trace into Failure.encoded_attributes. If the
// data converter fails, the failure is left readable rather than lost.
func (c *defaultFailureConverter) encodeAttributes(failure *failurepb.Failure) {
	payload, err := c.dataConverter.ToPayload(encodedAttributes{Message: failure.GetMessage(), StackTrace: failure.GetStackTrace()})
	if err != nil {
		return
	}
	failure.EncodedAttributes = payload
	failure.Message = encodedFailureMessage
	failure.StackTrace = ""
}

// goErrorTypeName is the name of err's type with pointers removed, or "" for the
// anonymous type of errors.New, matching the type Temporal's Go SDK reports.
func goErrorTypeName(err error) string {
	t := reflect.TypeOf(err)
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == errorsNewType {
		return ""
	}
	return t.Name()
}

var errorsNewType = reflect.TypeOf(errors.New("")).Elem()
