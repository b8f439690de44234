package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sundialdev/sundial/internal/store/postgres"
	"github.com/sundialdev/sundial/internal/store/postgres/pgtest"
)

func TestMigrateCommand(t *testing.T) {
	url := pgtest.NewSchema(t)
	for i, want := range []string{"schema migrated from version 0 to", "schema already at version"} {
		var stdout, stderr bytes.Buffer
		if code := run(t.Context(), []string{"migrate", "--db", url}, &stdout, &stderr); code != exitOK {
			t.Fatalf("run %d: exit %d, stderr %s", i, code, stderr.String())
		}
		if !strings.Contains(stdout.String(), want) {
			t.Errorf("run %d printed %q, want it to say %q", i, stdout.String(), want)
		}
		if strings.Contains(stdout.String(), "sundial:sundial@") {
			t.Errorf("run %d printed the password: %q", i, stdout.String())
		}
	}
	if postgres.SchemaVersion() < 1 {
		t.Fatalf("SchemaVersion() = %d", postgres.SchemaVersion())
	}
}

func TestMigrateCommandRefusesASQLitePath(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := run(t.Context(), []string{"migrate", "--db", "./sundial.db"}, &stdout, &stderr); code != exitUsage {
		t.Fatalf("exit %d, want %d (stderr %s)", code, exitUsage, stderr.String())
	}
}
