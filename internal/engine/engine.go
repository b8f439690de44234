package engine

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/sundialdev/sundial/internal/backoff"
	"github.com/sundialdev/sundial/internal/clock"
	"github.com/sundialdev/sundial/internal/engine/machine"
	"github.com/sundialdev/sundial/internal/matching"
	"github.com/sundialdev/sundial/internal/metrics"
	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/timer"
)

// Config configures an Engine.
type Config struct {
	Store store.Store
	// Clock is workflow time: timers, timeouts, retries, event times.
	Clock clock.Clock
	// WallClock times what belongs to the network rather than to workflows:
	// long-poll windows and task-queue rate limits. Default clock.Real(); it
	// stays real when Clock is a time-skipping clock.
	WallClock clock.Clock
	Logger    *slog.Logger
	// HistoryPageSize is the default and maximum number of events per history
	// page. Default 256.
	HistoryPageSize int
	// RunCacheSize is how many runs are kept in memory. Beyond it, the least
	// recently used closed runs and open runs that only wait (on a timer, a
	// signal, or a worker to take a queued task) are dropped and reloaded
	// from the store when something needs them; runs with work in flight (a
	// task on a worker, a query, an admitted update) always stay. Default
	// 10,000.
	RunCacheSize int
	// TaskQueueWindow is how many tasks a task queue keeps in memory; beyond
	// it, tasks the store can find again stay only there until the queue runs
	// low (see spill.go). Default matching.DefaultWindow.
	TaskQueueWindow int
	// MaxConcurrentBatchOperations is how many batch operations may run at
	// once in one namespace; more are refused with ResourceExhausted.
	// Default 1, as in Temporal.
	MaxConcurrentBatchOperations int
	// MaxInFlightUpdates is how many updates a run may have admitted or
	// accepted and not yet completed; more are refused with ResourceExhausted.
	// Default DefaultMaxInFlightUpdates; negative: no limit.
	MaxInFlightUpdates int
	// MaxTotalUpdates is how many updates a run may receive in all (rejected
	// ones not counted); more are refused with FailedPrecondition. Default
	// DefaultMaxTotalUpdates; negative: no limit.
	MaxTotalUpdates int
	// DefaultRetention is the retention of namespaces registered without one.
	DefaultRetention time.Duration
	// RetentionHold is how long retention deletes nothing after the wall
	// clock was seen to step, or when a namespace's closed runs have all
	// expired at start (what a clock set far ahead looks like): time for an
	// operator to see the warning and fix the clock. Default
	// DefaultRetentionHold.
	RetentionHold time.Duration
	// MinRetention is the shortest retention RegisterNamespace and
	// UpdateNamespace accept. Default DefaultMinRetention; tests that need
	// closed runs to expire quickly lower it.
	MinRetention time.Duration
	// PriorityLevels is how many task priority keys there are (1..N); the
	// frontend refuses keys above it. Default matching.DefaultPriorityLevels (5).
	PriorityLevels int32
	// StickyPollerUnavailableWindow is how long a sticky queue may go without
	// a poll before its worker counts as gone: tasks and queries for its runs
	// then go to their normal queues. Default 10s, as Temporal's matching
	// service.
	StickyPollerUnavailableWindow time.Duration
	// HistoryLimits bound each run's history (see HistoryLimits).
	HistoryLimits HistoryLimits
	// PendingLimits bound each run's open activities, children and requests
	// to other workflows; a field left zero takes Temporal's default (2,000),
	// a negative one means no limit.
	PendingLimits machine.PendingLimits
	// VersionDrainageGracePeriod is how long a worker deployment version that
	// stopped being current or ramping reports draining before its open
	// pinned runs are counted, as Temporal's
	// matching.wv.VersionDrainageStatusVisibilityGracePeriod. Default
	// DefaultVersionDrainageGracePeriod.
	VersionDrainageGracePeriod time.Duration
	// Metrics, if set, receives the engine's metrics (see metrics.go).
	Metrics metrics.Registry
	// OnOutstandingChange, if set, is called whenever Outstanding changes. It
	// is called with engine locks held and must not block or call the engine.
	OnOutstandingChange func()
}

