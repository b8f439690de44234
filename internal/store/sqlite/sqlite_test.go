package sqlite

import (
	"path/filepath"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/storetest"
)

func openFile(t *testing.T, opts Options) *Store {
	t.Helper()
	path := filepath.Join(t.TempDir(), "sundial.db")
	s, err := Open(t.Context(), path, opts)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func openMemoryStore(t *testing.T) *Store {
	t.Helper()
	s, err := Open(t.Context(), MemoryPath, Options{})
	if err != nil {
		t.Fatalf("opening memory store: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformanceFile(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openFile(t, Options{}) })
}

func TestConformanceMemory(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return openMemoryStore(t) })
}
