package compat

import (
	"context"
	"log/slog"
	"path/filepath"
	"testing"
	"time"

	"github.com/sundialdev/sundial/server"
)

// restartableSundial returns a function that starts Sundial's own server
// (whatever COMPAT_TARGET says) on the same SQLite file each time it is
// called, so a test can stop the server and start it again on its data.
func restartableSundial(t *testing.T) func() (*server.Server, target) {
	t.Helper()
	db := filepath.Join(t.TempDir(), "sundial.db")
	return func() (*server.Server, target) {
		srv, err := server.New(server.Options{ListenAddr: "127.0.0.1:0", DatabasePath: db,
			Logger: slog.New(slog.NewTextHandler(newTestWriter(t), &slog.HandlerOptions{Level: slog.LevelWarn}))})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := srv.Start(ctx); err != nil {
			t.Fatal(err)
		}
		return srv, target{HostPort: srv.Addr(), Namespace: "default"}
	}
}