// Engine serves every workflow run of one store.
type Engine struct {
	cfg    Config
	store  store.Store
	clock  clock.Clock
	log    *slog.Logger
	tasks  *matching.Manager[taskRef]
	timers *timer.Queue[runKey]
	runs   *runCache
	ns     *namespaceCache
	// idLocks serializes starts of one workflow id.
	idLocks keyedMutex
	// stickyReleases spaces out the early answers to idle sticky polls.
	stickyReleases releaseSpacing
	clusterID      string
	// recovering is set while Start rebuilds queues from the store;
	// recovered is closed when that is over.
	recovering atomic.Bool
	recovered  chan struct{}
	// refills brings back tasks that task queues left in the store.
	refills refills
	// outstanding counts pending and running workflow tasks, activity tasks
	// and queries (see Outstanding).
	outstanding atomic.Int64
	// effects runs work that crosses runs (children, external signals).
	effects *effects
	// retention deletes closed runs past their namespace's retention.
	retention *retention
	// nsDelete serializes namespace deletions, which rename.
	nsDelete sync.Mutex
	// effectsCtx is canceled by Stop, ending effect work in flight.
	effectsCtx    context.Context
	cancelEffects context.CancelFunc

	// metrics is nil when Config.Metrics is.
	metrics *engineMetrics

	// faultLogs limits the logging of repeated store failures.
	faultLogs *backoff.LogLimiter
	// workers holds the heartbeats workers report (ListWorkers).
	workers *workerRegistry
	// batches runs batch operations.
	batches *batchRunner
	// nexusEndpoints caches the cluster's Nexus endpoints (nexus_endpoints.go).
	nexusEndpoints nexusEndpoints
	// deploys holds the worker deployments (deployments.go).
	deploys *deploymentRegistry
	// schedules takes the actions of schedules.
	schedules *scheduleRunner
	// tqConfigWrites serializes task queue config updates (taskqueue_config.go).
	tqConfigWrites taskQueueConfigWrites

	stopOnce sync.Once
	stopped  chan struct{}
}

