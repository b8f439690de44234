package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
)

// parseKinds reads -only: a comma-separated list of server kinds, or "" for all.
func parseKinds(only string) ([]serverKind, error) {
	if only == "" {
		return slices.Clone(allServers), nil
	}
	var kinds []serverKind
	for name := range strings.SplitSeq(only, ",") {
		kind := serverKind(strings.TrimSpace(name))
		if !slices.Contains(allServers, kind) {
			return nil, fmt.Errorf("-only: unknown server %q (want some of %s)", name, kindNames(allServers))
		}
		if !slices.Contains(kinds, kind) {
			kinds = append(kinds, kind)
		}
	}
	return kinds, nil
}

// kindNames lists kinds for messages.
func kindNames(kinds []serverKind) string {
	names := make([]string, len(kinds))
	for i, k := range kinds {
		names[i] = string(k)
	}
	return strings.Join(names, ",")
}

// runsEngine reports whether any of kinds runs the engine's program.
func runsEngine(kinds []serverKind, engine serverKind) bool {
	return slices.ContainsFunc(kinds, func(k serverKind) bool { return k.engine() == engine })
}

// withoutPostgres is kinds less the PostgreSQL ones.
func withoutPostgres(kinds []serverKind) []serverKind {
	return slices.DeleteFunc(slices.Clone(kinds), serverKind.onPostgres)
}

// reachPostgres connects to the PostgreSQL server the PostgreSQL kinds need and
// returns the kinds to run. With no server named (flag or environment) and the
// default one unreachable it says so and leaves those kinds out, so that a
// machine without PostgreSQL still benchmarks the rest; a named server that
// cannot be used, or PostgreSQL kinds named in -only without one, is an error.
func reachPostgres(ctx context.Context, o options, stderr io.Writer) ([]serverKind, *postgresServer, error) {
	if !slices.ContainsFunc(o.servers, serverKind.onPostgres) {
		return o.servers, nil, nil
	}
	choice := choosePostgres(o.postgres, o.defaultPostgres)
	askedFor := o.only != ""
	if choice.off() {
		if askedFor {
			return nil, nil, fmt.Errorf("-only names PostgreSQL servers but PostgreSQL is off (%s)", choice.source)
		}
		fmt.Fprintf(stderr, "PostgreSQL is off (%s): running without sundial-pg and temporal-pg\n", choice.source)
		return withoutPostgres(o.servers), nil, nil
	}
	pg, err := connectPostgres(ctx, choice.url)
	if err != nil {
		if choice.explicit || askedFor {
			return nil, nil, fmt.Errorf("PostgreSQL from %s: %w", choice.source, err)
		}
		fmt.Fprintf(stderr, "no PostgreSQL configured (BENCH_POSTGRES unset) and %s is not usable (%v): "+
			"running without sundial-pg and temporal-pg; set BENCH_POSTGRES=postgres://user:password@host:port/database "+
			"(a role that may create databases) or start one with .ci/postgres.sh\n", redact(choice.url), err)
		return withoutPostgres(o.servers), nil, nil
	}
	fmt.Fprintf(stderr, "PostgreSQL: %s (from %s); each scenario gets fresh databases named %s_*\n",
		redact(choice.url), choice.source, pg.prefix)
	return o.servers, pg, nil
}

// describe says which PostgreSQL ran and with what durability, for the report.
func (p *postgresServer) describe(ctx context.Context) string {
	conn, err := adminConn(ctx, p.base.String())
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	defer conn.Close(context.Background())
	var version, syncCommit, fsync, sharedBuffers string
	err = conn.QueryRow(ctx, "SELECT current_setting('server_version'), current_setting('synchronous_commit'), "+
		"current_setting('fsync'), current_setting('shared_buffers')").Scan(&version, &syncCommit, &fsync, &sharedBuffers)
	if err != nil {
		return "unknown (" + err.Error() + ")"
	}
	return fmt.Sprintf("PostgreSQL %s at %s, synchronous_commit=%s, fsync=%s, shared_buffers=%s",
		version, p.base.Host, syncCommit, fsync, sharedBuffers)
}
