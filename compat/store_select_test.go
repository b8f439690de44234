package compat

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
	"github.com/sundialdev/sundial/server"
)

// COMPAT_STORE picks the store Sundial runs on in this suite: "sqlite" (or
// unset) for a file in t.TempDir(), "postgres" for a fresh database per test
// on the server named by SUNDIAL_TEST_POSTGRES (see internal/store/postgres/pgtest).
const storeEnv = "COMPAT_STORE"

func storeIsPostgres(t *testing.T) bool {
	t.Helper()
	switch v := os.Getenv(storeEnv); v {
	case "", "sqlite":
		return false
	case "postgres":
		return true
	default:
		t.Fatalf("%s must be sqlite or postgres, got %q", storeEnv, v)
		return false
	}
}

// withTestDatabase fills in opts' database when the test left it unset: a
// fresh PostgreSQL database or a SQLite file, as COMPAT_STORE says.
func withTestDatabase(t *testing.T, opts server.Options) server.Options {
	t.Helper()
	if opts.DatabasePath != "" || opts.DatabaseURL != "" {
		return opts
	}
	if storeIsPostgres(t) {
		opts.DatabaseURL = pgtest.NewDatabase(t)
		return opts
	}
	opts.DatabasePath = filepath.Join(t.TempDir(), "sundial.db")
	return opts
}

// testDatabaseFlag is the --db value of a sundial process for one test: a
// fresh PostgreSQL database or a SQLite file in dir.
func testDatabaseFlag(t *testing.T, dir string) string {
	t.Helper()
	if storeIsPostgres(t) {
		return pgtest.NewDatabase(t)
	}
	return filepath.Join(dir, "sundial.db")
}
