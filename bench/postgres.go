package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// localPostgres is where the PostgreSQL kinds run when neither -postgres,
// BENCH_POSTGRES nor SUNDIAL_TEST_POSTGRES names a server: the role and
// database .ci/postgres.sh makes on this machine's cluster (its peer-only
// Unix socket does not admit that role, so TCP on the loopback).
const localPostgres = "postgres://sundial:sundial@127.0.0.1:5432/sundial?sslmode=disable"

// postgresChoice is the PostgreSQL server the command line, the environment or
// the default picked, and where the choice came from.
type postgresChoice struct {
	url    string
	source string
	// explicit says the user named it: failing to reach it is an error, not a
	// reason to leave the PostgreSQL kinds out.
	explicit bool
}

// choosePostgres picks the server: the flag, then BENCH_POSTGRES, then
// SUNDIAL_TEST_POSTGRES (what CI's .ci/run exports), then fallback (localPostgres).
// "off" (in the flag or BENCH_POSTGRES) leaves PostgreSQL out.
func choosePostgres(flagValue, fallback string) postgresChoice {
	switch {
	case flagValue != "":
		return postgresChoice{url: flagValue, source: "-postgres", explicit: true}
	case os.Getenv("BENCH_POSTGRES") != "":
		return postgresChoice{url: os.Getenv("BENCH_POSTGRES"), source: "BENCH_POSTGRES", explicit: true}
	case os.Getenv("SUNDIAL_TEST_POSTGRES") != "":
		return postgresChoice{url: os.Getenv("SUNDIAL_TEST_POSTGRES"), source: "SUNDIAL_TEST_POSTGRES", explicit: true}
	}
	return postgresChoice{url: fallback, source: "the default (.ci/postgres.sh's role and database)"}
}

// off reports whether the user asked for no PostgreSQL.
func (c postgresChoice) off() bool { return c.url == "off" }

// postgresServer makes and drops the fresh databases the PostgreSQL kinds run on.
type postgresServer struct {
	// base is the chosen URL; each fresh database's URL is base with another
	// database name.
	base *url.URL
	// prefix starts every database name this run makes, so that names are
	// unique across runs sharing the server.
	prefix string
	made   int
	// keep, when set, makes drop leave the databases and name them here.
	keep io.Writer
}

// connectPostgres checks that the server at rawURL answers and that its role may
// create databases. rawURL must be a postgres:// URL: Temporal's SQL plugin is
// configured from its parts.
func connectPostgres(ctx context.Context, rawURL string) (*postgresServer, error) {
	base, err := url.Parse(rawURL)
	if err != nil || (base.Scheme != "postgres" && base.Scheme != "postgresql") || base.Host == "" {
		return nil, fmt.Errorf("PostgreSQL server %q: want a postgres://user:password@host:port/database URL", redact(rawURL))
	}
	conn, err := adminConn(ctx, rawURL)
	if err != nil {
		return nil, err
	}
	defer conn.Close(context.Background())
	var mayCreate bool
	if err := conn.QueryRow(ctx, "SELECT rolcreatedb OR rolsuper FROM pg_roles WHERE rolname = current_user").Scan(&mayCreate); err != nil {
		return nil, fmt.Errorf("reading the role's rights on %s: %w", redact(rawURL), err)
	}
	if !mayCreate {
		return nil, fmt.Errorf("the role of %s may not create databases (CREATEDB), which each scenario needs", redact(rawURL))
	}
	return &postgresServer{base: base, prefix: fmt.Sprintf("sundial_bench_%d_%d", os.Getpid(), time.Now().Unix()%100000)}, nil
}

// adminConn connects to the chosen URL's own database, from which databases
// are created and dropped.
func adminConn(ctx context.Context, rawURL string) (*pgx.Conn, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, rawURL)
	if err != nil {
		return nil, fmt.Errorf("connecting to %s: %w", redact(rawURL), err)
	}
	return conn, nil
}

// freshDatabases are the databases made for one server on one scenario.
type freshDatabases struct {
	// main is the URL of the database the server keeps its state in.
	main string
	// visibility is the URL of Temporal's visibility database ("" for Sundial,
	// whose visibility lives in main).
	visibility string
	names      []string
}

// create makes empty databases for kind: one for Sundial, two for Temporal (its
// persistence and its visibility store, as in Temporal's
// config/development-postgres12.yaml).
func (p *postgresServer) create(ctx context.Context, kind serverKind) (freshDatabases, error) {
	p.made++
	name := fmt.Sprintf("%s_%d_%s", p.prefix, p.made, strings.ReplaceAll(string(kind.engine()), "-", "_"))
	names := []string{name}
	if kind.engine() == temporalServer {
		names = append(names, name+"_visibility")
	}
	conn, err := adminConn(ctx, p.base.String())
	if err != nil {
		return freshDatabases{}, err
	}
	defer conn.Close(context.Background())
	fresh := freshDatabases{}
	for _, n := range names {
		if _, err := conn.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{n}.Sanitize()); err != nil {
			dropErr := p.drop(ctx, fresh)
			return freshDatabases{}, errors.Join(fmt.Errorf("creating database %s: %w", n, err), dropErr)
		}
		fresh.names = append(fresh.names, n)
	}
	fresh.main = p.urlOf(names[0])
	if len(names) > 1 {
		fresh.visibility = p.urlOf(names[1])
	}
	return fresh, nil
}

// urlOf is the chosen URL with another database.
func (p *postgresServer) urlOf(database string) string {
	u := *p.base
	u.Path = "/" + database
	u.RawPath = ""
	return u.String()
}

// drop removes the databases, ending any session still on them.
func (p *postgresServer) drop(ctx context.Context, fresh freshDatabases) error {
	if len(fresh.names) == 0 {
		return nil
	}
	if p.keep != nil {
		fmt.Fprintf(p.keep, "kept PostgreSQL databases %s\n", strings.Join(fresh.names, ", "))
		return nil
	}
	// Dropping must happen even when the run was interrupted.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	conn, err := adminConn(ctx, p.base.String())
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	var errs []error
	for _, n := range fresh.names {
		if err := dropDatabase(ctx, conn, n); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// dropDatabase drops one database, ending its sessions; a server slow to end
// them (a busy machine) gets a few more tries.
func dropDatabase(ctx context.Context, conn *pgx.Conn, name string) error {
	var err error
	for attempt := range 5 {
		if attempt > 0 {
			select {
			case <-ctx.Done():
				return fmt.Errorf("dropping database %s: %w (last error: %v)", name, ctx.Err(), err)
			case <-time.After(time.Second):
			}
		}
		if _, err = conn.Exec(ctx, "DROP DATABASE IF EXISTS "+pgx.Identifier{name}.Sanitize()+" WITH (FORCE)"); err == nil {
			return nil
		}
	}
	return fmt.Errorf("dropping database %s: %w", name, err)
}

// redact hides a URL's password for messages.
func redact(rawURL string) string {
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(a string that is not a URL)"
	}
	if u.User == nil {
		return rawURL
	}
	if _, has := u.User.Password(); has {
		u.User = url.UserPassword(u.User.Username(), "xxxxx")
	}
	return u.String()
}
