package sqlite

import (
	"context"
	"path/filepath"
	"testing"
)

// TestStorageFault03WALIsBounded: the writer sets a journal size limit, so a
// WAL that grew while checkpoints failed is cut back after the next complete
// checkpoint instead of keeping its high-water mark.
func TestStorageFault03WALIsBounded(t *testing.T) {
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var limit int64
	if err := s.conns.write.QueryRowContext(context.Background(), "PRAGMA journal_size_limit").Scan(&limit); err != nil {
		t.Fatal(err)
	}
	if limit != walLimitBytes {
		t.Fatalf("journal_size_limit = %d, want %d", limit, walLimitBytes)
	}
}