// New creates an engine over cfg.Store. Call Start before serving.
func New(cfg Config) (*Engine, error) {
	if cfg.Store == nil {
		return nil, errors.New("engine: Config.Store is required")
	}
	if cfg.Clock == nil {
		cfg.Clock = clock.Real()
	}
	if cfg.WallClock == nil {
		cfg.WallClock = clock.Real()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.HistoryPageSize <= 0 {
		cfg.HistoryPageSize = 256
	}
	if cfg.RunCacheSize <= 0 {
		cfg.RunCacheSize = 10000
	}
	if cfg.StickyPollerUnavailableWindow <= 0 {
		cfg.StickyPollerUnavailableWindow = defaultStickyPollerUnavailableWindow
	}
	if cfg.VersionDrainageGracePeriod <= 0 {
		cfg.VersionDrainageGracePeriod = DefaultVersionDrainageGracePeriod
	}
	cfg.HistoryLimits = cfg.HistoryLimits.withDefaults()
	cfg.PendingLimits = pendingLimitsWithDefaults(cfg.PendingLimits)
	if cfg.TaskQueueWindow <= 0 {
		cfg.TaskQueueWindow = matching.DefaultWindow
	}
	if cfg.MaxInFlightUpdates == 0 {
		cfg.MaxInFlightUpdates = DefaultMaxInFlightUpdates
	}
	if cfg.MaxTotalUpdates == 0 {
		cfg.MaxTotalUpdates = DefaultMaxTotalUpdates
	}
	if cfg.DefaultRetention <= 0 {
		cfg.DefaultRetention = 72 * time.Hour
	}
	if cfg.RetentionHold <= 0 {
		cfg.RetentionHold = DefaultRetentionHold
	}
	if cfg.MinRetention <= 0 {
		cfg.MinRetention = DefaultMinRetention
	}
	e := &Engine{
		cfg:       cfg,
		store:     cfg.Store,
		clock:     cfg.Clock,
		log:       cfg.Logger,
		runs:      newRunCache(cfg.RunCacheSize),
		stopped:   make(chan struct{}),
		recovered: make(chan struct{}),
		faultLogs: backoff.NewLogLimiter(faultLogInterval),
	}
	e.tasks = matching.New[taskRef](cfg.WallClock, matching.Options{Window: cfg.TaskQueueWindow, OnLow: e.onQueueLow, PriorityLevels: cfg.PriorityLevels})
	e.ns = newNamespaceCache(cfg.Store)
	e.effects = newEffects(cfg.Clock)
	e.effects.busy = e.addOutstanding
	e.retention = newRetention(e)
	e.workers = newWorkerRegistry(cfg.WallClock, defaultMaxWorkers)
	e.batches = newBatchRunner(e, cfg.MaxConcurrentBatchOperations)
	e.deploys = newDeploymentRegistry()
	e.schedules = newScheduleRunner(e)
	e.effectsCtx, e.cancelEffects = context.WithCancel(context.Background())
	e.metrics = newEngineMetrics(cfg.Metrics, e)
	timerOpts := timer.Options{}
	if e.metrics != nil {
		timerOpts.OnFire = e.metrics.timerFired
	}
	e.timers = timer.New[runKey](cfg.Clock, e.onDeadline, timerOpts)
	return e, nil
}

// Start makes sure the default namespace exists, rebuilds task queues and
// timers from the open runs in the store, and starts the timers.
func (e *Engine) Start(ctx context.Context) error {
	if err := e.ensureDefaultNamespace(ctx); err != nil {
		return err
	}
	e.effects.start(effectWorkers, e.effectsCtx, e.logEffectFailure)
	if err := e.loadDeployments(ctx); err != nil {
		return fmt.Errorf("loading worker deployments: %w", err)
	}
	if err := e.loadTaskQueueConfigs(ctx); err != nil {
		return fmt.Errorf("loading task queue configs: %w", err)
	}
	if err := e.recover(ctx); err != nil {
		return fmt.Errorf("recovering open runs: %w", err)
	}
	e.timers.Start()
	if err := e.retention.start(ctx); err != nil {
		return fmt.Errorf("arming retention: %w", err)
	}
	if err := e.resumeBatches(ctx); err != nil {
		return fmt.Errorf("resuming batch operations: %w", err)
	}
	if err := e.resumeSchedules(ctx); err != nil {
		return fmt.Errorf("resuming schedules: %w", err)
	}
	e.schedules.start()
	return nil
}

// Stop answers every waiting poller, stops the timers and waits for running
// timer work. It does not close the store.
func (e *Engine) Stop() {
	e.stopOnce.Do(func() {
		close(e.stopped)
		e.tasks.Close()
		e.timers.Stop()
		e.cancelEffects()
		e.schedules.stop()
		e.stopRefills()
		e.effects.stop()
		e.retention.stop()
		e.batches.close()
		e.runs.wakeAll()
	})
}

// effectWorkers is how many goroutines run cross-run work.
const effectWorkers = 4

// keyedMutex is a set of mutexes by string key, created on demand and dropped
// when unused.
type keyedMutex struct {
	mu    sync.Mutex
	locks map[string]*refMutex
}

type refMutex struct {
	sync.Mutex
	refs int
}

func (k *keyedMutex) lock(key string) func() {
	k.mu.Lock()
	if k.locks == nil {
		k.locks = map[string]*refMutex{}
	}
	m := k.locks[key]
	if m == nil {
		m = &refMutex{}
		k.locks[key] = m
	}
	m.refs++
	k.mu.Unlock()
	m.Lock()
	return func() {
		m.Unlock()
		k.mu.Lock()
		m.refs--
		if m.refs == 0 {
			delete(k.locks, key)
		}
		k.mu.Unlock()
	}
}

// Outstanding is the number of workflow tasks, activity tasks and queries that
// wait for or run on a worker. A time-skipping clock may jump ahead only while
// it is zero.
func (e *Engine) Outstanding() int64 { return e.outstanding.Load() }

// addOutstanding counts work that is not a run's task — a firing deadline, a
// queued cross-run job — while it is in progress.
func (e *Engine) addOutstanding(delta int64) {
	e.outstanding.Add(delta)
	if f := e.cfg.OnOutstandingChange; f != nil {
		f()
	}
}

// refreshOutstanding recomputes a run's share of the outstanding work; the
// caller holds the run's lock.
func (e *Engine) refreshOutstanding(r *run) {
	n := r.taskWork + int64(len(r.queries))
	if n == r.outstanding {
		return
	}
	e.outstanding.Add(n - r.outstanding)
	r.outstanding = n
	if f := e.cfg.OnOutstandingChange; f != nil {
		f()
	}
}

// pendingLimitsWithDefaults fills the zero fields of l with Temporal's
// defaults.
func pendingLimitsWithDefaults(l machine.PendingLimits) machine.PendingLimits {
	def := func(v int) int {
		if v == 0 {
			return machine.DefaultPendingLimit
		}
		return v
	}
	return machine.PendingLimits{Activities: def(l.Activities), Children: def(l.Children), Signals: def(l.Signals), Cancels: def(l.Cancels)}
}
