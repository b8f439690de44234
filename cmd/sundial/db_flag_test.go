package main

import (
	"testing"

	"github.com/sundialdev/sundial/server"
)

func TestDatabaseFlagSelectsTheStore(t *testing.T) {
	cases := []struct {
		db       string
		postgres bool
		redacted string
	}{
		{"./sundial.db", false, "./sundial.db"},
		{":memory:", false, ":memory:"},
		{"data/host=x.db", false, "data/host=x.db"},
		{"postgres://u:secret@db:5432/s?sslmode=require", true, "postgres://u:xxxxx@db:5432/s?sslmode=require"},
		{"postgresql://u@db/s?password=secret", true, "postgresql://u@db/s?password=xxxxx"},
		{"host=db user=u password=secret dbname=s", true, "host=db user=u password=xxxxx dbname=s"},
		{"dbname=s password='a b' sslmode=disable", true, "dbname=s password=xxxxx sslmode=disable"},
	}
	for _, tc := range cases {
		if got := isPostgresDatabase(tc.db); got != tc.postgres {
			t.Errorf("isPostgresDatabase(%q) = %v, want %v", tc.db, got, tc.postgres)
		}
		if got := redactDatabase(tc.db); got != tc.redacted {
			t.Errorf("redactDatabase(%q) = %q, want %q", tc.db, got, tc.redacted)
		}
		opts := withDatabase(server.Options{DatabasePath: tc.db})
		if tc.postgres && (opts.DatabaseURL != tc.db || opts.DatabasePath != "") {
			t.Errorf("withDatabase(%q) = path %q, url %q; want the URL", tc.db, opts.DatabasePath, opts.DatabaseURL)
		}
		if !tc.postgres && (opts.DatabasePath != tc.db || opts.DatabaseURL != "") {
			t.Errorf("withDatabase(%q) = path %q, url %q; want the path", tc.db, opts.DatabasePath, opts.DatabaseURL)
		}
	}
}
