package workflowrt

import (
	"fmt"
	"reflect"
	"strings"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	updatepb "go.temporal.io/api/update/v1"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/anypb"
)

// Suffixes of the protocol message ids the runtime sends, as Temporal's Go SDK names
// them; matching an update's events relies on them.
const (
	acceptSuffix   = "/accept"
	rejectSuffix   = "/reject"
	completeSuffix = "/complete"
)

// updateHandler runs one update type.
type updateHandler struct {
	handler   func(ctx Context, args *commonpb.Payloads) (*commonpb.Payloads, error)
	validator func(args *commonpb.Payloads) error
}

// SetUpdateHandler registers handler for updates named name. handler is a function
// func(Context, args...) (result, error) or func(Context, args...) error; validator, if
// not nil, is func(args...) error with the same arguments and must not block: an error
// rejects the update before it is recorded in history. Validators do not run on replay.
func SetUpdateHandler(ctx Context, name string, handler, validator any) error {
	env := envFrom(ctx)
	fn := reflect.ValueOf(handler)
	if fn.Kind() != reflect.Func || fn.Type().NumIn() == 0 || fn.Type().In(0) != contextType {
		return fmt.Errorf("update handler for %q: %T must be a function taking workflow.Context first", name, handler)
	}
	if err := checkResultTypes(fn.Type()); err != nil {
		return fmt.Errorf("update handler for %q: %w", name, err)
	}
	h := &updateHandler{handler: func(ctx Context, args *commonpb.Payloads) (*commonpb.Payloads, error) {
		in, err := decodeArgs(env.dataConverter, fn.Type(), 1, args)
		if err != nil {
			return nil, fmt.Errorf("decoding arguments of update %q: %w", name, err)
		}
		return encodeResults(env.dataConverter, fn.Call(append([]reflect.Value{reflect.ValueOf(ctx)}, in...)))
	}}
	if validator != nil {
		v := reflect.ValueOf(validator)
		if v.Kind() != reflect.Func || v.Type().NumOut() != 1 || v.Type().Out(0) != errorType {
			return fmt.Errorf("update validator for %q: %T must be a function returning error", name, validator)
		}
		h.validator = func(args *commonpb.Payloads) error {
			in, err := decodeArgs(env.dataConverter, v.Type(), 0, args)
			if err != nil {
				return fmt.Errorf("decoding arguments of update %q: %w", name, err)
			}
			if out := v.Call(in)[0]; !out.IsNil() {
				return out.Interface().(error)
			}
			return nil
		}
	}
	env.updateHandlers[name] = h
	// Updates that arrived before their handler was registered run now.
	var still []*updateRequest
	for _, req := range env.unhandledUpdates {
		if req.req.GetInput().GetName() == name {
			env.startUpdate(req)
		} else {
			still = append(still, req)
		}
	}
	env.unhandledUpdates = still
	return nil
}

// AllHandlersFinished reports whether no update handler is running, for
// Await(ctx, AllHandlersFinished) before a workflow returns.
func AllHandlersFinished(ctx Context) bool { return envFrom(ctx).runningUpdates == 0 }

// updateRequest is an update delivered to the run.
type updateRequest struct {
	msg *protocolpb.Message
	req *updatepb.Request
}

// deliverUpdates hands update requests to their handlers: from the task's messages when
// live, from WorkflowExecutionUpdateAccepted events on replay.
func (e *runEnv) deliverUpdates(msgs []*protocolpb.Message) error {
	for _, msg := range msgs {
		var req updatepb.Request
		if err := msg.GetBody().UnmarshalTo(&req); err != nil {
			return fmt.Errorf("decoding update request %s: %w", msg.GetId(), err)
		}
		r := &updateRequest{msg: msg, req: &req}
		if _, ok := e.updateHandlers[req.GetInput().GetName()]; !ok {
			e.unhandledUpdates = append(e.unhandledUpdates, r)
			continue
		}
		e.startUpdate(r)
	}
	return nil
}

// startUpdate runs the validator and handler of r in a new coroutine.
func (e *runEnv) startUpdate(r *updateRequest) {
	h := e.updateHandlers[r.req.GetInput().GetName()]
	id := r.req.GetMeta().GetUpdateId()
	e.runningUpdates++
	e.sched.spawn("update "+id, func() {
		defer func() { e.runningUpdates-- }()
		args := r.req.GetInput().GetArgs()
		if h.validator != nil && !e.replaying {
			if err := h.validator(args); err != nil {
				e.rejectUpdate(r, err)
				return
			}
		}
		e.sendUpdateMessage(id+acceptSuffix, id, &updatepb.Acceptance{
			AcceptedRequestMessageId:         r.msg.GetId(),
			AcceptedRequestSequencingEventId: r.msg.GetEventId(),
			AcceptedRequest:                  r.req,
		}, true)
		result, err := h.handler(e.root, args)
		outcome := &updatepb.Outcome{}
		if err != nil {
			outcome.Value = &updatepb.Outcome_Failure{Failure: e.failureConverter.ErrorToFailure(err)}
		} else {
			outcome.Value = &updatepb.Outcome_Success{Success: result}
		}
		e.sendUpdateMessage(id+completeSuffix, id, &updatepb.Response{Meta: r.req.GetMeta(), Outcome: outcome}, true)
	})
}

