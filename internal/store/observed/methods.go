package observed

import (
	"context"
	"time"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/tracing"
	"github.com/sundialdev/sundial/internal/visibility"
)

var _ store.Store = (*Store)(nil)

// CreateNamespace implements store.Store.
func (s *Store) CreateNamespace(ctx context.Context, ns *store.Namespace) error {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opCreateNamespace], tracing.Attr{Key: tracing.KeyNamespace, Value: ns.Name})
	}
	start := s.begin(opCreateNamespace)
	err := s.inner.CreateNamespace(ctx, ns)
	s.end(opCreateNamespace, start, err)
	endSpan(sp, err)
	return err
}

// UpdateNamespace implements store.Store.
func (s *Store) UpdateNamespace(ctx context.Context, ns *store.Namespace) error {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opUpdateNamespace], tracing.Attr{Key: tracing.KeyNamespace, Value: ns.Name})
	}
	start := s.begin(opUpdateNamespace)
	err := s.inner.UpdateNamespace(ctx, ns)
	s.end(opUpdateNamespace, start, err)
	endSpan(sp, err)
	return err
}

// GetNamespaceByName implements store.Store.
func (s *Store) GetNamespaceByName(ctx context.Context, name string) (*store.Namespace, error) {
	start := s.begin(opGetNamespaceByName)
	v, err := s.inner.GetNamespaceByName(ctx, name)
	s.end(opGetNamespaceByName, start, err)
	return v, err
}

// GetNamespaceByID implements store.Store.
func (s *Store) GetNamespaceByID(ctx context.Context, id string) (*store.Namespace, error) {
	start := s.begin(opGetNamespaceByID)
	v, err := s.inner.GetNamespaceByID(ctx, id)
	s.end(opGetNamespaceByID, start, err)
	return v, err
}

// ListNamespaces implements store.Store.
func (s *Store) ListNamespaces(ctx context.Context, afterName string, limit int) ([]*store.Namespace, error) {
	start := s.begin(opListNamespaces)
	v, err := s.inner.ListNamespaces(ctx, afterName, limit)
	s.end(opListNamespaces, start, err)
	return v, err
}

// GetExecution implements store.Store.
func (s *Store) GetExecution(ctx context.Context, key store.ExecutionKey) (*store.Execution, error) {
	start := s.begin(opGetExecution)
	v, err := s.inner.GetExecution(ctx, key)
	s.end(opGetExecution, start, err)
	return v, err
}

// GetCurrentExecution implements store.Store.
func (s *Store) GetCurrentExecution(ctx context.Context, namespaceID, workflowID string) (*store.CurrentExecution, error) {
	start := s.begin(opGetCurrentExecution)
	v, err := s.inner.GetCurrentExecution(ctx, namespaceID, workflowID)
	s.end(opGetCurrentExecution, start, err)
	return v, err
}

// ListOpenExecutions implements store.Store.
func (s *Store) ListOpenExecutions(ctx context.Context, after *store.ExecutionKey, limit int) (*store.OpenExecutionsPage, error) {
	start := s.begin(opListOpenExecutions)
	v, err := s.inner.ListOpenExecutions(ctx, after, limit)
	s.end(opListOpenExecutions, start, err)
	return v, err
}

// ListOpenExecutionsOnQueue implements store.Store.
func (s *Store) ListOpenExecutionsOnQueue(ctx context.Context, namespaceID, taskQueue string, after *store.ExecutionKey, limit int) (*store.OpenExecutionsPage, error) {
	start := s.begin(opListOpenExecutionsOnQueue)
	v, err := s.inner.ListOpenExecutionsOnQueue(ctx, namespaceID, taskQueue, after, limit)
	s.end(opListOpenExecutionsOnQueue, start, err)
	return v, err
}

// ReadEvents implements store.Store.
func (s *Store) ReadEvents(ctx context.Context, namespaceID, runID string, fromEventID, toEventID int64) ([]store.EventBatch, error) {
	start := s.begin(opReadEvents)
	v, err := s.inner.ReadEvents(ctx, namespaceID, runID, fromEventID, toEventID)
	s.end(opReadEvents, start, err)
	return v, err
}

// Write implements store.Store.
func (s *Store) Write(ctx context.Context, t *store.Transition) error {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opWrite], transitionAttrs(t)...)
	}
	start := s.begin(opWrite)
	err := s.inner.Write(ctx, t)
	s.end(opWrite, start, err)
	endSpan(sp, err)
	return err
}

// DeleteClosedExecutions implements store.Store.
func (s *Store) DeleteClosedExecutions(ctx context.Context, namespaceID string, cutoff time.Time, limit int) ([]store.ExecutionKey, error) {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opDeleteClosedExecutions], tracing.Attr{Key: tracing.KeyNamespaceID, Value: namespaceID})
	}
	start := s.begin(opDeleteClosedExecutions)
	v, err := s.inner.DeleteClosedExecutions(ctx, namespaceID, cutoff, limit)
	s.end(opDeleteClosedExecutions, start, err)
	endSpan(sp, err)
	return v, err
}

