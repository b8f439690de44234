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
	if err := store.CheckTransition(t); err != nil {
		return fmt.Errorf("postgres: write: %w", err)
	}
	return s.writer.submit(ctx, requestTransition, t, nil)
}
