// Validation of RespondWorkflowTaskCompleted: the request itself, the order of its
// commands, each command's attributes and the protocol messages it carries.

package frontend

import (
	"errors"
	"fmt"
	"sort"

	commandpb "go.temporal.io/api/command/v1"
	enumspb "go.temporal.io/api/enums/v1"
	protocolpb "go.temporal.io/api/protocol/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// CommandError reports a command (or protocol message) in a RespondWorkflowTaskCompleted
// request that is malformed. Unlike the plain InvalidArgument errors, which reject the
// request and change nothing, a CommandError is for the engine to record: it fails the
// workflow task with Cause and Message (a WorkflowTaskFailed event) and then answers the
// worker with the InvalidArgument status this error converts to.
type CommandError struct {
	// Index is the command's position in Commands, or -1 when the problem is in a
	// protocol message that no ProtocolMessage command refers to.
	Index int
	// Type is the command's type; unspecified when Index is -1.
	Type enumspb.CommandType
	// Cause is the WorkflowTaskFailed cause to record.
	Cause enumspb.WorkflowTaskFailedCause
	// Message says what is wrong, for the WorkflowTaskFailed failure and the status.
	Message string
}

// Error describes the problem as Temporal does, "<Cause>: <message>" (its
// workflowTaskFailedCause.Message), followed by where it is.
func (e *CommandError) Error() string {
	if e.Index < 0 {
		return fmt.Sprintf("%v: %s (in a protocol message)", e.Cause, e.Message)
	}
	return fmt.Sprintf("%v: %s (Commands[%d], %s)", e.Cause, e.Message, e.Index, enumName(e.Type))
}

// Status converts the error to an InvalidArgument status; it makes CommandError a
// serviceerror.ServiceError.
func (e *CommandError) Status() *status.Status {
	return status.New(codes.InvalidArgument, e.Error())
}

// GRPCStatus lets grpc-go send the error as InvalidArgument when a handler returns it.
func (e *CommandError) GRPCStatus() *status.Status { return e.Status() }

var _ serviceerror.ServiceError = (*CommandError)(nil)

// causedError carries a cause that overrides the command's default one, for problems
// such as oversized payloads that have a cause of their own.
type causedError struct {
	cause enumspb.WorkflowTaskFailedCause
	err   error
}

func (e *causedError) Error() string { return e.err.Error() }
func (e *causedError) Unwrap() error { return e.err }

func withCause(cause enumspb.WorkflowTaskFailedCause, err error) error {
	if err == nil {
		return nil
	}
	return &causedError{cause: cause, err: err}
}

// validateRespondWorkflowTaskCompleted checks the request, the command sequence, every
// command's attributes and every protocol message. Problems with the request as a
// whole (token, namespace, sticky attributes, query results, an unknown command type, a
// workflow-closing command that is not last) come back as InvalidArgument; problems
// inside one command or message come back as *CommandError.
func validateRespondWorkflowTaskCompleted(req *workflowservice.RespondWorkflowTaskCompletedRequest, lim Limits) error {
	if req == nil {
		return errNilRequest()
	}
	c := newChecker(lim, scopeRequest)
	if err := firstError(
		c.taskToken(req.GetTaskToken()),
		c.namespace(req.GetNamespace()),
		c.optional("Identity", req.GetIdentity()),
		c.stickyAttributes(req),
		c.queryResults(req),
		validateCommandSequence(req.GetCommands()),
		workerDeploymentOptions(lim, req.GetDeploymentOptions()),
		knownEnum("VersioningBehavior", req.GetVersioningBehavior()),
	); err != nil {
		return err
	}
	messages := make(map[string]*protocolpb.Message, len(req.GetMessages()))
	for _, m := range req.GetMessages() {
		messages[m.GetId()] = m
	}
	referenced := make(map[string]bool)
	for i, cmd := range req.GetCommands() {
		if id := cmd.GetProtocolMessageCommandAttributes().GetMessageId(); id != "" {
			referenced[id] = true
		}
		if err := validateCommand(cmd, lim, messages); err != nil {
			return toCommandError(i, cmd.GetCommandType(), err)
		}
	}
	for _, m := range req.GetMessages() {
		if referenced[m.GetId()] && m.GetId() != "" {
			continue // already checked with the command that refers to it
		}
		if err := validateProtocolMessage(m, lim); err != nil {
			return toCommandError(-1, enumspb.COMMAND_TYPE_UNSPECIFIED, err)
		}
	}
	return nil
}

// toCommandError turns a rule's error into a CommandError with the rule's cause, or
// the cause the error carries.
func toCommandError(index int, typ enumspb.CommandType, err error) *CommandError {
	cause := commandRules[typ].cause
	if index < 0 {
		cause = enumspb.WORKFLOW_TASK_FAILED_CAUSE_BAD_UPDATE_WORKFLOW_EXECUTION_MESSAGE
	}
	var ce *causedError
	if errors.As(err, &ce) {
		cause = ce.cause
	}
	return &CommandError{Index: index, Type: typ, Cause: cause, Message: err.Error()}
}

// validateCommandSequence refuses unknown command types and a workflow-closing command
// that is followed by others.
func validateCommandSequence(cmds []*commandpb.Command) error {
	for i, cmd := range cmds {
		typ := cmd.GetCommandType()
		rule, known := commandRules[typ]
		if !known {
			return invalid("Commands[%d] has unknown command type %s.", i, enumName(typ))
		}
		if rule.closesWorkflow && i != len(cmds)-1 {
			return invalid("Commands[%d] is %s, which closes the workflow and must be the last command, but %d more follow.",
				i, enumName(typ), len(cmds)-1-i)
		}
	}
	return nil
}

// validateCommand checks one command whose type validateCommandSequence accepted.
func validateCommand(cmd *commandpb.Command, lim Limits, messages map[string]*protocolpb.Message) error {
	rule := commandRules[cmd.GetCommandType()]
	c := newChecker(lim, rule.name)
	if err := rule.check(c, cmd, messages); err != nil {
		return err
	}
	return c.payloadBlob("UserMetadata", cmd.GetUserMetadata())
}

// attributesNotSet reports a command whose attributes are missing or belong to another
// command type.
func (c checker) attributesNotSet(cmd *commandpb.Command, want string) error {
	m := cmd.ProtoReflect()
	if fd := m.WhichOneof(m.Descriptor().Oneofs().ByName("attributes")); fd != nil {
		return invalid("%s is not set on %s; it carries %s instead.", want, c.scope, fd.Message().Name())
	}
	return invalid("%s is not set on %s.", want, c.scope)
}

// stickyAttributes checks the optional sticky execution attributes.
func (c checker) stickyAttributes(req *workflowservice.RespondWorkflowTaskCompletedRequest) error {
	sa := req.GetStickyAttributes()
	if sa == nil {
		return nil
	}
	return firstError(
		c.taskQueue("StickyAttributes.WorkerTaskQueue", sa.GetWorkerTaskQueue()),
		c.duration("StickyAttributes.ScheduleToStartTimeout", sa.GetScheduleToStartTimeout()),
	)
}

// queryResults checks the answers to queries that came with the workflow task.
func (c checker) queryResults(req *workflowservice.RespondWorkflowTaskCompletedRequest) error {
	results := req.GetQueryResults()
	ids := make([]string, 0, len(results))
	for id := range results {
		ids = append(ids, id)
	}
	sort.Strings(ids) // report the same problem first every time
	for _, id := range ids {
		r := results[id]
		field := fmt.Sprintf("QueryResults[%s]", quote(id))
		if id == "" {
			return invalid("QueryResults has an entry with an empty query id.")
		}
		if r == nil {
			return c.notSet(field)
		}
		switch r.GetResultType() {
		case enumspb.QUERY_RESULT_TYPE_ANSWERED, enumspb.QUERY_RESULT_TYPE_FAILED:
		default:
			return invalid("%s.ResultType must be QUERY_RESULT_TYPE_ANSWERED or QUERY_RESULT_TYPE_FAILED, got %s.", field, enumName(r.GetResultType()))
		}
		if err := firstError(
			c.blob(field+".Answer", r.GetAnswer()),
			c.blob(field+".Failure", r.GetFailure()),
		); err != nil {
			return err
		}
	}
	return nil
}

// validateProtocolMessage checks the envelope of a protocol message; its body is the
// update protocol's to interpret.
func validateProtocolMessage(m *protocolpb.Message, lim Limits) error {
	c := newChecker(lim, "protocol message")
	if m == nil {
		return invalid("Messages contains a nil message.")
	}
	if m.GetId() == "" {
		return c.notSet("Id")
	}
	return firstError(
		c.optional("Id", m.GetId()),
		c.required("ProtocolInstanceId", m.GetProtocolInstanceId()),
		bodySet(m),
		c.payloadBlob("Body", m.GetBody()),
	)
}

func bodySet(m *protocolpb.Message) error {
	if m.GetBody() == nil {
		return invalid("Body is not set on protocol message %s.", quote(m.GetId()))
	}
	return nil
}
