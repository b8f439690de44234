package client

import (
	"context"
	"math/rand/v2"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Backoff of retried calls: 200ms, doubling, at most 10s apart, with ±20% jitter. A
// call is retried until it succeeds, fails with a non-transient error, or its context
// ends; the context's deadline (10s by default) bounds the whole.
const (
	retryInitialInterval = 200 * time.Millisecond
	retryMaximumInterval = 10 * time.Second
	retryBackoff         = 2
	retryJitter          = 0.2
)

// isTransient reports whether a failed call may succeed if sent again, using the codes
// Temporal's SDKs retry. Internal is not retried: Sundial (and Temporal servers that
// advertise internal_error_differentiation) use it only for bugs.
func isTransient(err error) bool {
	st, ok := status.FromError(err)
	if !ok {
		return false
	}
	switch st.Code() {
	case codes.Unavailable, codes.Aborted, codes.Unknown:
		return true
	case codes.ResourceExhausted:
		// A message over the size limit will never fit; anything else is throttling.
		msg := st.Message()
		return !strings.HasPrefix(msg, "grpc: received message larger than max") &&
			!strings.HasPrefix(msg, "grpc: message after decompression larger than max")
	default:
		return false
	}
}

// retryInterceptor resends calls that failed transiently. Requests that create things
// carry request ids, so the server recognises a resent one.
func retryInterceptor() grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		interval := retryInitialInterval
		for {
			err := invoker(ctx, method, req, reply, cc, callOpts...)
			if err == nil || !isTransient(err) {
				return err
			}
			timer := time.NewTimer(jittered(interval))
			select {
			case <-ctx.Done():
				timer.Stop()
				return err
			case <-timer.C:
			}
			interval = min(interval*retryBackoff, retryMaximumInterval)
		}
	}
}

func jittered(d time.Duration) time.Duration {
	factor := 1 + retryJitter*(2*rand.Float64()-1)
	return time.Duration(float64(d) * factor)
}
