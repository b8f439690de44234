package server

import (
	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/internal/frontend"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/observed"
)

// observedStore wraps the store the engine uses so that its calls are
// counted, timed and traced as Options.Metrics and Options.Tracer ask.
func (s *Server) observedStore(st store.Store) store.Store {
	return observed.Wrap(st, s.opts.Metrics, s.opts.Tracer)
}

// unaryChain puts the telemetry interceptors right after recovery, so that
// they see each call as its client does, and before the rest.
func (s *Server) unaryChain(recovery grpc.UnaryServerInterceptor, rest ...grpc.UnaryServerInterceptor) []grpc.UnaryServerInterceptor {
	return append(append([]grpc.UnaryServerInterceptor{recovery}, s.telemetryInterceptors()...), rest...)
}

// telemetryInterceptors record service metrics and annotate RPC spans, as
// Options.Metrics and Options.Tracer ask; none when neither is set.
func (s *Server) telemetryInterceptors() []grpc.UnaryServerInterceptor {
	var out []grpc.UnaryServerInterceptor
	if s.opts.Metrics != nil {
		out = append(out, frontend.MetricsUnaryInterceptor(s.opts.Metrics))
	}
	if s.opts.Tracer != nil {
		out = append(out, frontend.TracingUnaryInterceptor(s.opts.Tracer))
	}
	return out
}

// grpcOptions are the gRPC server options: the server's own, then
// Options.GRPCServerOptions.
func (s *Server) grpcOptions(own ...grpc.ServerOption) []grpc.ServerOption {
	return append(own, s.opts.GRPCServerOptions...)
}
