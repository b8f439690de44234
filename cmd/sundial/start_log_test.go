package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestServerLogsItsStartOnce: `sundial server` logs the address it listens on in
// exactly one line.
func TestServerLogsItsStartOnce(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var stderr syncBuffer
	done := make(chan int, 1)
	db := filepath.Join(t.TempDir(), "sundial.db")
	go func() {
		done <- run(ctx, []string{"server", "--listen", "127.0.0.1:0", "--db", db, "--log-level", "debug"}, &bytes.Buffer{}, &stderr)
	}()
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(stderr.String(), "listening on") {
		if time.Now().After(deadline) {
			t.Fatalf("server did not log \"listening on\" within 10s; stderr:\n%s", stderr.String())
		}
		select {
		case code := <-done:
			t.Fatalf("server exited early with code %d; stderr:\n%s", code, stderr.String())
		case <-time.After(20 * time.Millisecond):
		}
	}
	cancel()
	<-done
	var starts []string
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "listening") && !strings.Contains(line, "pprof") {
			starts = append(starts, line)
		}
	}
	if len(starts) != 1 {
		t.Fatalf("the server logged its start %d times:\n%s", len(starts), strings.Join(starts, "\n"))
	}
}
