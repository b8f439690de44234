package main

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
)

func TestWithoutPostgresTheRestRunsAndTheRunSaysSo(t *testing.T) {
	t.Setenv("BENCH_POSTGRES", "")
	t.Setenv("SUNDIAL_TEST_POSTGRES", "")
	o, err := parseOptions(nil, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	// Port 1 on the loopback: nothing listens there.
	o.defaultPostgres = "postgres://sundial:sundial@127.0.0.1:1/sundial?sslmode=disable"
	var said strings.Builder
	kinds, pg, err := reachPostgres(context.Background(), o, &said)
	if err != nil {
		t.Fatalf("an unreachable default failed the run: %v", err)
	}
	if pg != nil || !slices.Equal(kinds, []serverKind{sundialServer, temporalServer}) {
		t.Errorf("servers %v, postgres %v; want the SQLite two alone", kinds, pg)
	}
	if !strings.Contains(said.String(), "running without sundial-pg and temporal-pg") || strings.Contains(said.String(), ":sundial@") {
		t.Errorf("the run said %q", said.String())
	}
}

func TestANamedPostgresThatCannotBeUsedIsAnError(t *testing.T) {
	t.Setenv("BENCH_POSTGRES", "postgres://sundial:secret@127.0.0.1:1/sundial?sslmode=disable")
	o, err := parseOptions(nil, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = reachPostgres(context.Background(), o, &strings.Builder{})
	if err == nil || !strings.Contains(err.Error(), "BENCH_POSTGRES") || strings.Contains(err.Error(), "secret") {
		t.Errorf("got %v, want an error naming BENCH_POSTGRES without the password", err)
	}
	t.Setenv("BENCH_POSTGRES", "off")
	if o, err = parseOptions([]string{"-only", "sundial-pg"}, &strings.Builder{}); err != nil {
		t.Fatal(err)
	}
	if _, _, err = reachPostgres(context.Background(), o, &strings.Builder{}); err == nil {
		t.Error("-only sundial-pg with PostgreSQL off was accepted")
	}
}

func TestFreshDatabaseURLsKeepTheServerAndItsParameters(t *testing.T) {
	pg := &postgresServer{}
	var err error
	if pg.base, err = url.Parse("postgres://u:p@db.example:6543/admin?sslmode=require"); err != nil {
		t.Fatal(err)
	}
	if got, want := pg.urlOf("fresh_1"), "postgres://u:p@db.example:6543/fresh_1?sslmode=require"; got != want {
		t.Errorf("urlOf = %q, want %q", got, want)
	}
}
