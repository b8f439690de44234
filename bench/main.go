// Command bench runs the same load against Sundial and against Temporal's own
// server on this machine, one scenario at a time, each server in its own process
// on a fresh store of its own: a SQLite file (sundial, temporal) and fresh
// databases on one PostgreSQL server (sundial-pg, temporal-pg: Temporal in its
// production configuration, the postgres12 plugin), and prints one table of
// throughput, latency, server and load CPU per operation and server memory. A
// run of every scenario with no -only also rewrites BENCHMARKS.md.
//
//	go run .                                  # everything (what `make bench` does)
//	go run . -only sundial -duration 3s       # quick iterations on Sundial alone
//	BENCH_POSTGRES=postgres://u:p@host/db go run . -only sundial-pg,temporal-pg
//	go run . -scenarios activity-30 -profile cpu.out -memprofile mem.out
//
// See BENCHMARKS.md for what each figure means.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintf(os.Stderr, "bench: %v\n", err)
		os.Exit(1)
	}
}

// options are the command line's choices.
type options struct {
	scenarios []string
	// only is the -only flag as given; servers the kinds it names (all by default).
	only     string
	servers  []serverKind
	postgres string
	// defaultPostgres is the server tried when none is named: localPostgres.
	defaultPostgres string
	duration        time.Duration
	openCap         time.Duration
	markdown        string
	repoRoot        string
	sundialBin      string
	temporalBin     string
	journalMode     string
	profile         profiling
	keep            bool
}

func parseOptions(args []string, stderr io.Writer) (options, error) {
	o := options{defaultPostgres: localPostgres}
	flags := flag.NewFlagSet("bench", flag.ContinueOnError)
	flags.SetOutput(stderr)
	names := flags.String("scenarios", "all", "comma-separated scenarios to run, or all: "+strings.Join(scenarioNames(), ","))
	flags.StringVar(&o.only, "only", "", "comma-separated servers to run, of "+kindNames(allServers)+" (default all; the -pg ones when PostgreSQL is reachable)")
	flags.StringVar(&o.postgres, "postgres", "", "PostgreSQL server `URL` for sundial-pg and temporal-pg (each scenario gets fresh databases on it, dropped after); default $BENCH_POSTGRES, else $SUNDIAL_TEST_POSTGRES, else "+redact(localPostgres)+" when reachable; off leaves PostgreSQL out")
	flags.DurationVar(&o.duration, "duration", 8*time.Second, "how long each closed-loop scenario runs")
	flags.DurationVar(&o.openCap, "open-cap", 60*time.Second, "time limit of the timers-1000 and open-10000 scenarios")
	flags.StringVar(&o.markdown, "md", "../BENCHMARKS.md", "file to write the report to (only after a full run)")
	flags.StringVar(&o.repoRoot, "repo", "..", "root of the Sundial repository")
	flags.StringVar(&o.sundialBin, "sundial-bin", "", "use this sundial binary instead of building one")
	flags.StringVar(&o.temporalBin, "temporal-bin", "", "use this temporal-server binary instead of building one")
	flags.StringVar(&o.journalMode, "temporal-journal", "wal", "Temporal's SQLite journal mode: wal (as Sundial) or delete (SQLite's default)")
	flags.StringVar(&o.profile.cpuPath, "profile", "", "run Sundial in-process (on PostgreSQL with -only sundial-pg) and write a CPU profile of the (single) scenario here")
	flags.StringVar(&o.profile.memPath, "memprofile", "", "run Sundial in-process and write an allocation profile here")
	flags.BoolVar(&o.keep, "keep", false, "keep the work directory (SQLite databases and logs) and the PostgreSQL databases")
	if err := flags.Parse(args); err != nil {
		return options{}, err
	}
	if flags.NArg() > 0 {
		return options{}, fmt.Errorf("unexpected argument %q", flags.Arg(0))
	}
	o.scenarios = strings.Split(*names, ",")
	servers, err := parseKinds(o.only)
	if err != nil {
		return options{}, err
	}
	o.servers = servers
	if o.journalMode != "wal" && o.journalMode != "delete" {
		return options{}, fmt.Errorf("-temporal-journal must be wal or delete, got %q", o.journalMode)
	}
	if o.duration <= 0 || o.openCap <= 0 {
		return options{}, fmt.Errorf("-duration and -open-cap must be positive")
	}
	return o, nil
}

func scenarioNames() []string {
	var names []string
	for _, s := range scenarios() {
		names = append(names, s.name)
	}
	return names
}

