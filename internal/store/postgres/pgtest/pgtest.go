// Package pgtest gives tests a fresh PostgreSQL schema or database on the
// server named by SUNDIAL_TEST_POSTGRES, and drops it when the test ends.
// Without that variable a test is skipped with the reason, except under CI
// (the CI variable set), where it fails: CI starts a server (.ci/postgres.sh)
// and a test that silently skipped there would prove nothing.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the server's libpq URL or keyword/value
// string; its role must be allowed to create databases.
const EnvURL = "SUNDIAL_TEST_POSTGRES"

// cleanupTimeout bounds dropping a test's schema or database.
const cleanupTimeout = 30 * time.Second

// ServerURL returns SUNDIAL_TEST_POSTGRES, or ends the test: a failure under
// CI, a skip elsewhere.
func ServerURL(t testing.TB) string {
	t.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("%s is not set; CI must provide a PostgreSQL server (bash .ci/postgres.sh prints its URL)", EnvURL)
	}
	t.Skipf("%s is not set: skipping a PostgreSQL test (bash .ci/postgres.sh installs and starts a server and prints its URL)", EnvURL)
	return ""
}

// NewSchema creates an empty schema with a unique name and returns a URL
// whose connections use it (search_path); the schema is dropped with
// everything in it when the test ends.
func NewSchema(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	name := uniqueName(t)
	admin(t, server, "CREATE SCHEMA "+name)
	t.Cleanup(func() { admin(t, server, "DROP SCHEMA "+name+" CASCADE") })
	return withSetting(t, server, "search_path", name)
}

// NewDatabase creates an empty database with a unique name and returns its
// URL; the database is dropped when the test ends, even if connections
// remain.
func NewDatabase(t testing.TB) string {
	t.Helper()
	server := ServerURL(t)
	name := uniqueName(t)
	admin(t, server, "CREATE DATABASE "+name)
	t.Cleanup(func() { admin(t, server, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)") })
	return withSetting(t, server, "dbname", name)
}

// uniqueName is a fresh lower-case identifier, safe to splice into SQL.
func uniqueName(t testing.TB) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		t.Fatalf("pgtest: random name: %v", err)
	}
	return "sundial_test_" + hex.EncodeToString(b[:])
}

// admin runs one statement on the server's own database.
func admin(t testing.TB, server, statement string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), cleanupTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		t.Fatalf("pgtest: connecting to %s: %v", EnvURL, err)
	}
	defer conn.Close(context.Background())
	if _, err := conn.Exec(ctx, statement); err != nil {
		t.Fatalf("pgtest: %s: %v", statement, err)
	}
}

// withSetting returns server with one connection setting replaced: the
// database name, or a run-time parameter such as search_path. It accepts
// both URL and keyword/value forms.
func withSetting(t testing.TB, server, key, value string) string {
	t.Helper()
	if !strings.HasPrefix(server, "postgres://") && !strings.HasPrefix(server, "postgresql://") {
		return fmt.Sprintf("%s %s=%s", server, key, value)
	}
	u, err := url.Parse(server)
	if err != nil {
		t.Fatalf("pgtest: %s is not a URL: %v", EnvURL, err)
	}
	if key == "dbname" {
		u.Path = "/" + value
		return u.String()
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}
