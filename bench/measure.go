package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	"go.temporal.io/sdk/client"
	sdklog "go.temporal.io/sdk/log"
	"go.temporal.io/sdk/worker"
	"google.golang.org/grpc"
)

// workerPollers is how many workflow-task and activity-task long polls each worker
// keeps open, the same for both servers.
const workerPollers = 8

// settings are the knobs every measurement shares.
type settings struct {
	duration time.Duration
	openCap  time.Duration
	workDir  string
	// pg makes the fresh databases of the PostgreSQL kinds; nil when there is
	// no PostgreSQL server.
	pg *postgresServer
}

// measurement is one scenario measured on one server.
type measurement struct {
	scenario scenario
	server   serverKind
	out      outcome
	// serverCPU is the server's user+system CPU time during the measured run.
	serverCPU time.Duration
	// loadCPU is the load driver's own user+system CPU time (SDK client, worker,
	// workflow and activity code) during the measured run; not measured when
	// inProcess.
	loadCPU time.Duration
	// inProcess says the server ran inside the load process (profiling runs), so
	// serverCPU is the whole process's and loadCPU cannot be told apart from it.
	inProcess bool
	// idleRSS is the server's RSS one second after it became ready.
	idleRSS uint64
	// peakRSS is the server's peak RSS (VmHWM) over its life, which is this scenario.
	peakRSS uint64
	// rpcs counts the load process's calls to the server during the run, long polls excluded.
	rpcs int
	err  error
}

// measure starts a fresh server of kind, runs sc against it and stops it.
func measure(ctx context.Context, sc scenario, kind serverKind, bins binaries, cfg settings) (m measurement) {
	// m is the named result so that the deferred stop and drop can report
	// their failures in it.
	m = measurement{scenario: sc, server: kind}
	dir := filepath.Join(cfg.workDir, sc.name+"-"+string(kind))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		m.err = fmt.Errorf("creating %s: %w", dir, err)
		return m
	}
	var fresh freshDatabases
	if kind.onPostgres() {
		if cfg.pg == nil {
			m.err = fmt.Errorf("%s needs a PostgreSQL server", kind)
			return m
		}
		var err error
		if fresh, err = cfg.pg.create(ctx, kind); err != nil {
			m.err = err
			return m
		}
		// Deferred first, so it runs after the server has stopped.
		defer func() {
			if err := cfg.pg.drop(ctx, fresh); err != nil && m.err == nil {
				m.err = err
			}
		}()
	}
	srv, err := startChild(ctx, kind, bins, dir, fresh)
	if err != nil {
		m.err = err
		return m
	}
	defer func() {
		if err := srv.stop(30 * time.Second); err != nil && m.err == nil {
			m.err = err
		}
	}()
	time.Sleep(time.Second)
	idle, err := processMemory(srv.pid())
	if err != nil {
		m.err = err
		return m
	}
	m.idleRSS = idle.RSS
	probe := &processProbe{pid: srv.pid(), loadPID: os.Getpid()}
	var used cpuUse
	m.out, used, m.rpcs, m.err = runScenario(ctx, sc, srv.hostPort, probe, cfg, dir)
	m.serverCPU, m.loadCPU = used.server, used.load
	if m.err != nil {
		m.err = fmt.Errorf("%w (server log: %s)", m.err, srv.logPath)
		return m
	}
	final, err := probe.memory()
	if err != nil {
		m.err = err
		return m
	}
	m.peakRSS = final.Peak
	return m
}

// cpuUse is CPU time used during the measured part of a scenario.
type cpuUse struct {
	// server is the server process's.
	server time.Duration
	// load is the load driver process's (this one), zero when not measured.
	load time.Duration
}

// probe measures the server around the measured part of a scenario.
type probe interface {
	// begin is called just before the scenario runs, after the warm-up.
	begin() error
	// end is called just after, and returns the CPU time used in between.
	end() (cpuUse, error)
	// memory reads the server's memory now.
	memory() (memoryUsage, error)
}

