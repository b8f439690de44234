package opentelemetry_test

import (
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/contrib/opentelemetry"
	"github.com/sundialdev/sundial/worker"
	"github.com/sundialdev/sundial/workflow"
)

// newTracer returns a Tracer whose spans end up in the returned exporter.
func newTracer(t *testing.T) (*opentelemetry.Tracer, *tracetest.InMemoryExporter) {
	t.Helper()
	exporter := tracetest.NewInMemoryExporter()
	provider := sdktrace.NewTracerProvider(sdktrace.WithSyncer(exporter))
	t.Cleanup(func() { _ = provider.Shutdown(context.Background()) })
	return opentelemetry.NewTracer(opentelemetry.TracerOptions{
		Tracer:  provider.Tracer("test"),
		OnError: func(err error) { t.Error(err) },
	}), exporter
}

// spansByName indexes spans by name, failing the test on a name seen twice.
func spansByName(t *testing.T, spans tracetest.SpanStubs) map[string]tracetest.SpanStub {
	t.Helper()
	out := map[string]tracetest.SpanStub{}
	for _, s := range spans {
		if _, dup := out[s.Name]; dup {
			t.Errorf("span %s emitted twice", s.Name)
		}
		out[s.Name] = s
	}
	return out
}

func attr(s tracetest.SpanStub, key string) string {
	for _, kv := range s.Attributes {
		if kv.Key == attribute.Key(key) {
			return kv.Value.AsString()
		}
	}
	return ""
}

// checkChain checks that each span of names is the child of the one before, in one trace.
func checkChain(t *testing.T, spans map[string]tracetest.SpanStub, names ...string) {
	t.Helper()
	for i, name := range names {
		s, ok := spans[name]
		if !ok {
			t.Errorf("no span %s; have %v", name, keys(spans))
			return
		}
		if i == 0 {
			continue
		}
		parent := spans[names[i-1]]
		if s.Parent.SpanID() != parent.SpanContext.SpanID() || s.SpanContext.TraceID() != parent.SpanContext.TraceID() {
			t.Errorf("%s is not a child of %s (parent %s, trace %s vs %s)", name, names[i-1],
				s.Parent.SpanID(), s.SpanContext.TraceID(), parent.SpanContext.TraceID())
		}
	}
}

func keys(m map[string]tracetest.SpanStub) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestTracingAcrossClientWorkflowAndActivity(t *testing.T) {
	for _, sticky := range []bool{true, false} {
		t.Run(map[bool]string{true: "Sticky", false: "ReplayEveryTask"}[sticky], func(t *testing.T) {
			tracer, exporter := newTracer(t)
			addr := startEngine(t)
			ctx := testContext(t)
			c, err := client.Dial(ctx, client.Options{HostPort: addr, Logger: slog.New(slog.DiscardHandler), Tracer: tracer})
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			w := worker.New(c, "traced", worker.Options{DisableStickyExecution: !sticky})
			if err := errors.Join(w.RegisterWorkflowWithOptions(greeting, worker.RegisterWorkflowOptions{Name: "Greeting"}),
				w.RegisterActivityWithOptions(greet, worker.RegisterActivityOptions{Name: "Greet"})); err != nil {
				t.Fatal(err)
			}
			if err := w.Start(); err != nil {
				t.Fatal(err)
			}
			defer w.Stop()
			run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "traced-1", TaskQueue: "traced"}, "Greeting", "Mo")
			if err != nil {
				t.Fatal(err)
			}
			if err := run.Get(ctx, nil); err != nil {
				t.Fatal(err)
			}
			spans := spansByName(t, exporter.GetSpans())
			checkChain(t, spans, "StartWorkflow:Greeting", "RunWorkflow:Greeting", "StartActivity:Greet", "RunActivity:Greet")
			if len(spans) != 4 {
				t.Errorf("spans %v, want exactly the four of the chain (none re-emitted on replay)", keys(spans))
			}
			for name, kind := range map[string]trace.SpanKind{
				"StartWorkflow:Greeting": trace.SpanKindClient, "RunWorkflow:Greeting": trace.SpanKindServer,
				"StartActivity:Greet": trace.SpanKindClient, "RunActivity:Greet": trace.SpanKindServer,
			} {
				if spans[name].SpanKind != kind {
					t.Errorf("%s kind %v, want %v", name, spans[name].SpanKind, kind)
				}
				if got := attr(spans[name], "temporalWorkflowID"); got != "traced-1" {
					t.Errorf("%s temporalWorkflowID = %q", name, got)
				}
			}
			if got := attr(spans["RunWorkflow:Greeting"], "temporalRunID"); got != run.GetRunID() {
				t.Errorf("RunWorkflow temporalRunID = %q, want %q", got, run.GetRunID())
			}
			if attr(spans["RunActivity:Greet"], "temporalActivityID") == "" {
				t.Error("RunActivity lacks temporalActivityID")
			}
		})
	}
}

