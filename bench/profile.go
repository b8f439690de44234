package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/sundialdev/sundial/server"
)

// profiling names the pprof files of a -profile run; empty names are skipped.
type profiling struct {
	cpuPath string
	memPath string
}

// profileScenarios runs each scenario (one when a CPU profile is asked for: a
// profile covers one measured run) against Sundial embedded in this process
// (server.New, SQLite file or, for sundial-pg, a fresh PostgreSQL database,
// default durability) and writes a CPU profile of the
// measured parts and a heap profile (allocations included) at the end. The
// profiles include the SDK worker that runs in the same process; filter with
// pprof's -focus or look at the sundial packages.
func profileScenarios(ctx context.Context, chosen []scenario, kind serverKind, cfg settings, prof profiling, stdout io.Writer) ([]measurement, error) {
	var cpuFile *os.File
	if prof.cpuPath != "" && len(chosen) != 1 {
		return nil, fmt.Errorf("-profile needs exactly one scenario, got %d", len(chosen))
	}
	if prof.cpuPath != "" {
		f, err := os.Create(prof.cpuPath)
		if err != nil {
			return nil, fmt.Errorf("creating %s: %w", prof.cpuPath, err)
		}
		defer f.Close()
		cpuFile = f
	}
	var ms []measurement
	for _, sc := range chosen {
		m, err := profileOne(ctx, sc, kind, cfg, cpuFile)
		if err != nil {
			return ms, err
		}
		ms = append(ms, m)
		fmt.Fprintf(stdout, "profiled %s: %d ops in %v\n", sc.name, m.out.ops, m.out.elapsed.Round(time.Millisecond))
	}
	if prof.memPath != "" {
		runtime.GC()
		f, err := os.Create(prof.memPath)
		if err != nil {
			return ms, fmt.Errorf("creating %s: %w", prof.memPath, err)
		}
		defer f.Close()
		if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
			return ms, fmt.Errorf("writing heap profile: %w", err)
		}
	}
	return ms, nil
}

func profileOne(ctx context.Context, sc scenario, kind serverKind, cfg settings, cpuFile *os.File) (m measurement, err error) {
	dir := filepath.Join(cfg.workDir, sc.name+"-inprocess")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return measurement{}, fmt.Errorf("creating %s: %w", dir, err)
	}
	opts := server.Options{
		ListenAddr:   "127.0.0.1:0",
		DatabasePath: filepath.Join(dir, "sundial.db"),
		Logger:       slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	if kind.onPostgres() {
		fresh, err := cfg.pg.create(ctx, kind)
		if err != nil {
			return measurement{}, err
		}
		// Deferred first, so it runs after the server has stopped.
		defer func() { err = errors.Join(err, cfg.pg.drop(ctx, fresh)) }()
		opts.DatabaseURL = fresh.main
	}
	srv, err := server.New(opts)
	if err != nil {
		return measurement{}, fmt.Errorf("configuring sundial: %w", err)
	}
	if err := srv.Start(ctx); err != nil {
		return measurement{}, fmt.Errorf("starting sundial: %w", err)
	}
	defer func() {
		stopCtx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_ = srv.Stop(stopCtx)
	}()
	// The server is this process, so the load's CPU time is not read apart.
	p := &inProcessProbe{processProbe: processProbe{pid: os.Getpid()}, cpuFile: cpuFile}
	out, used, rpcs, err := runScenario(ctx, sc, srv.Addr(), p, cfg, dir)
	if err != nil {
		return measurement{}, err
	}
	return measurement{scenario: sc, server: kind, out: out, serverCPU: used.server, inProcess: true, rpcs: rpcs}, nil
}

// inProcessProbe profiles the measured part of a scenario. Its CPU time is the
// whole process's: server, SDK worker and load together.
type inProcessProbe struct {
	processProbe
	cpuFile *os.File
}

func (p *inProcessProbe) begin() error {
	if p.cpuFile != nil {
		if err := pprof.StartCPUProfile(p.cpuFile); err != nil {
			return fmt.Errorf("starting CPU profile: %w", err)
		}
	}
	return p.processProbe.begin()
}

func (p *inProcessProbe) end() (cpuUse, error) {
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
	}
	return p.processProbe.end()
}
