package workflowrt

import (
	"context"
	"time"

	"github.com/sundialdev/sundial/interceptor"
	commonpb "go.temporal.io/api/common/v1"
	historypb "go.temporal.io/api/history/v1"
	querypb "go.temporal.io/api/query/v1"
)

// runTracing is a run's link to the tracer: the context that the spans of the run's
// own work (activities and children it starts) descend from.
type runTracing struct {
	tracer interceptor.Tracer
	// ctx carries the RunWorkflow span when this worker ran the run's first task, or
	// else the span context of the run's start header: a replaying worker cannot
	// rebuild the RunWorkflow span another process emitted.
	ctx context.Context
	// endRun ends the RunWorkflow span; nil once ended or when there is none.
	endRun func(error)
	begun  bool
	// signals are the signals of the batch being applied, whose spans the batch's
	// code run emits.
	signals []tracedSignal
}

// tracedSignal is a delivered signal with the header it came with.
type tracedSignal struct {
	name   string
	header map[string]*commonpb.Payload
}

// signaled notes a signal the run received, for handleSignals.
func (t *runTracing) signaled(name string, header map[string]*commonpb.Payload) {
	if t.tracer != nil {
		t.signals = append(t.signals, tracedSignal{name: name, header: header})
	}
}

// handleSignals emits a HandleSignal span for each signal of the batch, a child of the
// span that sent it (from its header), unless the batch is a replay.
func (t *runTracing) handleSignals(replaying bool, info *Info) {
	signals := t.signals
	t.signals = nil
	if replaying {
		return
	}
	for _, sig := range signals {
		_, end := t.tracer.StartSpan(context.Background(), interceptor.StartSpanOptions{
			Operation:    interceptor.OperationHandleSignal,
			Name:         sig.name,
			Tags:         map[string]string{interceptor.TagWorkflowID: info.Execution.WorkflowID, interceptor.TagRunID: info.Execution.RunID},
			ParentHeader: sig.header,
		})
		end(nil)
	}
}

// beginRun sets up tracing for the run at its first workflow task on this worker.
// Only a task that is not a replay emits the RunWorkflow span, so it is emitted once.
func (t *runTracing) beginRun(info *Info, started *historypb.HistoryEvent, replaying bool) {
	if t.tracer == nil || t.begun {
		return
	}
	t.begun = true
	header := started.GetWorkflowExecutionStartedEventAttributes().GetHeader().GetFields()
	if replaying {
		t.ctx = t.tracer.ContextFromHeader(context.Background(), header)
		return
	}
	t.ctx, t.endRun = t.tracer.StartSpan(context.Background(), interceptor.StartSpanOptions{
		Operation:    interceptor.OperationRunWorkflow,
		Name:         info.WorkflowType,
		Tags:         map[string]string{interceptor.TagWorkflowID: info.Execution.WorkflowID, interceptor.TagRunID: info.Execution.RunID},
		ParentHeader: header,
		Time:         info.StartTime,
	})
}

// endFirstTask ends the RunWorkflow span after the run's first task: the span marks
// the run's start on a worker, and ending it at once means it is exported even when
// the run later moves to another worker. err is the run's error if it already closed.
func (t *runTracing) endFirstTask(err error) {
	if t.endRun != nil {
		t.endRun(err)
		t.endRun = nil
	}
}

// outgoing returns the header for work the run starts (an activity, a child), with the
// context of a span for the start when the tracer is set and the run is not replaying;
// nil otherwise.
func (t *runTracing) outgoing(replaying bool, operation, name string, info *Info) *commonpb.Header {
	if t.tracer == nil || replaying || t.ctx == nil {
		return nil
	}
	fields := map[string]*commonpb.Payload{}
	_, end := t.tracer.StartSpan(t.ctx, interceptor.StartSpanOptions{
		Operation: operation,
		Name:      name,
		Tags:      map[string]string{interceptor.TagWorkflowID: info.Execution.WorkflowID, interceptor.TagRunID: info.Execution.RunID},
		Header:    fields,
		Time:      time.Now(),
	})
	end(nil)
	if len(fields) == 0 {
		return nil
	}
	return &commonpb.Header{Fields: fields}
}

// traceQuery starts the HandleQuery span of a query, a child of the span that sent it;
// without a tracer it returns a no-op. Queries never change history, so they are
// traced whenever they are answered.
func traceQuery(tracer interceptor.Tracer, exec Execution, q *querypb.WorkflowQuery) func(error) {
	if tracer == nil {
		return func(error) {}
	}
	_, end := tracer.StartSpan(context.Background(), interceptor.StartSpanOptions{
		Operation:    interceptor.OperationHandleQuery,
		Name:         q.GetQueryType(),
		Tags:         map[string]string{interceptor.TagWorkflowID: exec.WorkflowID, interceptor.TagRunID: exec.RunID},
		ParentHeader: q.GetHeader().GetFields(),
	})
	return end
}
