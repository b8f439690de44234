package postgres

import (
	"context"
	"errors"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
)

// CreateNamespace implements store.Store.
func (s *Store) CreateNamespace(ctx context.Context, ns *store.Namespace) error {
	if ns == nil || ns.ID == "" || ns.Name == "" {
		return errors.New("postgres: create namespace: id and name are required")
	}
	return s.writer.submit(ctx, requestCreateNamespace, nil, ns)
}

// UpdateNamespace implements store.Store.
func (s *Store) UpdateNamespace(ctx context.Context, ns *store.Namespace) error {
	if ns == nil || ns.ID == "" {
		return errors.New("postgres: update namespace: id is required")
	}
	return s.writer.submit(ctx, requestUpdateNamespace, nil, ns)
}

// Write implements store.Store. t must not be modified until Write returns;
// on success each written Execution's Version holds its stored version.
func (s *Store) Write(ctx context.Context, t *store.Transition) error {
	if err := validateTransition(t); err != nil {
		return fmt.Errorf("postgres: write: %w", err)
	}
	return s.writer.submit(ctx, requestTransition, t, nil)
}

func validateTransition(t *store.Transition) error {
	if t == nil {
		return errors.New("nil transition")
	}
	for i, w := range t.Executions {
		if w.Execution == nil {
			return fmt.Errorf("execution write %d has no execution", i)
		}
		if w.ExpectedVersion < 0 {
			return fmt.Errorf("execution write %d expects negative version %d", i, w.ExpectedVersion)
		}
	}
	for i, b := range t.Events {
		if b.LastEventID < b.FirstEventID {
			return fmt.Errorf("event batch %d ends (%d) before it starts (%d)", i, b.LastEventID, b.FirstEventID)
		}
	}
	return nil
}
