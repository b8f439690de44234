package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// runCheck runs a full integrity check of a database, meant for a stopped
// server: exit 0 when intact, 1 with the problems when damaged.
func runCheck(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := subcommandFlags("sundial check", "Usage: sundial check --db PATH\n\nRun SQLite's full integrity check on a database (stop the server first).", stderr)
	db := flags.String("db", "./sundial.db", "SQLite database `PATH` to check")
	if code, ok := parseSubcommand(flags, args); !ok {
		return code
	}
	if flags.NArg() > 0 {
		fmt.Fprintf(stderr, "sundial check: unexpected argument %q\n", flags.Arg(0))
		return exitUsage
	}
	problems, err := sqlite.Check(ctx, *db)
	if err != nil {
		fmt.Fprintf(stderr, "sundial check: %v\n", err)
		return exitFailure
	}
	if len(problems) == 0 {
		fmt.Fprintf(stdout, "%s: ok\n", *db)
		return exitOK
	}
	fmt.Fprintf(stdout, "%s: damaged (%d problems shown):\n", *db, len(problems))
	for _, p := range problems {
		fmt.Fprintf(stdout, "  %s\n", p)
	}
	fmt.Fprintln(stdout, "Restore the latest backup (sundial backup). See the README's Operating section.")
	return exitFailure
}
