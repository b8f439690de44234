package timeskip

import (
	"context"
	"strings"

	"google.golang.org/grpc"
)

const workflowServicePrefix = "/temporal.api.workflowservice.v1.WorkflowService/"

// UnaryServerInterceptor holds time still (see Controller.Hold) while a
// WorkflowService request that changes or reads state is applied, as Temporal's
// test server does, so that a jump never lands between a request's arrival and
// the work it creates being counted. Requests that wait for something to happen
// are let through unheld, since holding them would stop the very time they wait
// on: long polls (every method named Poll*), history reads that wait for a new
// event, and updates, which wait for a worker's answer.
func (c *Controller) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		if !holdsTime(info.FullMethod, req) {
			return handler(ctx, req)
		}
		release := c.Hold()
		defer release()
		return handler(ctx, req)
	}
}

// holdsTime reports whether a request to fullMethod must hold time still.
func holdsTime(fullMethod string, req any) bool {
	method, ok := strings.CutPrefix(fullMethod, workflowServicePrefix)
	if !ok {
		return false
	}
	if strings.HasPrefix(method, "Poll") {
		return false
	}
	switch method {
	case "UpdateWorkflowExecution", "ExecuteMultiOperation":
		return false
	case "GetWorkflowExecutionHistory":
		waiting, ok := req.(interface{ GetWaitNewEvent() bool })
		return !ok || !waiting.GetWaitNewEvent()
	}
	return true
}
