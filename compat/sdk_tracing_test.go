package compat

import (
	"context"
	"errors"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.temporal.io/sdk/client"
	temporalotel "go.temporal.io/sdk/contrib/opentelemetry"
	"go.temporal.io/sdk/interceptor"
	"go.temporal.io/sdk/worker"
	"go.temporal.io/sdk/workflow"

	sdclient "github.com/sundialdev/sundial/client"
	sundialotel "github.com/sundialdev/sundial/contrib/opentelemetry"
	sdworker "github.com/sundialdev/sundial/worker"
	sdworkflow "github.com/sundialdev/sundial/workflow"
)

// The tests here prove that a trace crosses SDKs: spans made by Temporal's Go SDK with
// its OpenTelemetry interceptor and by Sundial's SDK with contrib/opentelemetry join
// one trace, whichever side starts the workflow and whichever runs it.

// tracingPair is one tracer provider (spans go to exporter) seen through both SDKs'
// OpenTelemetry tracing.
type tracingPair struct {
	exporter *tracetest.InMemoryExporter
	temporal interceptor.Interceptor
	sundial  *sundialotel.Tracer
}

func newTracingPair(t *testing.T) tracingPair {
	t.Helper()
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	official, err := temporalotel.NewTracingInterceptor(temporalotel.TracerOptions{Tracer: provider.Tracer("temporal-sdk-go")})
	if err != nil {
		t.Fatal(err)
	}
	ours := sundialotel.NewTracer(sundialotel.TracerOptions{Tracer: provider.Tracer("sundial-sdk-go"), OnError: func(err error) { t.Error(err) }})
	return tracingPair{exporter: exporter, temporal: official, sundial: ours}
}

// requireSpanChain checks that spans named names exist once each and each is the child
// of the one before, in one trace.
func requireSpanChain(t *testing.T, spans tracetest.SpanStubs, names ...string) {
	t.Helper()
	byName := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		if _, dup := byName[s.Name]; dup {
			t.Errorf("span %s emitted twice", s.Name)
		}
		byName[s.Name] = s
	}
	for i, name := range names {
		s, ok := byName[name]
		if !ok {
			var have []string
			for _, s := range spans {
				have = append(have, s.Name)
			}
			t.Fatalf("no span %s; have %v", name, have)
		}
		if i == 0 {
			continue
		}
		p := byName[names[i-1]]
		if s.Parent.SpanID() != p.SpanContext.SpanID() || s.SpanContext.TraceID() != p.SpanContext.TraceID() {
			t.Errorf("%s is not a child of %s", name, names[i-1])
		}
	}
}

func tracedGreet(_ context.Context, name string) (string, error) { return "Hello, " + name, nil }

func sundialTracedGreeting(ctx sdworkflow.Context, name string) (string, error) {
	ctx = sdworkflow.WithActivityOptions(ctx, sdworkflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var s string
	err := sdworkflow.ExecuteActivity(ctx, "TracedGreet", name).Get(ctx, &s)
	return s, err
}

func temporalTracedGreeting(ctx workflow.Context, name string) (string, error) {
	ctx = workflow.WithActivityOptions(ctx, workflow.ActivityOptions{StartToCloseTimeout: 10 * time.Second})
	var s string
	err := workflow.ExecuteActivity(ctx, "TracedGreet", name).Get(ctx, &s)
	return s, err
}

// TestTraceFromTemporalClientIntoSundialWorker starts a workflow with Temporal's
// client and its tracing interceptor; Sundial's worker runs it.
func TestTraceFromTemporalClientIntoSundialWorker(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		pair := newTracingPair(t)
		queue := uniqueName(t, "trace-in")
		ctx := testContext(t, 30*time.Second)
		sc, err := sdclient.Dial(ctx, sdclient.Options{HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: sdkLogger(t), Tracer: pair.sundial})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sc.Close() })
		sdkStartWorker(t, sc, queue, func(w *sdworker.Worker) error {
			return errors.Join(w.RegisterWorkflowWithOptions(sundialTracedGreeting, sdworker.RegisterWorkflowOptions{Name: "TracedGreeting"}),
				w.RegisterActivityWithOptions(tracedGreet, sdworker.RegisterActivityOptions{Name: "TracedGreet"}))
		})
		tc, err := client.DialContext(ctx, client.Options{HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: newSDKLogger(t),
			Interceptors: []interceptor.ClientInterceptor{pair.temporal}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(tc.Close)
		run, err := tc.ExecuteWorkflow(ctx, client.StartWorkflowOptions{TaskQueue: queue}, "TracedGreeting", "Mo")
		if err != nil {
			t.Fatal(err)
		}
		var result string
		if err := run.Get(ctx, &result); err != nil || result != "Hello, Mo" {
			t.Fatalf("result %q, %v", result, err)
		}
		requireSpanChain(t, pair.exporter.GetSpans(),
			"StartWorkflow:TracedGreeting", "RunWorkflow:TracedGreeting", "StartActivity:TracedGreet", "RunActivity:TracedGreet")
	})
}

// TestTraceFromSundialClientIntoTemporalWorker starts a workflow with Sundial's client
// and its tracer; Temporal's worker, with its tracing interceptor, runs it.
func TestTraceFromSundialClientIntoTemporalWorker(t *testing.T) {
	onBothServers(t, func(t *testing.T, tg target) {
		pair := newTracingPair(t)
		queue := uniqueName(t, "trace-out")
		ctx := testContext(t, 30*time.Second)
		tc, err := client.DialContext(ctx, client.Options{HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: newSDKLogger(t),
			Interceptors: []interceptor.ClientInterceptor{pair.temporal}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(tc.Close)
		startWorker(t, tc, queue, func(r worker.Registry) {
			r.RegisterWorkflowWithOptions(temporalTracedGreeting, workflow.RegisterOptions{Name: "TracedGreeting"})
		})
		// The activity runs on a Sundial worker: the trace goes from Sundial to
		// Temporal's SDK and back.
		sc, err := sdclient.Dial(ctx, sdclient.Options{HostPort: tg.HostPort, Namespace: tg.Namespace, Logger: sdkLogger(t), Tracer: pair.sundial})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { _ = sc.Close() })
		sdkStartWorker(t, sc, queue, func(w *sdworker.Worker) error {
			return w.RegisterActivityWithOptions(tracedGreet, sdworker.RegisterActivityOptions{Name: "TracedGreet"})
		})
		run, err := sc.ExecuteWorkflow(ctx, sdclient.StartWorkflowOptions{TaskQueue: queue}, "TracedGreeting", "Mo")
		if err != nil {
			t.Fatal(err)
		}
		var result string
		if err := run.Get(ctx, &result); err != nil || result != "Hello, Mo" {
			t.Fatalf("result %q, %v", result, err)
		}
		requireSpanChain(t, pair.exporter.GetSpans(),
			"StartWorkflow:TracedGreeting", "RunWorkflow:TracedGreeting", "StartActivity:TracedGreet", "RunActivity:TracedGreet")
	})
}
