package server

import (
	"context"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
)

// handlerSource picks, per call, what serves it: the active term's
// handlers, or (nil) forwarding to the active node.
type handlerSource func() *term

// registerSwitched registers WorkflowService and OperatorService on g so
// that each call goes to the handlers of the term that is active when it
// arrives, through g's interceptors; while this node is a standby (source
// returns nil) calls skip the local interceptors and go to forward, which
// sends them to the active node, whose own interceptors authenticate and
// limit them.
func registerSwitched(g *grpc.Server, source handlerSource, forward grpc.UnaryServerInterceptor) {
	g.RegisterService(switchedDesc(&workflowservice.WorkflowService_ServiceDesc, func() any {
		if t := source(); t != nil {
			return t.workflow
		}
		return nil
	}, forward), standbyWorkflowService{})
	g.RegisterService(switchedDesc(&operatorservice.OperatorService_ServiceDesc, func() any {
		if t := source(); t != nil {
			return t.operator
		}
		return nil
	}, forward), standbyOperatorService{})
}

// switchedDesc copies desc with every unary method routed to current's
// implementation, or to forward when current has none.
func switchedDesc(desc *grpc.ServiceDesc, current func() any, forward grpc.UnaryServerInterceptor) *grpc.ServiceDesc {
	out := *desc
	out.Methods = make([]grpc.MethodDesc, len(desc.Methods))
	for i, m := range desc.Methods {
		generated := m.Handler
		out.Methods[i] = grpc.MethodDesc{
			MethodName: m.MethodName,
			Handler: func(placeholder any, ctx context.Context, dec func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
				if impl := current(); impl != nil {
					return generated(impl, ctx, dec, interceptor)
				}
				// The generated handler decodes the typed request and hands
				// it to forward, which never calls the local handler.
				return generated(placeholder, ctx, dec, forward)
			},
		}
	}
	return &out
}

// standbyWorkflowService and standbyOperatorService only satisfy
// RegisterService's type check: switchedDesc never calls their methods.
type standbyWorkflowService struct {
	workflowservice.UnimplementedWorkflowServiceServer
}

type standbyOperatorService struct {
	operatorservice.UnimplementedOperatorServiceServer
}
