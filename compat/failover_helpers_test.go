//go:build unix

package compat

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
)

// failoverWait bounds each wait of the failover tests: a takeover takes the
// lease TTL (5 s by default) plus a renew interval and the engine's start.
const failoverWait = 30 * time.Second

// startFailoverNode starts a `sundial server` on the PostgreSQL database at
// url, on a free port, logging to dir/name.log.
func startFailoverNode(t *testing.T, binary, url, dir, name string) *sundialProcess {
	t.Helper()
	p := &sundialProcess{t: t, binary: binary, addr: freeLoopbackAddr(t), db: url, logPath: filepath.Join(dir, name+".log")}
	p.start()
	t.Cleanup(func() {
		// A frozen process must run again to die of anything but SIGKILL.
		_ = p.cmd.Process.Signal(syscall.SIGCONT)
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second): // already waited for by kill
		}
	})
	return p
}

// leaseView reads the failover lease row straight from the database.
type leaseView struct {
	conn *pgx.Conn
}

func openLeaseView(t *testing.T, url string) *leaseView {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), url)
	if err != nil {
		t.Fatalf("connecting to the test database: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return &leaseView{conn: conn}
}

// holder returns the address and epoch of the node holding an unexpired
// lease, or "" when none does.
func (v *leaseView) holder(t *testing.T) (string, int64) {
	t.Helper()
	var (
		address string
		epoch   int64
	)
	err := v.conn.QueryRow(t.Context(), "SELECT address, epoch FROM leases WHERE partition = 0 AND expires_at > now()").Scan(&address, &epoch)
	if err == pgx.ErrNoRows {
		return "", 0
	}
	if err != nil {
		t.Fatalf("reading the lease: %v", err)
	}
	return address, epoch
}

// waitHolder waits until the node at address holds the lease and returns
// its epoch.
func (v *leaseView) waitHolder(t *testing.T, address string) int64 {
	t.Helper()
	var epoch int64
	eventually(t, failoverWait, "the node at "+address+" holds the lease", func() bool {
		var at string
		at, epoch = v.holder(t)
		return at == address
	})
	return epoch
}

// logHas reports whether p's log contains text.
func logHas(t *testing.T, p *sundialProcess, text string) bool {
	t.Helper()
	b, err := os.ReadFile(p.logPath)
	if err != nil {
		t.Fatalf("reading %s: %v", p.logPath, err)
	}
	return strings.Contains(string(b), text)
}

// waitLog waits until p's log contains text.
func waitLog(t *testing.T, p *sundialProcess, text string) {
	t.Helper()
	eventually(t, failoverWait, p.addr+" logs "+text, func() bool { return logHas(t, p, text) })
}

// waitServing waits until the gRPC health service at address reports
// SERVING.
func waitServing(t *testing.T, address string) {
	t.Helper()
	conn, err := grpc.NewClient("passthrough:///"+address, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialling %s: %v", address, err)
	}
	defer conn.Close()
	health := healthpb.NewHealthClient(conn)
	eventually(t, failoverWait, address+" reports SERVING", func() bool {
		ctx, cancel := context.WithTimeout(t.Context(), time.Second)
		defer cancel()
		resp, err := health.Check(ctx, &healthpb.HealthCheckRequest{})
		return err == nil && resp.GetStatus() == healthpb.HealthCheckResponse_SERVING
	})
}
