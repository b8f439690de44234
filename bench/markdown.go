package main

import (
	"fmt"
	"os"
	"strings"
	"time"
)

// runInfo is what BENCHMARKS.md says about the run besides the results.
type runInfo struct {
	machine   machine
	loadStart string
	loadEnd   string
	took      time.Duration
	duration  time.Duration
	// temporalJournal is the SQLite journal mode Temporal ran with.
	temporalJournal string
	// servers are the kinds the run measured.
	servers []serverKind
	// postgres describes the PostgreSQL server, "" when none was used.
	postgres string
}

// renderMarkdown is the whole of BENCHMARKS.md for one run.
func renderMarkdown(info runInfo, ms []measurement) string {
	var b strings.Builder
	b.WriteString(`# Benchmarks: Sundial and Temporal's server, side by side

This file is written by ` + "`make bench`" + ` (the ` + "`bench/`" + ` module); edit the generator, not the file.

## How it is measured

- Both servers run as child processes of the load driver, each on a store of its own made
  fresh for the scenario. On SQLite (rows ` + "`sundial`" + `, ` + "`temporal`" + `) each gets its own file:
  ` + "`sundial server`" + ` with its default durability (WAL, synchronous=FULL: every acknowledged
  change is fsynced before the reply), and Temporal's server ` + "`go.temporal.io/server`" + `
  v1.32.0 (` + "`bench/cmd/temporal-server`" + `) set up like Temporal's own
  config/development-sqlite-file.yaml: all four services in one process, one history
  shard, one SQLite connection with synchronous=FULL and, by default, WAL (so both servers
  have the same durability; ` + "`-temporal-journal delete`" + ` gives SQLite's rollback journal,
  what Temporal's lite server, the basis of its dev server, gets when given no pragmas),
  archival off, no metrics exporter.
- On PostgreSQL (rows ` + "`sundial-pg`" + `, ` + "`temporal-pg`" + `) both run against the same PostgreSQL
  server, each scenario on databases created for it (unique names) and dropped after:
  ` + "`sundial server --db postgres://...`" + ` with its default durability (every acknowledged change
  committed; the server's synchronous_commit as configured, below), and Temporal's server in its
  production configuration: the ` + "`postgres12`" + ` SQL plugin for persistence and for visibility (two
  databases, as in Temporal's config/development-postgres12.yaml: 4 history shards, 20
  connections for persistence, 2 for visibility), its schema set up the way
  ` + "`temporal-sql-tool`" + ` does (setup-schema to version 0.0, then update-schema through the
  versioned directories shipped in the server module), the namespace registered through
  the frontend's RegisterNamespace, as ` + "`temporal operator namespace create`" + ` does.
- A fresh server with a fresh database serves each scenario; Sundial and Temporal take turns
  going first from one scenario to the next, so drift in the machine's load hits both.
- The load is the official Go SDK (go.temporal.io/sdk v1.47.0) in the driver process, with one
  worker (8 workflow-task and 8 activity-task pollers) and the same workflow code for both
  servers. The ` + "`sdk-activity-*`" + ` scenarios (1, 10 and 30 in flight) run the same one-activity
  workflow on Sundial's own SDK alone (its client, and one Sundial worker with 8 workflow-task
  and 8 activity-task pollers running the workflow and the activity), against both servers.
- Before measuring, each scenario runs five one-activity workflows to warm the server.
- **throughput**: operations completed ÷ wall time from the first start to the last result.
- **p50 / p99**: of the latency named per scenario below (nearest rank).
- **server CPU ms/op**: the server process's user+system CPU time (from /proc/<pid>/stat,
  sampled just before and after the measured run, 10 ms resolution) ÷ operations. On
  PostgreSQL it leaves out the database's own processes, which run on the same CPUs.
- **load CPU ms/op**: the same for the load driver's own process (the SDK client and worker,
  the workflow and activity code, the bench's bookkeeping), read at the same two moments.
  The load runs on the same machine as the server, so it bounds the throughput any server
  could show here: with N CPUs the load alone allows at most N × 1000 ÷ (load CPU ms/op)
  operations per second, the "load-bound ceiling" in the throughput goal below. "—" where
  the server ran inside the load process (profiling runs), whose CPU cannot be split.
- **peak RSS**: the server's VmHWM at the end of the scenario (its whole life);
  **idle** rows: the median over all starts of VmRSS one second after the server is ready.
- **calls/op**: gRPC calls from the load process to the server per operation, long polls
  (task polls, the SDK's result wait) excluded.
- **Sundial/Temporal**: Sundial's figure divided by Temporal's on the same store (` + "`sundial`" + `
  by ` + "`temporal`" + `, ` + "`sundial-pg`" + ` by ` + "`temporal-pg`" + `; throughput: higher is better for
  Sundial; p50, CPU and RSS: lower is better).

`)
	fmt.Fprintf(&b, "## Run\n\n")
	fmt.Fprintf(&b, "- Commit measured: %s\n", info.machine.Commit)
	fmt.Fprintf(&b, "- Machine: %d CPUs (%s), %s memory, %s\n", info.machine.CPUs, info.machine.CPUModel, info.machine.Memory, info.machine.Kernel)
	fmt.Fprintf(&b, "- Go: %s\n", info.machine.GoVersion)
	fmt.Fprintf(&b, "- Load average (1/5/15 min) at start: %s; at end: %s (a load above the CPU count means the servers and the load competed with other work for the CPUs).\n", info.loadStart, info.loadEnd)
	fmt.Fprintf(&b, "- Servers: %s.\n", kindNames(info.servers))
	fmt.Fprintf(&b, "- Temporal's SQLite journal mode: %s.\n", info.temporalJournal)
	if info.postgres != "" {
		fmt.Fprintf(&b, "- PostgreSQL: %s (the same server, on this machine, for both).\n", info.postgres)
	} else {
		b.WriteString("- PostgreSQL: none reachable, so no sundial-pg or temporal-pg rows (set BENCH_POSTGRES).\n")
	}
	fmt.Fprintf(&b, "- Closed-loop scenarios ran %v each; the whole run took %v.\n\n", info.duration, info.took.Round(time.Second))
	b.WriteString("## Results\n\n")
	b.WriteString(markdownTable(tableRows(ms)))
	if n := notes(ms); n != "" {
		b.WriteString("\n" + n)
	}
	b.WriteString("\n## Goals (issues 5 and 14)\n\n")
	b.WriteString(goalsTable(ms, info.machine.CPUs))
	b.WriteString("\n## Scenarios\n\n| scenario | what one operation is | p50/p99 of |\n|---|---|---|\n")
	for _, s := range scenarios() {
		fmt.Fprintf(&b, "| %s | %s | %s |\n", s.name, s.description, s.latency)
	}
	b.WriteString(`
## Running it

    make bench                                   # everything, every server, writes BENCHMARKS.md
    make bench BENCH_POSTGRES=postgres://user:pw@host:5432/db   # the -pg servers on that PostgreSQL
    cd bench && go run . -only sundial           # Sundial on SQLite only, table printed
    cd bench && go run . -only sundial-pg,temporal-pg -scenarios activity-1,activity-30
    cd bench && go run . -scenarios activity-1,timers-1000 -duration 5s
    cd bench && go run . -scenarios activity-30 -profile cpu.out -memprofile mem.out
                                                 # Sundial in-process, with pprof profiles
    go tool pprof -top bench/cpu.out

Only a run of every scenario with no -only rewrites this file. The PostgreSQL server is
-postgres, else $BENCH_POSTGRES, else $SUNDIAL_TEST_POSTGRES, else the role and database
.ci/postgres.sh makes (postgres://sundial:…@127.0.0.1:5432/sundial) when it answers; without
one, the -pg servers are left out and the run says so. Its role must be allowed to create
databases.
`)
	return b.String()
}

// writeMarkdown writes BENCHMARKS.md.
func writeMarkdown(path string, info runInfo, ms []measurement) error {
	if err := os.WriteFile(path, []byte(renderMarkdown(info, ms)), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
