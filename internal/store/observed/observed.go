// Package observed wraps a store.Store so that every call is counted and
// timed (Temporal's persistence_requests, persistence_errors and
// persistence_latency, labelled by operation) and every transaction is
// traced as a span carrying the namespace, workflow id and run id it writes.
package observed

import (
	"context"
	"errors"
	"time"

	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/tracing"
)

// operation numbers the store methods, to index pre-resolved instruments.
type operation int

const (
	opCreateNamespace operation = iota
	opUpdateNamespace
	opGetNamespaceByName
	opGetNamespaceByID
	opListNamespaces
	opGetExecution
	opGetCurrentExecution
	opListOpenExecutions
	opListOpenExecutionsOnQueue
	opReadEvents
	opWrite
	opDeleteClosedExecutions
	opDeleteExecution
	opEarliestCloseTime
	opLatestCloseTime
	opListExecutions
	opCountExecutions
	opCountExecutionsGroupByStatus
	opAddSearchAttributes
	opRemoveSearchAttributes
	opListSearchAttributes
	opCountOpenExecutionsUnindexed
	opGetRecord
	opListRecords
	operationCount
)

// operationNames are the operation label values.
var operationNames = [operationCount]string{
	"CreateNamespace", "UpdateNamespace", "GetNamespaceByName", "GetNamespaceByID", "ListNamespaces",
	"GetExecution", "GetCurrentExecution", "ListOpenExecutions", "ListOpenExecutionsOnQueue", "ReadEvents",
	"Write", "DeleteClosedExecutions", "DeleteExecution", "EarliestCloseTime", "LatestCloseTime",
	"ListExecutions", "CountExecutions", "CountExecutionsGroupByStatus",
	"AddSearchAttributes", "RemoveSearchAttributes", "ListSearchAttributes", "CountOpenExecutionsUnindexed",
	"GetRecord", "ListRecords",
}

// instruments are one operation's resolved metrics.
type instruments struct {
	requests, errors metrics.Counter
	latency          metrics.Histogram
}

// Store is an observed store.Store.
type Store struct {
	inner  store.Store
	tracer tracing.Tracer // nil: no spans
	ops    [operationCount]instruments
}

// openCounter is the optional store method the engine uses to cross-check
// recovery; the wrapper forwards it when the wrapped store has it.
type openCounter interface {
	CountOpenExecutionsUnindexed(ctx context.Context) (int64, error)
}

// countingStore is a Store over a store that can count open runs.
type countingStore struct {
	*Store
	counter openCounter
}

// CountOpenExecutionsUnindexed forwards to the wrapped store.
func (s countingStore) CountOpenExecutionsUnindexed(ctx context.Context) (int64, error) {
	start := s.begin(opCountOpenExecutionsUnindexed)
	n, err := s.counter.CountOpenExecutionsUnindexed(ctx)
	s.end(opCountOpenExecutionsUnindexed, start, err)
	return n, err
}

// Wrap returns inner observed through reg and tracer; with neither it
// returns inner itself.
func Wrap(inner store.Store, reg metrics.Registry, tracer tracing.Tracer) store.Store {
	if reg == nil && tracer == nil {
		return inner
	}
	reg = metrics.OrNoOp(reg)
	requests := reg.Counter(metrics.PersistenceRequests, "Store calls, by operation.", metrics.LabelOperation)
	errs := reg.Counter(metrics.PersistenceErrors, "Store calls that failed, by operation.", metrics.LabelOperation)
	latency := reg.Histogram(metrics.PersistenceLatency, "Seconds a store call takes, by operation.", metrics.LatencyBuckets, metrics.LabelOperation)
	s := &Store{inner: inner, tracer: tracer}
	for i, name := range operationNames {
		s.ops[i] = instruments{requests: requests.With(name), errors: errs.With(name), latency: latency.With(name)}
	}
	if c, ok := inner.(openCounter); ok {
		return countingStore{Store: s, counter: c}
	}
	return s
}

// begin counts a call of op and returns when it began.
func (s *Store) begin(op operation) time.Time {
	s.ops[op].requests.Add(1)
	return time.Now()
}

// end records the outcome of a call of op that began at start. Not found is
// an answer, not a failure.
func (s *Store) end(op operation, start time.Time, err error) {
	in := &s.ops[op]
	metrics.ObserveDuration(in.latency, time.Since(start))
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		in.errors.Add(1)
	}
}

// spanNames name the spans of the operations that write.
var spanNames = func() (names [operationCount]string) {
	for i, op := range operationNames {
		names[i] = "persistence." + op
	}
	return names
}()

func endSpan(sp tracing.Span, err error) {
	if sp != nil {
		sp.End(err)
	}
}