// serversFor returns the servers to run for the i-th scenario, rotating which
// goes first from one scenario to the next.
func serversFor(i int, servers []serverKind) []serverKind {
	if len(servers) == 0 {
		return nil
	}
	k := i % len(servers)
	return append(append([]serverKind{}, servers[k:]...), servers[:k]...)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	o, err := parseOptions(args, stderr)
	if err != nil {
		return err
	}
	chosen, err := selectScenarios(o.scenarios)
	if err != nil {
		return err
	}
	repoRoot, err := filepath.Abs(o.repoRoot)
	if err != nil {
		return fmt.Errorf("resolving -repo: %w", err)
	}
	workDir, err := os.MkdirTemp("", "sundial-bench-")
	if err != nil {
		return fmt.Errorf("creating work directory: %w", err)
	}
	if o.keep {
		fmt.Fprintf(stderr, "work directory: %s\n", workDir)
	} else {
		defer os.RemoveAll(workDir)
	}
	cfg := settings{duration: o.duration, openCap: o.openCap, workDir: workDir}
	profiling := o.profile.cpuPath != "" || o.profile.memPath != ""
	if profiling {
		// A profile is of Sundial in this process: on SQLite, or on
		// PostgreSQL with -only sundial-pg.
		if len(o.servers) != 1 || o.servers[0].engine() != sundialServer {
			o.servers = []serverKind{sundialServer}
		}
	}
	if o.servers, cfg.pg, err = reachPostgres(ctx, o, stderr); err != nil {
		return err
	}
	if cfg.pg != nil && o.keep {
		cfg.pg.keep = stderr
	}

	if profiling {
		ms, err := profileScenarios(ctx, chosen, o.servers[0], cfg, o.profile, stdout)
		if len(ms) > 0 {
			fmt.Fprint(stdout, markdownTable(tableRows(ms)))
			fmt.Fprintln(stdout, "(in-process: server CPU is the whole process's, SDK worker and load included; load CPU is not read apart)")
		}
		return err
	}

	began := time.Now()
	info := runInfo{loadStart: loadAverage(), duration: o.duration, temporalJournal: o.journalMode, servers: o.servers}
	if cfg.pg != nil {
		info.postgres = cfg.pg.describe(ctx)
	}
	bins, err := prepareBinaries(ctx, o, repoRoot, workDir)
	if err != nil {
		return err
	}
	var ms []measurement
	for i, sc := range chosen {
		for _, kind := range serversFor(i, o.servers) {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !sc.runsOn(kind) {
				fmt.Fprintf(stderr, "%-16s %-11s skipped: %s\n", sc.name, kind, sc.skipReason)
				continue
			}
			fmt.Fprintf(stderr, "%-16s %-11s ", sc.name, kind)
			t0 := time.Now()
			m := measure(ctx, sc, kind, bins, cfg)
			ms = append(ms, m)
			took := time.Since(t0).Round(100 * time.Millisecond)
			if m.err != nil {
				fmt.Fprintf(stderr, "failed after %v: %v\n", took, m.err)
			} else {
				fmt.Fprintf(stderr, "%.1f %s, p50 %s, cpu %.3f ms/op, load cpu %.3f ms/op (%v; load average %s)\n",
					m.throughput(), sc.unit, formatLatency(m.p50()), m.cpuPerOp(), m.loadCPUPerOp(), took, loadAverage())
			}
		}
	}
	info.loadEnd = loadAverage()
	info.took = time.Since(began)
	info.machine = describeMachine(ctx, repoRoot)

	fmt.Fprint(stdout, "\n"+markdownTable(tableRows(ms)))
	if n := notes(ms); n != "" {
		fmt.Fprint(stdout, "\n"+n)
	}
	fmt.Fprint(stdout, "\n"+goalsTable(ms, info.machine.CPUs))
	fmt.Fprintf(stdout, "\nload average at start %s, at end %s; took %v\n", info.loadStart, info.loadEnd, info.took.Round(time.Second))
	full := len(chosen) == len(scenarios()) && o.only == ""
	if full && o.markdown != "" {
		if err := writeMarkdown(o.markdown, info, ms); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s\n", o.markdown)
	}
	return nil
}

// prepareBinaries builds the server binaries the run needs, unless given.
func prepareBinaries(ctx context.Context, o options, repoRoot, workDir string) (binaries, error) {
	needSundial := runsEngine(o.servers, sundialServer) && o.sundialBin == ""
	needTemporal := runsEngine(o.servers, temporalServer) && o.temporalBin == ""
	bins, err := buildBinaries(ctx, repoRoot, workDir, needSundial, needTemporal)
	if err != nil {
		return binaries{}, err
	}
	if o.sundialBin != "" {
		bins.Sundial = o.sundialBin
	}
	if o.temporalBin != "" {
		bins.Temporal = o.temporalBin
	}
	bins.TemporalJournalMode = o.journalMode
	return bins, nil
}
