package auth

import (
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// checkCrossNamespaceCommands: a completed workflow task may start a child,
// signal or cancel a workflow in another namespace. Those commands act in
// that namespace as StartWorkflowExecution, SignalWorkflowExecution and
// RequestCancelWorkflowExecution would, so the caller needs the write role
// there too; otherwise a worker credential of one namespace could reach
// into another through its workflows.
func checkCrossNamespaceCommands(p Principal, req any) error {
	r, ok := req.(*workflowservice.RespondWorkflowTaskCompletedRequest)
	if !ok {
		return nil
	}
	for _, c := range r.GetCommands() {
		var target string
		switch {
		case c.GetStartChildWorkflowExecutionCommandAttributes() != nil:
			target = c.GetStartChildWorkflowExecutionCommandAttributes().GetNamespace()
		case c.GetSignalExternalWorkflowExecutionCommandAttributes() != nil:
			target = c.GetSignalExternalWorkflowExecutionCommandAttributes().GetNamespace()
		case c.GetRequestCancelExternalWorkflowExecutionCommandAttributes() != nil:
			target = c.GetRequestCancelExternalWorkflowExecutionCommandAttributes().GetNamespace()
		}
		if target == "" || target == r.GetNamespace() || p.Permissions.Has(target, RoleWrite) {
			continue
		}
		return status.Errorf(codes.PermissionDenied, "Request unauthorized: a %s command needs the %q role in namespace %q", c.GetCommandType(), RoleWrite, target)
	}
	return nil
}