// DeleteExecution implements store.Store.
func (s *Store) DeleteExecution(ctx context.Context, key store.ExecutionKey) error {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opDeleteExecution], keyAttrs(key)...)
	}
	start := s.begin(opDeleteExecution)
	err := s.inner.DeleteExecution(ctx, key)
	s.end(opDeleteExecution, start, err)
	endSpan(sp, err)
	return err
}

// EarliestCloseTime implements store.Store.
func (s *Store) EarliestCloseTime(ctx context.Context, namespaceID string) (time.Time, error) {
	start := s.begin(opEarliestCloseTime)
	v, err := s.inner.EarliestCloseTime(ctx, namespaceID)
	s.end(opEarliestCloseTime, start, err)
	return v, err
}

// LatestCloseTime implements store.Store.
func (s *Store) LatestCloseTime(ctx context.Context, namespaceID string) (time.Time, error) {
	start := s.begin(opLatestCloseTime)
	v, err := s.inner.LatestCloseTime(ctx, namespaceID)
	s.end(opLatestCloseTime, start, err)
	return v, err
}

// ListExecutions implements store.Store.
func (s *Store) ListExecutions(ctx context.Context, p *store.ListExecutionsParams) (*store.ListExecutionsPage, error) {
	start := s.begin(opListExecutions)
	v, err := s.inner.ListExecutions(ctx, p)
	s.end(opListExecutions, start, err)
	return v, err
}

// CountExecutions implements store.Store.
func (s *Store) CountExecutions(ctx context.Context, namespaceID string, q *visibility.Query) (int64, error) {
	start := s.begin(opCountExecutions)
	v, err := s.inner.CountExecutions(ctx, namespaceID, q)
	s.end(opCountExecutions, start, err)
	return v, err
}

// CountExecutionsGroupByStatus implements store.Store.
func (s *Store) CountExecutionsGroupByStatus(ctx context.Context, namespaceID string, q *visibility.Query) ([]store.StatusCount, error) {
	start := s.begin(opCountExecutionsGroupByStatus)
	v, err := s.inner.CountExecutionsGroupByStatus(ctx, namespaceID, q)
	s.end(opCountExecutionsGroupByStatus, start, err)
	return v, err
}

// AddSearchAttributes implements store.Store.
func (s *Store) AddSearchAttributes(ctx context.Context, namespaceID string, attrs []store.SearchAttribute) error {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opAddSearchAttributes], tracing.Attr{Key: tracing.KeyNamespaceID, Value: namespaceID})
	}
	start := s.begin(opAddSearchAttributes)
	err := s.inner.AddSearchAttributes(ctx, namespaceID, attrs)
	s.end(opAddSearchAttributes, start, err)
	endSpan(sp, err)
	return err
}

// RemoveSearchAttributes implements store.Store.
func (s *Store) RemoveSearchAttributes(ctx context.Context, namespaceID string, names []string) error {
	var sp tracing.Span
	if s.tracer != nil {
		ctx, sp = s.tracer.Start(ctx, spanNames[opRemoveSearchAttributes], tracing.Attr{Key: tracing.KeyNamespaceID, Value: namespaceID})
	}
	start := s.begin(opRemoveSearchAttributes)
	err := s.inner.RemoveSearchAttributes(ctx, namespaceID, names)
	s.end(opRemoveSearchAttributes, start, err)
	endSpan(sp, err)
	return err
}

// ListSearchAttributes implements store.Store.
func (s *Store) ListSearchAttributes(ctx context.Context, namespaceID string) ([]store.SearchAttribute, error) {
	start := s.begin(opListSearchAttributes)
	v, err := s.inner.ListSearchAttributes(ctx, namespaceID)
	s.end(opListSearchAttributes, start, err)
	return v, err
}

// Close implements store.Store.
func (s *Store) Close() error { return s.inner.Close() }

// keyAttrs are the span attributes naming one run.
func keyAttrs(k store.ExecutionKey) []tracing.Attr {
	return []tracing.Attr{
		{Key: tracing.KeyNamespaceID, Value: k.NamespaceID},
		{Key: tracing.KeyWorkflowID, Value: k.WorkflowID},
		{Key: tracing.KeyRunID, Value: k.RunID},
	}
}

// transitionAttrs names the run a transition writes first (a transition
// that starts a new run, by continue-as-new or reset, writes two).
func transitionAttrs(t *store.Transition) []tracing.Attr {
	if len(t.Executions) == 0 || t.Executions[0].Execution == nil {
		return nil
	}
	e := t.Executions[0].Execution
	return keyAttrs(store.ExecutionKey{NamespaceID: e.NamespaceID, WorkflowID: e.WorkflowID, RunID: e.RunID})
}

// GetRecord implements store.Store.
func (s *Store) GetRecord(ctx context.Context, namespaceID, kind, id string) (*store.Record, error) {
	start := s.begin(opGetRecord)
	v, err := s.inner.GetRecord(ctx, namespaceID, kind, id)
	s.end(opGetRecord, start, err)
	return v, err
}

// ListRecords implements store.Store.
func (s *Store) ListRecords(ctx context.Context, namespaceID, kind, afterID string, limit int) ([]*store.Record, error) {
	start := s.begin(opListRecords)
	v, err := s.inner.ListRecords(ctx, namespaceID, kind, afterID, limit)
	s.end(opListRecords, start, err)
	return v, err
}
