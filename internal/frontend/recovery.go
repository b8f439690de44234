// Panic recovery for the gRPC server: a panic in a handler (or in an interceptor
// inside this one) becomes an Internal status for that one call, with its stack in
// the log, instead of ending the process.

package frontend

import (
	"context"
	"log/slog"
	"runtime/debug"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// errPanicked is what a client sees for a call whose handler panicked. It names no
// internals: the details are in the server's log.
var errPanicked = status.Error(codes.Internal, "Internal error: the server failed while handling the request.")

// RecoveryUnaryInterceptor turns a panic in a unary call into codes.Internal and
// logs the panic value and stack on log.
func RecoveryUnaryInterceptor(log *slog.Logger) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
		defer func() {
			if p := recover(); p != nil {
				logPanic(ctx, log, info.FullMethod, p, RunLogAttrs(req)...)
				resp, err = nil, errPanicked
			}
		}()
		return handler(ctx, req)
	}
}

// RecoveryStreamInterceptor turns a panic in a streaming call into codes.Internal
// and logs the panic value and stack on log.
func RecoveryStreamInterceptor(log *slog.Logger) grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) (err error) {
		defer func() {
			if p := recover(); p != nil {
				logPanic(ss.Context(), log, info.FullMethod, p)
				err = errPanicked
			}
		}()
		return handler(srv, ss)
	}
}

func logPanic(ctx context.Context, log *slog.Logger, method string, p any, run ...any) {
	log.ErrorContext(ctx, "panic in gRPC handler", append([]any{"method", method, "panic", p, "stack", string(debug.Stack())}, run...)...)
}
