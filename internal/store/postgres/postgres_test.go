package postgres

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
	"github.com/sundialdev/sundial/internal/store/storetest"
)

// openFresh opens a store on a new, empty schema.
func openFresh(t testing.TB, opts Options) (*Store, string) {
	t.Helper()
	url := pgtest.NewSchema(t)
	s, err := Open(context.Background(), url, opts)
	if err != nil {
		t.Fatalf("opening the store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, url
}

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store {
		s, _ := openFresh(t, Options{})
		return s
	})
}

func TestNodesStartingTogetherMigrateOnce(t *testing.T) {
	url := pgtest.NewSchema(t)
	const nodes = 4
	var wg sync.WaitGroup
	errs := make([]error, nodes)
	for i := range nodes {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s, err := Open(t.Context(), url, Options{})
			if err == nil {
				err = s.Close()
			}
			errs[i] = err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("node %d: %v", i, err)
		}
	}
	from, to, err := Migrate(t.Context(), url)
	if err != nil || from != SchemaVersion() || to != SchemaVersion() {
		t.Fatalf("Migrate after the nodes = %d, %d, %v; want %d, %d, nil", from, to, err, SchemaVersion(), SchemaVersion())
	}
}

func TestMigrateCreatesTheSchema(t *testing.T) {
	url := pgtest.NewSchema(t)
	from, to, err := Migrate(t.Context(), url)
	if err != nil || from != 0 || to != SchemaVersion() {
		t.Fatalf("Migrate on an empty schema = %d, %d, %v; want 0, %d, nil", from, to, err, SchemaVersion())
	}
	s, err := Open(t.Context(), url, Options{})
	if err != nil {
		t.Fatalf("opening a migrated schema: %v", err)
	}
	_ = s.Close()
}

func TestRefusesANewerSchema(t *testing.T) {
	s, url := openFresh(t, Options{})
	_ = s.Close()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(t.Context(), `UPDATE sundial_schema SET version = version + 1`); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(t.Context(), url, Options{}); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Open on a newer schema: %v, want ErrSchemaTooNew", err)
	}
	if _, _, err := Migrate(t.Context(), url); !errors.Is(err, ErrSchemaTooNew) {
		t.Fatalf("Migrate on a newer schema: %v, want ErrSchemaTooNew", err)
	}
}
