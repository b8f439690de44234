package server

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/postgres"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// runningStore is what the server needs of its store: the engine's
// store.Store, and whether it can commit, for the gRPC health service.
type runningStore interface {
	store.Store
	// Health returns nil while the store can commit, else why not.
	Health() error
}

// openStore opens the database Options name: PostgreSQL when DatabaseURL is
// set, else the SQLite file at DatabasePath. It also returns a description
// of the database for logs, without any password.
func (s *Server) openStore(ctx context.Context, onHealthChange func(error)) (runningStore, string, error) {
	if s.opts.DatabaseURL != "" {
		st, err := postgres.Open(ctx, s.opts.DatabaseURL, postgres.Options{Logger: s.log, OnHealthChange: onHealthChange})
		if err != nil {
			return nil, "", err
		}
		return st, st.String(), nil
	}
	sync := "FULL"
	if s.opts.SynchronousNormal {
		sync = "NORMAL"
	}
	st, err := sqlite.Open(ctx, s.opts.DatabasePath, sqlite.Options{Synchronous: sync, Logger: s.log, OnHealthChange: onHealthChange, Metrics: s.opts.Metrics})
	if err != nil {
		return nil, "", err
	}
	return st, fmt.Sprintf("sqlite %s", s.opts.DatabasePath), nil
}
