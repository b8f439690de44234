package sundialtest

import (
	"log/slog"
	"testing"
)

// TestLogger returns a logger that writes every record (debug and above) to t's log,
// shown when the test fails or runs with -v; records logged after the test ended are
// dropped. Use it as ActivityEnvironmentOptions.Logger, WorkflowEnvironmentOptions.Logger
// or a worker's Logger.
func TestLogger(t testing.TB) *slog.Logger {
	w := &testLogWriter{t: t}
	t.Cleanup(w.close)
	return slog.New(slog.NewTextHandler(w, &slog.HandlerOptions{Level: slog.LevelDebug}))
}