func parent(ctx workflow.Context) (string, error) {
	var s string
	err := workflow.ExecuteChildWorkflow(ctx, "Greeting", "child").Get(ctx, &s)
	return s, err
}

func waitForSignal(ctx workflow.Context) error {
	workflow.GetSignalChannel(ctx, "go").Receive(ctx, nil)
	return nil
}

func TestTracingChildWorkflowAndSignal(t *testing.T) {
	tracer, exporter := newTracer(t)
	addr := startEngine(t)
	ctx := testContext(t)
	c, err := client.Dial(ctx, client.Options{HostPort: addr, Logger: slog.New(slog.DiscardHandler), Tracer: tracer})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w := worker.New(c, "traced", worker.Options{})
	if err := errors.Join(w.RegisterWorkflowWithOptions(greeting, worker.RegisterWorkflowOptions{Name: "Greeting"}),
		w.RegisterWorkflowWithOptions(parent, worker.RegisterWorkflowOptions{Name: "Parent"}),
		w.RegisterWorkflowWithOptions(waitForSignal, worker.RegisterWorkflowOptions{Name: "Waiting"}),
		w.RegisterActivityWithOptions(greet, worker.RegisterActivityOptions{Name: "Greet"})); err != nil {
		t.Fatal(err)
	}
	if err := w.Start(); err != nil {
		t.Fatal(err)
	}
	defer w.Stop()
	run, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "traced-parent", TaskQueue: "traced"}, "Parent")
	if err != nil {
		t.Fatal(err)
	}
	if err := run.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	spans := spansByName(t, exporter.GetSpans())
	checkChain(t, spans, "StartWorkflow:Parent", "RunWorkflow:Parent", "StartChildWorkflow:Greeting", "RunWorkflow:Greeting",
		"StartActivity:Greet", "RunActivity:Greet")

	waiting, err := c.ExecuteWorkflow(ctx, client.StartWorkflowOptions{ID: "traced-waiting", TaskQueue: "traced"}, "Waiting")
	if err != nil {
		t.Fatal(err)
	}
	// A query while the run waits: the cached run answers it.
	if _, err := waiting.Query(ctx, "__stack_trace"); err != nil {
		t.Fatal(err)
	}
	checkChain(t, spansByName(t, exporter.GetSpans()), "QueryWorkflow:__stack_trace", "HandleQuery:__stack_trace")
	if err := waiting.Signal(ctx, "go", nil); err != nil {
		t.Fatal(err)
	}
	if err := waiting.Get(ctx, nil); err != nil {
		t.Fatal(err)
	}
	checkChain(t, spansByName(t, exporter.GetSpans()), "SignalWorkflow:go", "HandleSignal:go")

	sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := c.SignalWorkflow(sctx, "traced-parent", "", "late", nil); err == nil {
		t.Error("signal to a closed workflow succeeded")
	}
	signal, ok := spansByName(t, exporter.GetSpans())["SignalWorkflow:late"]
	if !ok || signal.Status.Code.String() != "Error" {
		t.Errorf("SignalWorkflow span = %+v, want one with an error status", signal)
	}
}