// processProbe reads a server process's CPU time and memory from /proc, and the
// load process's CPU time at the same moments.
type processProbe struct {
	pid int
	// loadPID is the load driver's process, or 0 to leave its CPU time unread.
	loadPID int
	start   cpuUse
}

func (p *processProbe) begin() error {
	var err error
	p.start, err = p.read()
	return err
}

func (p *processProbe) end() (cpuUse, error) {
	now, err := p.read()
	if err != nil {
		return cpuUse{}, err
	}
	return cpuUse{server: now.server - p.start.server, load: now.load - p.start.load}, nil
}

// read returns the CPU time both processes have used so far, the server's first.
func (p *processProbe) read() (cpuUse, error) {
	var (
		use cpuUse
		err error
	)
	if use.server, err = processCPU(p.pid); err != nil {
		return cpuUse{}, fmt.Errorf("reading server CPU: %w", err)
	}
	if p.loadPID == 0 {
		return use, nil
	}
	if use.load, err = processCPU(p.loadPID); err != nil {
		return cpuUse{}, fmt.Errorf("reading load CPU: %w", err)
	}
	return use, nil
}

func (p *processProbe) memory() (memoryUsage, error) { return processMemory(p.pid) }

// runScenario dials the server with the official SDK, starts a worker, warms up,
// and runs sc between the probe's begin and end. It returns what the scenario
// measured, the CPU time the probe saw used and the calls made to the server.
func runScenario(ctx context.Context, sc scenario, hostPort string, p probe, cfg settings, logDir string) (outcome, cpuUse, int, error) {
	logFile, err := os.Create(filepath.Join(logDir, "load.log"))
	if err != nil {
		return outcome{}, cpuUse{}, 0, fmt.Errorf("creating load log: %w", err)
	}
	defer logFile.Close()
	logger := slog.New(slog.NewTextHandler(logFile, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rpcs := newRPCRecorder()
	c, err := client.DialContext(ctx, client.Options{
		HostPort:          hostPort,
		Namespace:         "default",
		Logger:            sdklog.NewStructuredLogger(logger),
		ConnectionOptions: client.ConnectionOptions{DialOptions: []grpc.DialOption{rpcs.dialOption()}},
	})
	if err != nil {
		return outcome{}, cpuUse{}, 0, fmt.Errorf("dialing %s: %w", hostPort, err)
	}
	defer c.Close()
	taskQueue := "bench-" + sc.name
	w := worker.New(c, taskQueue, worker.Options{
		MaxConcurrentWorkflowTaskPollers: workerPollers,
		MaxConcurrentActivityTaskPollers: workerPollers,
		// Heartbeat is made to send every heartbeat; see activities.Heartbeat.
		MaxHeartbeatThrottleInterval: time.Nanosecond,
	})
	registerLoad(w, rpcs)
	if err := w.Start(); err != nil {
		return outcome{}, cpuUse{}, 0, fmt.Errorf("starting worker: %w", err)
	}
	defer w.Stop()

	runCtx, cancel := context.WithTimeout(ctx, cfg.duration+cfg.openCap+2*time.Minute)
	defer cancel()
	e := &env{hostPort: hostPort, client: c, rpcs: rpcs, taskQueue: taskQueue,
		duration: cfg.duration, openCap: cfg.openCap, memory: p.memory, resetCPU: cpuRestarter(p)}
	if err := warmUp(runCtx, e); err != nil {
		return outcome{}, cpuUse{}, 0, err
	}
	rpcs.reset()
	if err := p.begin(); err != nil {
		return outcome{}, cpuUse{}, 0, err
	}
	out, runErr := sc.run(runCtx, e)
	used, err := p.end()
	if runErr != nil {
		return outcome{}, cpuUse{}, 0, fmt.Errorf("scenario %s: %w", sc.name, runErr)
	}
	if err != nil {
		return outcome{}, cpuUse{}, 0, err
	}
	calls := rpcs.total()
	if out.afterMeasure != nil {
		note, parts := out.afterMeasure(runCtx)
		out.note += "; " + note
		out.timerParts = parts
	}
	return out, used, calls, nil
}
