package sqlite

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

// TestFullDatabaseFailsOnlyTheOversizedWrite caps the database's size so one
// large transition fails with SQLITE_FULL while small ones are written beside
// it, in the same batches. SQLite may roll back the whole transaction on a
// full disk; either way the small writes must all commit.
func TestFullDatabaseFailsOnlyTheOversizedWrite(t *testing.T) {
	for _, mode := range []string{"file", "memory"} {
		t.Run(mode, func(t *testing.T) {
			var s *Store
			if mode == "file" {
				s = openFile(t, Options{})
			} else {
				s = openMemoryStore(t)
			}
			ctx := t.Context()
			var pages int64
			if err := s.conns.write.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
				t.Fatalf("reading page_count: %v", err)
			}
			if _, err := s.conns.write.ExecContext(ctx, fmt.Sprintf("PRAGMA max_page_count = %d", pages+64)); err != nil {
				t.Fatalf("capping the database: %v", err)
			}

			const smallWriters = 16
			var wg sync.WaitGroup
			start := make(chan struct{})
			smallErrs := make([]error, smallWriters*5)
			var bigErr error
			big := &store.Execution{NamespaceID: "ns", WorkflowID: "big", RunID: "r", State: bytes.Repeat([]byte{7}, 1<<20)}
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				bigErr = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: big}}})
			}()
			for w := range smallWriters {
				wg.Add(1)
				go func() {
					defer wg.Done()
					<-start
					for i := range 5 {
						e := &store.Execution{NamespaceID: "ns", WorkflowID: fmt.Sprintf("small-%d-%d", w, i), RunID: "r", State: []byte("s")}
						smallErrs[w*5+i] = s.Write(ctx, &store.Transition{Executions: []store.ExecutionWrite{{Execution: e}}})
					}
				}()
			}
			close(start)
			wg.Wait()

			if bigErr == nil || !strings.Contains(bigErr.Error(), "full") {
				t.Fatalf("oversized write: %v, want a database-full error", bigErr)
			}
			for _, sentinel := range []error{store.ErrConflict, store.ErrAlreadyExists, store.ErrNotFound} {
				if errors.Is(bigErr, sentinel) {
					t.Fatalf("a full database was reported as %v", sentinel)
				}
			}
			for i, err := range smallErrs {
				if err != nil {
					t.Fatalf("small write %d beside the oversized one: %v", i, err)
				}
			}
			page, err := s.ListOpenExecutions(ctx, nil, 1000)
			if err != nil {
				t.Fatalf("listing: %v", err)
			}
			if len(page.Executions) != smallWriters*5 {
				t.Fatalf("%d runs stored, want the %d small ones", len(page.Executions), smallWriters*5)
			}
			for _, e := range page.Executions {
				if e.WorkflowID == "big" {
					t.Fatal("the oversized write left its row behind")
				}
			}
		})
	}
}
