// Command temporal-server runs Temporal's own server (go.temporal.io/server) in one
// process, on PostgreSQL in its production configuration (--postgres and
// --visibility-postgres: the postgres12 plugin on two empty databases, set up
// as temporal-sql-tool does, pools and shards as in Temporal's
// config/development-postgres12.yaml, the namespace registered through the
// frontend), or on a SQLite file, configured like Temporal's development setup on a
// SQLite file (config/development-sqlite-file.yaml): all four services in one
// process, one history shard, one SQLite connection in WAL mode with
// synchronous=FULL (--journal-mode delete for SQLite's rollback journal instead),
// archival off, no metrics exporter, and the namespace "default" registered. The benchmark starts it as a child process so that its CPU
// time and memory can be read from /proc, exactly like Sundial's binary.
//
//	temporal-server --listen 127.0.0.1:7233 --db /tmp/temporal.db
//
// It stops on SIGINT or SIGTERM.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"
)

func main() {
	listen := flag.String("listen", "127.0.0.1:7233", "host:port the frontend serves on")
	db := flag.String("db", "temporal.db", "SQLite file; created with Temporal's schema when missing")
	namespace := flag.String("namespace", "default", "namespace to register at start")
	logLevel := flag.String("log-level", "warn", "debug, info, warn or error")
	journalMode := flag.String("journal-mode", "wal", "SQLite journal mode: wal or delete")
	postgres := flag.String("postgres", "", "run on PostgreSQL instead: this empty database (postgres:// `URL`) gets Temporal's schema and holds persistence")
	visibilityPostgres := flag.String("visibility-postgres", "", "with --postgres: this empty database (postgres:// `URL`) gets the visibility schema and holds visibility")
	flag.Parse()

	if err := serve(options{
		listenAddr:  *listen,
		dbPath:      *db,
		namespace:   *namespace,
		logLevel:    *logLevel,
		journalMode: *journalMode,

		postgresURL:           *postgres,
		visibilityPostgresURL: *visibilityPostgres,
	}); err != nil {
		fmt.Fprintf(os.Stderr, "temporal-server: %v\n", err)
		os.Exit(1)
	}
}

// serve starts the server and blocks until SIGINT or SIGTERM, then stops it.
func serve(cfg options) error {
	srv, err := newServer(cfg)
	if err != nil {
		return err
	}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("starting: %w", err)
	}
	if cfg.onPostgres() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		err := registerNamespace(ctx, cfg.listenAddr, cfg.namespace)
		cancel()
		if err != nil {
			_ = srv.Stop()
			return err
		}
	}
	signals := make(chan os.Signal, 1)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	<-signals
	if err := srv.Stop(); err != nil {
		return fmt.Errorf("stopping: %w", err)
	}
	return nil
}
