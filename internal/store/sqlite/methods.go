package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
)

// CreateNamespace implements store.Store.
func (s *Store) CreateNamespace(ctx context.Context, ns *store.Namespace) error {
	if ns == nil || ns.ID == "" || ns.Name == "" {
		return errors.New("sqlite: create namespace: id and name are required")
	}
	return s.writer.submit(ctx, requestCreateNamespace, nil, ns)
}

// UpdateNamespace implements store.Store.
func (s *Store) UpdateNamespace(ctx context.Context, ns *store.Namespace) error {
	if ns == nil || ns.ID == "" {
		return errors.New("sqlite: update namespace: id is required")
	}
	return s.writer.submit(ctx, requestUpdateNamespace, nil, ns)
}

// Write implements store.Store. t must not be modified until Write returns; on
// success each written Execution's Version holds its stored version.
func (s *Store) Write(ctx context.Context, t *store.Transition) error {
	if err := store.CheckTransition(t); err != nil {
		return fmt.Errorf("sqlite: write: %w", err)
	}
	return s.writer.submit(ctx, requestTransition, t, nil)
}

// GetNamespaceByName implements store.Store.
func (s *Store) GetNamespaceByName(ctx context.Context, name string) (*store.Namespace, error) {
	return s.getNamespace(ctx, "name", name)
}

// GetNamespaceByID implements store.Store.
func (s *Store) GetNamespaceByID(ctx context.Context, id string) (*store.Namespace, error) {
	return s.getNamespace(ctx, "id", id)
}

func (s *Store) getNamespace(ctx context.Context, by, value string) (*store.Namespace, error) {
	leave, err := s.enterRead()
	if err != nil {
		return nil, err
	}
	defer leave()
	stmt := s.reads.stmts.namespaceByName
	if by == "id" {
		stmt = s.reads.stmts.namespaceByID
	}
	ns, err := scanNamespace(stmt.QueryRowContext(ctx, value))
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading namespace with %s %q: %w", by, value, interpretError(err, nil))
	}
	return ns, nil
}

// ListNamespaces implements store.Store. limit must be positive.
func (s *Store) ListNamespaces(ctx context.Context, afterName string, limit int) ([]*store.Namespace, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list namespaces: limit must be positive, got %d", limit)
	}
	leave, err := s.enterRead()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := s.reads.stmts.listNamespaces.QueryContext(ctx, afterName, limit)
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing namespaces: %w", interpretError(err, nil))
	}
	defer rows.Close()
	var out []*store.Namespace
	for rows.Next() {
		ns, err := scanNamespace(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: listing namespaces: %w", err)
		}
		out = append(out, ns)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing namespaces: %w", interpretError(err, nil))
	}
	return out, nil
}

// GetExecution implements store.Store.
func (s *Store) GetExecution(ctx context.Context, key store.ExecutionKey) (*store.Execution, error) {
	leave, err := s.enterRead()
	if err != nil {
		return nil, err
	}
	defer leave()
	e, err := scanExecution(s.reads.stmts.execution.QueryRowContext(ctx, key.NamespaceID, key.WorkflowID, key.RunID))
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading execution %s/%s/%s: %w",
			key.NamespaceID, key.WorkflowID, key.RunID, interpretError(err, nil))
	}
	return e, nil
}

// GetCurrentExecution implements store.Store.
func (s *Store) GetCurrentExecution(ctx context.Context, namespaceID, workflowID string) (*store.CurrentExecution, error) {
	leave, err := s.enterRead()
	if err != nil {
		return nil, err
	}
	defer leave()
	c := &store.CurrentExecution{NamespaceID: namespaceID, WorkflowID: workflowID}
	if err := s.reads.stmts.current.QueryRowContext(ctx, namespaceID, workflowID).Scan(&c.RunID); err != nil {
		return nil, fmt.Errorf("sqlite: reading current run of %s/%s: %w", namespaceID, workflowID, interpretError(err, nil))
	}
	return c, nil
}

// ListOpenExecutions implements store.Store. limit must be positive.
func (s *Store) ListOpenExecutions(ctx context.Context, after *store.ExecutionKey, limit int) (*store.OpenExecutionsPage, error) {
	if limit <= 0 {
		return nil, fmt.Errorf("sqlite: list open executions: limit must be positive, got %d", limit)
	}
	leave, err := s.enterRead()
	if err != nil {
		return nil, err
	}
	defer leave()
	// One row more than asked tells whether another page exists.
	probe := limit + 1
	var rows *sql.Rows
	if after == nil {
		rows, err = s.reads.stmts.openFromStart.QueryContext(ctx, probe)
	} else {
		rows, err = s.reads.stmts.openAfter.QueryContext(ctx, after.NamespaceID, after.WorkflowID, after.RunID, probe)
	}
	if err != nil {
		return nil, fmt.Errorf("sqlite: listing open executions: %w", interpretError(err, nil))
	}
	defer rows.Close()
	page := &store.OpenExecutionsPage{}
	for rows.Next() {
		if len(page.Executions) == limit {
			last := page.Executions[limit-1]
			page.Next = &store.ExecutionKey{NamespaceID: last.NamespaceID, WorkflowID: last.WorkflowID, RunID: last.RunID}
			break
		}
		e, err := scanExecution(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlite: listing open executions: %w", err)
		}
		page.Executions = append(page.Executions, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: listing open executions: %w", interpretError(err, nil))
	}
	return page, nil
}

// ReadEvents implements store.Store.
func (s *Store) ReadEvents(ctx context.Context, namespaceID, runID string, fromEventID, toEventID int64) ([]store.EventBatch, error) {
	if toEventID <= fromEventID {
		return nil, nil
	}
	leave, err := s.enterRead()
	if err != nil {
		return nil, err
	}
	defer leave()
	rows, err := s.reads.stmts.events.QueryContext(ctx, namespaceID, runID, fromEventID, toEventID)
	if err != nil {
		return nil, fmt.Errorf("sqlite: reading events of %s/%s: %w", namespaceID, runID, interpretError(err, nil))
	}
	defer rows.Close()
	var out []store.EventBatch
	for rows.Next() {
		b := store.EventBatch{NamespaceID: namespaceID, RunID: runID}
		if err := rows.Scan(&b.FirstEventID, &b.LastEventID, &b.Data); err != nil {
			return nil, fmt.Errorf("sqlite: reading events of %s/%s: %w", namespaceID, runID, err)
		}
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("sqlite: reading events of %s/%s: %w", namespaceID, runID, interpretError(err, nil))
	}
	return out, nil
}

// enterRead admits a read unless the store is closed; the returned func ends
// it.
func (s *Store) enterRead() (func(), error) {
	if s.closed.Load() {
		return nil, store.ErrClosed
	}
	return s.reads.enter()
}
