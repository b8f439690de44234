package main

import (
	"context"
	"fmt"
	"io"

	"github.com/sundialdev/sundial/internal/store/sqlite"
)

// runBackup writes a consistent copy of a database, which a running server
// may be using, into a new file.
func runBackup(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	flags := subcommandFlags("sundial backup", "Usage: sundial backup --db PATH --out PATH\n\nWrite a consistent copy of a database; the server may keep running.", stderr)
	db := flags.String("db", "./sundial.db", "SQLite database `PATH` to copy")
	out := flags.String("out", "", "`PATH` of the copy to create (must not exist)")
	if code, ok := parseSubcommand(flags, args); !ok {
		return code
	}
	if flags.NArg() > 0 || *out == "" {
		fmt.Fprintln(stderr, "sundial backup: --out PATH is required and no other arguments are allowed")
		return exitUsage
	}
	if err := sqlite.Backup(ctx, *db, *out); err != nil {
		fmt.Fprintf(stderr, "sundial backup: %v\n", err)
		return exitFailure
	}
	fmt.Fprintf(stdout, "%s: copied to %s\n", *db, *out)
	return exitOK
}
