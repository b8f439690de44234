package frontend

import (
	"context"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/tracing"
)

// maxServiceLabelSets bounds the (operation, namespace) pairs the service
// metrics resolve: a client naming ever new namespaces must not grow them
// without bound. Later pairs are counted under the namespace "_overflow_".
const maxServiceLabelSets = 8192

// serviceMetrics are Temporal's frontend metrics: service_requests,
// service_errors (unexpected failures), service_error_with_type (every
// failure by gRPC code) and service_latency, by operation and namespace.
type serviceMetrics struct {
	requests, errors metrics.CounterVec
	errorsByType     metrics.CounterVec
	latency          metrics.HistogramVec

	mu   sync.RWMutex
	sets map[serviceKey]*serviceInstruments
}

type serviceKey struct {
	operation, namespace string
}

type serviceInstruments struct {
	key              serviceKey
	requests, errors metrics.Counter
	latency          metrics.Histogram

	mu     sync.Mutex
	byCode [codes.Unauthenticated + 1]metrics.Counter // resolved on first use
}

// MetricsUnaryInterceptor records the service metrics of every unary call.
func MetricsUnaryInterceptor(reg metrics.Registry) grpc.UnaryServerInterceptor {
	labels := []string{metrics.LabelOperation, metrics.LabelNamespace}
	m := &serviceMetrics{
		requests:     reg.Counter(metrics.ServiceRequests, "RPC requests received.", labels...),
		errors:       reg.Counter(metrics.ServiceErrors, "RPC requests that failed unexpectedly (Internal, Unavailable, Unknown, DataLoss).", labels...),
		errorsByType: reg.Counter(metrics.ServiceErrorWithType, "RPC requests that failed, by gRPC code.", append(labels, metrics.LabelErrorType)...),
		latency:      reg.Histogram(metrics.ServiceLatency, "Seconds an RPC takes, long polls included.", metrics.LatencyBuckets, labels...),
		sets:         map[serviceKey]*serviceInstruments{},
	}
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		in := m.instruments(operationOf(info.FullMethod), namespaceOf(req))
		in.requests.Add(1)
		start := time.Now()
		resp, err := handler(ctx, req)
		metrics.ObserveDuration(in.latency, time.Since(start))
		if err != nil {
			m.failed(in, errorCode(err))
		}
		return resp, err
	}
}

// instruments returns the resolved instruments of one label pair.
func (m *serviceMetrics) instruments(operation, namespace string) *serviceInstruments {
	key := serviceKey{operation, namespace}
	m.mu.RLock()
	in := m.sets[key]
	m.mu.RUnlock()
	if in != nil {
		return in
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sets) >= maxServiceLabelSets {
		key.namespace = "_overflow_"
	}
	if in = m.sets[key]; in == nil {
		in = &serviceInstruments{
			key:      key,
			requests: m.requests.With(key.operation, key.namespace),
			errors:   m.errors.With(key.operation, key.namespace),
			latency:  m.latency.With(key.operation, key.namespace),
		}
		m.sets[key] = in
	}
	return in
}

// failed counts a failed call: by code always, and as an error when the code
// says the server, not the request, is at fault.
func (m *serviceMetrics) failed(in *serviceInstruments, code codes.Code) {
	switch code {
	case codes.Internal, codes.Unavailable, codes.Unknown, codes.DataLoss:
		in.errors.Add(1)
	}
	if int(code) >= len(in.byCode) {
		code = codes.Unknown
	}
	in.mu.Lock()
	c := in.byCode[code]
	if c == nil {
		c = m.errorsByType.With(in.key.operation, in.key.namespace, code.String())
		in.byCode[code] = c
	}
	in.mu.Unlock()
	c.Add(1)
}

// errorCode is the gRPC code a client will see for err: handlers return
// Temporal's serviceerror values, which the status interceptor further in
// the chain turns into statuses.
func errorCode(err error) codes.Code {
	if st, ok := status.FromError(err); ok {
		return st.Code()
	}
	return serviceerror.ToStatus(err).Code()
}

// operationOf is the method name of a full gRPC method name
// ("/temporal.api.workflowservice.v1.WorkflowService/StartWorkflowExecution"
// gives "StartWorkflowExecution"), as Temporal's operation label spells it.
func operationOf(fullMethod string) string {
	if i := strings.LastIndexByte(fullMethod, '/'); i >= 0 {
		return fullMethod[i+1:]
	}
	return fullMethod
}

// namespaceOf is the namespace a request names, "" when it names none, and
// "_invalid_" when the name could not be a label value.
func namespaceOf(req any) string {
	r, ok := req.(interface{ GetNamespace() string })
	if !ok {
		return ""
	}
	ns := r.GetNamespace()
	if len(ns) > maxNamespaceLabelBytes || !utf8.ValidString(ns) {
		return "_invalid_"
	}
	return ns
}

// maxNamespaceLabelBytes is the longest namespace name used as a label value;
// longer ones are refused by validation anyway.
const maxNamespaceLabelBytes = 255

// TracingUnaryInterceptor adds the namespace, workflow id and run id a call
// names to the call's span (started by the gRPC stats handler the server
// was given); a Start's run id comes from its response.
func TracingUnaryInterceptor(t tracing.Tracer) grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		attrs := runAttrs(req)
		resp, err := handler(ctx, req)
		if r, ok := resp.(interface{ GetRunId() string }); ok && r.GetRunId() != "" {
			attrs = setAttr(attrs, tracing.KeyRunID, r.GetRunId())
		}
		if len(attrs) > 0 {
			t.Annotate(ctx, attrs...)
		}
		return resp, err
	}
}

// runAttrs are the span attributes naming what req is about.
func runAttrs(req any) []tracing.Attr {
	var attrs []tracing.Attr
	if r, ok := req.(interface{ GetNamespace() string }); ok && r.GetNamespace() != "" {
		attrs = append(attrs, tracing.Attr{Key: tracing.KeyNamespace, Value: r.GetNamespace()})
	}
	if r, ok := req.(interface{ GetWorkflowId() string }); ok && r.GetWorkflowId() != "" {
		attrs = append(attrs, tracing.Attr{Key: tracing.KeyWorkflowID, Value: r.GetWorkflowId()})
	}
	if r, ok := req.(interface {
		GetWorkflowExecution() *commonpb.WorkflowExecution
	}); ok && r.GetWorkflowExecution() != nil {
		we := r.GetWorkflowExecution()
		if we.GetWorkflowId() != "" {
			attrs = setAttr(attrs, tracing.KeyWorkflowID, we.GetWorkflowId())
		}
		if we.GetRunId() != "" {
			attrs = setAttr(attrs, tracing.KeyRunID, we.GetRunId())
		}
	}
	return attrs
}

// setAttr sets key in attrs, replacing a value it has.
func setAttr(attrs []tracing.Attr, key, value string) []tracing.Attr {
	for i := range attrs {
		if attrs[i].Key == key {
			attrs[i].Value = value
			return attrs
		}
	}
	return append(attrs, tracing.Attr{Key: key, Value: value})
}

// RunLogAttrs are the log attributes naming the run a request is about
// ("namespace", "workflow_id", "run_id", the keys the engine's log lines
// use), as far as the request names it.
func RunLogAttrs(req any) []any {
	var out []any
	for _, a := range runAttrs(req) {
		switch a.Key {
		case tracing.KeyNamespace:
			out = append(out, "namespace", a.Value)
		case tracing.KeyWorkflowID:
			out = append(out, "workflow_id", a.Value)
		case tracing.KeyRunID:
			out = append(out, "run_id", a.Value)
		}
	}
	return out
}
