package client

import (
	"context"

	"github.com/sundialdev/sundial/metrics"

	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Headers sent with every call.
const (
	headerAuthorization = "authorization"
	headerNamespace     = "temporal-namespace"
	headerClientName    = "client-name"
	headerClientVersion = "client-version"
	clientName          = "sundial-go"
	clientVersion       = "0.1.0"
)

// dialOptions builds the gRPC options for opts (already defaulted): transport security,
// the receive limit, the header interceptors, then the user's own options.
func dialOptions(opts Options) []grpc.DialOption {
	transport := insecure.NewCredentials()
	if opts.TLS != nil {
		transport = credentials.NewTLS(opts.TLS)
	}
	headers := []string{
		headerNamespace, opts.Namespace,
		headerClientName, clientName,
		headerClientVersion, clientVersion,
	}
	if opts.APIKey != "" {
		headers = append(headers, headerAuthorization, "Bearer "+opts.APIKey)
	}
	unary := []grpc.UnaryClientInterceptor{headerUnaryInterceptor(headers), serviceErrorInterceptor(), retryInterceptor()}
	if !metrics.IsNop(opts.MetricsHandler) {
		unary = append(unary, metricsInterceptor(opts.MetricsHandler.WithTags(metrics.RootTags(opts.Namespace))))
	}
	result := []grpc.DialOption{
		grpc.WithTransportCredentials(transport),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxReceiveMessageSize)),
		grpc.WithChainUnaryInterceptor(unary...),
		grpc.WithChainStreamInterceptor(headerStreamInterceptor(headers)),
	}
	return append(result, opts.ConnectionOptions...)
}

// withHeaders adds each header the caller has not already set on ctx.
func withHeaders(ctx context.Context, headers []string) context.Context {
	existing, _ := metadata.FromOutgoingContext(ctx)
	for i := 0; i+1 < len(headers); i += 2 {
		if len(existing.Get(headers[i])) == 0 {
			ctx = metadata.AppendToOutgoingContext(ctx, headers[i], headers[i+1])
		}
	}
	return ctx
}

func headerUnaryInterceptor(headers []string) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		return invoker(withHeaders(ctx, headers), method, req, reply, cc, callOpts...)
	}
}

func headerStreamInterceptor(headers []string) grpc.StreamClientInterceptor {
	return func(ctx context.Context, desc *grpc.StreamDesc, cc *grpc.ClientConn, method string, streamer grpc.Streamer, callOpts ...grpc.CallOption) (grpc.ClientStream, error) {
		return streamer(withHeaders(ctx, headers), desc, cc, method, callOpts...)
	}
}

// serviceErrorInterceptor turns gRPC status errors into go.temporal.io/api/serviceerror
// values, so callers can use errors.As with *serviceerror.NotFound and friends.
func serviceErrorInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		err := invoker(ctx, method, req, reply, cc, callOpts...)
		if err == nil {
			return nil
		}
		if st, ok := status.FromError(err); ok {
			return serviceerror.FromStatus(st)
		}
		return err
	}
}