// rejectUnhandledUpdates rejects updates no handler was registered for by the time the
// code blocked.
func (e *runEnv) rejectUnhandledUpdates() {
	waiting := e.unhandledUpdates
	e.unhandledUpdates = nil
	for _, r := range waiting {
		e.rejectUpdate(r, fmt.Errorf("the workflow has no handler for it; known updates: %v", sortedKeys(e.updateHandlers)))
	}
}

// rejectUpdate answers r with a rejection carrying err. The failure keeps err's type
// and details, so callers can match on them, but reads as what it is: the message
// names the update and says it was rejected, and it is non-retryable (sending the same
// update again meets the same validator).
func (e *runEnv) rejectUpdate(r *updateRequest, err error) {
	id := r.req.GetMeta().GetUpdateId()
	failure := e.failureConverter.ErrorToFailure(err)
	failure.Message = fmt.Sprintf("update %q rejected: %s", r.req.GetInput().GetName(), failure.GetMessage())
	if info := failure.GetApplicationFailureInfo(); info != nil {
		info.NonRetryable = true
	}
	e.sendUpdateMessage(id+rejectSuffix, id, &updatepb.Rejection{
		RejectedRequestMessageId:         r.msg.GetId(),
		RejectedRequestSequencingEventId: r.msg.GetEventId(),
		RejectedRequest:                  r.req,
		Failure:                          failure,
	}, false)
}

// sendUpdateMessage queues a protocol message, with the command that places its event
// in the command sequence when it produces one (acceptance and completion).
func (e *runEnv) sendUpdateMessage(msgID, updateID string, body proto.Message, withCommand bool) {
	anyBody, err := anypb.New(body)
	if err != nil {
		panic(fmt.Sprintf("encoding update message %s: %v", msgID, err))
	}
	e.outgoingMessages = append(e.outgoingMessages, &protocolpb.Message{Id: msgID, ProtocolInstanceId: updateID, Body: anyBody})
	if withCommand {
		e.addCommand(&commandpb.Command{
			CommandType: enumspb.COMMAND_TYPE_PROTOCOL_MESSAGE,
			Attributes: &commandpb.Command_ProtocolMessageCommandAttributes{
				ProtocolMessageCommandAttributes: &commandpb.ProtocolMessageCommandAttributes{MessageId: msgID},
			},
		}, false)
	}
}

// takeMessages returns the protocol messages produced since the last call.
func (e *runEnv) takeMessages() []*protocolpb.Message {
	out := e.outgoingMessages
	e.outgoingMessages = nil
	return out
}

// acceptedUpdates rebuilds the requests of the updates a batch records as accepted.
func acceptedUpdates(b batch) []*protocolpb.Message {
	var msgs []*protocolpb.Message
	for _, ev := range b.events {
		attrs := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes()
		if attrs == nil {
			continue
		}
		body, err := anypb.New(attrs.GetAcceptedRequest())
		if err != nil {
			continue
		}
		msgs = append(msgs, &protocolpb.Message{
			Id:                 attrs.GetAcceptedRequestMessageId(),
			ProtocolInstanceId: attrs.GetProtocolInstanceId(),
			SequencingId:       &protocolpb.Message_EventId{EventId: attrs.GetAcceptedRequestSequencingEventId()},
			Body:               body,
		})
	}
	return msgs
}

// protocolMessageMatches compares a ProtocolMessage command with an update event.
func protocolMessageMatches(c *commandpb.Command, ev *historypb.HistoryEvent) bool {
	msgID := c.GetProtocolMessageCommandAttributes().GetMessageId()
	switch {
	case strings.HasSuffix(msgID, acceptSuffix):
		attrs := ev.GetWorkflowExecutionUpdateAcceptedEventAttributes()
		return attrs != nil && attrs.GetProtocolInstanceId()+acceptSuffix == msgID
	case strings.HasSuffix(msgID, completeSuffix):
		attrs := ev.GetWorkflowExecutionUpdateCompletedEventAttributes()
		return attrs != nil && attrs.GetMeta().GetUpdateId()+completeSuffix == msgID
	}
	return false
}
