package server

import (
	"context"
	"fmt"
	"math"
	"sync"

	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/serviceerror"
	"golang.org/x/time/rate"
	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/internal/clock"
)

// namespaceRateLimitExceeded is Temporal's text for a namespace over its
// requests-per-second limit.
const namespaceRateLimitExceeded = "namespace rate limit exceeded"

// RateLimit is a token bucket: on average RPS requests a second, with bursts of
// up to Burst. An RPS of zero means no limit.
type RateLimit struct {
	RPS float64
	// Burst is how many requests may come at once; default RPS rounded up
	// (at least 1).
	Burst int
}

// validate checks the numbers are usable; name says which limit it is.
func (l RateLimit) validate(name string) error {
	if math.IsNaN(l.RPS) || math.IsInf(l.RPS, 0) || l.RPS < 0 {
		return fmt.Errorf("%s: RPS must be a finite number, zero or more, got %v", name, l.RPS)
	}
	if l.Burst < 0 {
		return fmt.Errorf("%s: Burst must not be negative, got %d", name, l.Burst)
	}
	return nil
}

// newLimiter is the token bucket for l, or nil when l does not limit.
func (l RateLimit) newLimiter() *rate.Limiter {
	if l.RPS == 0 {
		return nil
	}
	burst := l.Burst
	if burst == 0 {
		burst = max(1, int(math.Min(math.Ceil(l.RPS), math.MaxInt32)))
	}
	return rate.NewLimiter(rate.Limit(l.RPS), burst)
}

// validateRateLimits checks the default limit and every per-namespace one.
func validateRateLimits(defaults RateLimit, overrides map[string]RateLimit) error {
	if err := defaults.validate("NamespaceRateLimit"); err != nil {
		return err
	}
	for name, limit := range overrides {
		if err := limit.validate(fmt.Sprintf("NamespaceRateLimits[%q]", name)); err != nil {
			return err
		}
	}
	return nil
}

// namespaceLimiter answers ResourceExhausted to requests of a namespace past its
// rate limit. Each registered namespace has its own bucket; requests naming a
// namespace that is not registered (they fail anyway) share one bucket, so
// arbitrary names cannot make the limiter grow. A long poll counts once, when
// it starts.
type namespaceLimiter struct {
	defaults  RateLimit
	overrides map[string]RateLimit
	// registered reports whether a namespace of that name exists.
	registered func(ctx context.Context, name string) bool
	clock      clock.Clock

	mu           sync.Mutex
	buckets      map[string]*rate.Limiter // registered namespaces; nil value: no limit
	unregistered *rate.Limiter
}

// newNamespaceLimiter returns nil when neither the default nor any override
// limits anything.
func newNamespaceLimiter(defaults RateLimit, overrides map[string]RateLimit, registered func(context.Context, string) bool, clk clock.Clock) *namespaceLimiter {
	limits := defaults.RPS > 0
	for _, l := range overrides {
		limits = limits || l.RPS > 0
	}
	if !limits {
		return nil
	}
	copied := make(map[string]RateLimit, len(overrides))
	for name, l := range overrides {
		copied[name] = l
	}
	return &namespaceLimiter{
		defaults:     defaults,
		overrides:    copied,
		registered:   registered,
		clock:        clk,
		buckets:      map[string]*rate.Limiter{},
		unregistered: defaults.newLimiter(),
	}
}

// bucket is the limiter for requests naming namespace, nil when unlimited.
func (l *namespaceLimiter) bucket(ctx context.Context, namespace string) *rate.Limiter {
	l.mu.Lock()
	b, ok := l.buckets[namespace]
	l.mu.Unlock()
	if ok {
		return b
	}
	if !l.registered(ctx, namespace) {
		return l.unregistered
	}
	limit, ok := l.overrides[namespace]
	if !ok {
		limit = l.defaults
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if b, ok := l.buckets[namespace]; ok {
		return b
	}
	b = limit.newLimiter()
	l.buckets[namespace] = b
	return b
}

// interceptor is the gRPC interceptor applying the limits.
func (l *namespaceLimiter) interceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		named, ok := req.(interface{ GetNamespace() string })
		if !ok || named.GetNamespace() == "" {
			return handler(ctx, req)
		}
		if b := l.bucket(ctx, named.GetNamespace()); b != nil && !b.AllowN(l.clock.Now(), 1) {
			return nil, &serviceerror.ResourceExhausted{
				Cause:   enumspb.RESOURCE_EXHAUSTED_CAUSE_RPS_LIMIT,
				Scope:   enumspb.RESOURCE_EXHAUSTED_SCOPE_NAMESPACE,
				Message: namespaceRateLimitExceeded,
			}
		}
		return handler(ctx, req)
	}
}

// rateLimitInterceptors are the interceptors enforcing the options' namespace
// rate limits (none when nothing is limited). Buckets run on the wall clock,
// also under time skipping.
func (s *Server) rateLimitInterceptors(registered func(context.Context, string) bool) []grpc.UnaryServerInterceptor {
	l := newNamespaceLimiter(s.opts.NamespaceRateLimit, s.opts.NamespaceRateLimits, registered, clock.Real())
	if l == nil {
		return nil
	}
	return []grpc.UnaryServerInterceptor{l.interceptor()}
}
