package server

import (
	"context"

	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/internal/frontend"
)

// frontendLimits are the request limits Options set.
func (s *Server) frontendLimits() frontend.Limits {
	limits := frontend.DefaultLimits()
	limits.MaxPayloadBytes = s.opts.MaxPayloadBytes
	limits.PriorityLevels = int32(s.opts.PriorityLevels)
	return limits
}

// maxRecvMsgSize is the largest request the server reads: a request may
// carry several payloads up to the limit, plus framing.
func (s *Server) maxRecvMsgSize() int {
	return max(4<<20, 4*s.opts.MaxPayloadBytes+(1<<20))
}

// newGRPCServer builds the gRPC server with every interceptor: recovery,
// telemetry, authentication, status translation, rate limits (registered
// tells which namespaces exist) and time skipping.
func (s *Server) newGRPCServer(authn *serverAuth, skipping *timeSkipping, registered func(context.Context, string) bool) *grpc.Server {
	return grpc.NewServer(s.grpcOptions(
		s.transportCredentials(),
		grpc.MaxRecvMsgSize(s.maxRecvMsgSize()),
		grpc.MaxSendMsgSize(128<<20),
		// Recovery comes first so that a panic anywhere below it answers Internal
		// for that call and the server keeps serving.
		grpc.ChainUnaryInterceptor(s.unaryChain(frontend.RecoveryUnaryInterceptor(s.log), append(append([]grpc.UnaryServerInterceptor{authn.unary(), statusInterceptor(s.log)},
			s.rateLimitInterceptors(registered)...), skipping.interceptors()...)...)...),
		grpc.ChainStreamInterceptor(frontend.RecoveryStreamInterceptor(s.log), authn.stream()),
	)...)
}
