package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sundialdev/sundial/internal/store/postgres"
)

// runMigrate creates or migrates a PostgreSQL database's schema to this
// build's version and exits, for operators who migrate before deploying.
// The server does the same on start; both take the same advisory lock.
func runMigrate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := subcommandFlags("sundial migrate", "Usage: sundial migrate --db URL\n\n"+
		"Create or migrate the schema of a PostgreSQL database to this build's version (servers may be running).\n"+
		"A database migrated by a newer Sundial is refused.", stderr)
	db := flags.String("db", "", "PostgreSQL `URL` (postgres://user:pass@host/db?sslmode=require) or keyword/value string")
	if code, ok := parseSubcommand(flags, args); !ok {
		return code
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "sundial migrate: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	if !isPostgresDatabase(*db) {
		fmt.Fprintf(stderr, "sundial migrate: --db must be a PostgreSQL URL or keyword/value string (a SQLite file is migrated by the server itself), got %q\n", redactDatabase(*db))
		return exitUsage
	}
	from, to, err := postgres.Migrate(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "sundial migrate: %s: %v\n", redactDatabase(*db), err)
		return exitFailure
	}
	if from == to {
		fmt.Fprintf(stdout, "%s: schema already at version %d\n", redactDatabase(*db), to)
		return exitOK
	}
	fmt.Fprintf(stdout, "%s: schema migrated from version %d to %d\n", redactDatabase(*db), from, to)
	return exitOK
}
