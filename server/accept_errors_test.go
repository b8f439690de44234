package server

import (
	"bytes"
	"errors"
	"log/slog"
	"net"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sundialdev/sundial/internal/backoff"
)

// failingListener fails every Accept with err until closed.
type failingListener struct {
	net.Listener
	err error
}

func (l failingListener) Accept() (net.Conn, error) { return nil, l.err }

// TestStorageFault06AcceptErrorsAreLogged: an Accept that fails (out of file
// descriptors), which grpc retries without a word, is logged at ERROR, once
// per interval with a count of the failures held back; a closed listener is
// not an error worth a line.
func TestStorageFault06AcceptErrorsAreLogged(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, nil))
	emfile := &net.OpError{Op: "accept", Net: "tcp", Err: syscall.EMFILE}
	l := loggedListener{Listener: failingListener{err: emfile}, log: log, logs: backoff.NewLogLimiter(time.Minute)}
	for range 50 {
		if _, err := l.Accept(); !errors.Is(err, syscall.EMFILE) {
			t.Fatalf("Accept returned %v, want the listener's error passed through", err)
		}
	}
	out := buf.String()
	if n := strings.Count(out, "accepting a gRPC connection failed"); n != 1 {
		t.Fatalf("50 failing accepts logged %d lines, want 1 per minute:\n%s", n, out)
	}
	if !strings.Contains(out, "level=ERROR") || !strings.Contains(out, "too many open files") {
		t.Errorf("the line does not say ERROR and the cause:\n%s", out)
	}

	buf.Reset()
	closed := loggedListener{Listener: failingListener{err: net.ErrClosed}, log: log, logs: backoff.NewLogLimiter(time.Minute)}
	if _, err := closed.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept on a closed listener returned %v", err)
	}
	if buf.Len() != 0 {
		t.Errorf("a closed listener was logged as a failure:\n%s", buf.String())
	}
}
