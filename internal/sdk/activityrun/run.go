// Package activityrun holds the state of one running activity attempt and carries it in
// the attempt's context.Context.
//
// Whoever runs an activity (the worker, or sundialtest's ActivityEnvironment) creates a
// Run with Start and passes the returned context to the activity function; the public
// activity package reads the Run back from that context. The package is generic over the
// activity package's Info and MetricMeter types so that it does not import the activity
// package, which imports it.
package activityrun

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/converter"
	commonpb "go.temporal.io/api/common/v1"
)

// ErrFinished is the cause of an attempt context's cancellation once the activity
// function has returned. It is not a cancellation reason.
var ErrFinished = errors.New("activity attempt finished")

// Config describes one attempt to Start.
type Config[I, M any] struct {
	// Info describes the attempt; the activity package returns it from GetInfo.
	Info I
	// Meter is the metric meter the activity records to.
	Meter M
	// Client is the client the worker was built with; nil in tests that provide none.
	Client *client.Client
	// DataConverter encodes heartbeat details and decodes arguments and details.
	DataConverter converter.DataConverter
	// Logger is the base logger; the activity package adds the attempt's attributes.
	Logger *slog.Logger
	// HeartbeatDetails are the details the previous attempt recorded, still encoded.
	HeartbeatDetails *commonpb.Payloads
	// Heartbeat receives the details of every heartbeat recorded while the attempt runs.
	// Nil drops them.
	Heartbeat func(details []any)
	// WorkerStop is closed when the worker running the attempt begins to stop. Nil means
	// the worker never stops.
	WorkerStop <-chan struct{}
	// Deadline, when set, cancels the attempt's context with DeadlineCause at that time.
	Deadline time.Time
	// DeadlineCause is the cancellation cause recorded when the deadline passes.
	DeadlineCause error
}

// Run is one running activity attempt.
type Run[I, M any] struct {
	cfg          Config[I, M]
	ctx          context.Context
	cancel       context.CancelCauseFunc
	stopDeadline context.CancelFunc
	finished     chan struct{}
	finishOnce   sync.Once

	loggerOnce sync.Once
	logger     *slog.Logger

	mu              sync.Mutex
	lastDetails     []any
	hasLastDetails  bool
	heartbeatClosed bool
}

type contextKey struct{}

// Start begins an attempt: it returns the context to run the activity function with and
// the Run that controls it. The caller must call Finish when the function returns.
func Start[I, M any](parent context.Context, cfg Config[I, M]) (context.Context, *Run[I, M]) {
	ctx, cancel := context.WithCancelCause(parent)
	stopDeadline := context.CancelFunc(func() {})
	if !cfg.Deadline.IsZero() {
		ctx, stopDeadline = context.WithDeadlineCause(ctx, cfg.Deadline, cfg.DeadlineCause)
	}
	r := &Run[I, M]{
		cfg:          cfg,
		cancel:       cancel,
		stopDeadline: stopDeadline,
		finished:     make(chan struct{}),
	}
	r.ctx = context.WithValue(ctx, contextKey{}, r)
	return r.ctx, r
}

// From returns the Run carried by ctx, if ctx belongs to an activity attempt.
func From[I, M any](ctx context.Context) (*Run[I, M], bool) {
	r, ok := ctx.Value(contextKey{}).(*Run[I, M])
	return r, ok
}

// Info describes the attempt.
func (r *Run[I, M]) Info() I { return r.cfg.Info }

// Meter is the attempt's metric meter.
func (r *Run[I, M]) Meter() M { return r.cfg.Meter }

// Client is the worker's client, nil if none was configured.
func (r *Run[I, M]) Client() *client.Client { return r.cfg.Client }

// DataConverter is the converter for arguments, results and details.
func (r *Run[I, M]) DataConverter() converter.DataConverter { return r.cfg.DataConverter }

// HeartbeatDetails are the encoded details recorded by the previous attempt.
func (r *Run[I, M]) HeartbeatDetails() *commonpb.Payloads { return r.cfg.HeartbeatDetails }

// WorkerStop is closed when the worker begins to stop; nil if it never does.
func (r *Run[I, M]) WorkerStop() <-chan struct{} { return r.cfg.WorkerStop }

// Context is the attempt's own context: the one Start returned, whatever context the
// activity derived from it since.
func (r *Run[I, M]) Context() context.Context { return r.ctx }

// Cause is the cause of the attempt context's cancellation, nil while it runs.
func (r *Run[I, M]) Cause() error { return context.Cause(r.ctx) }

// Cancel cancels the attempt's context with the given cause. Only the first cause
// sticks: later calls, and a deadline passing afterwards, change nothing.
func (r *Run[I, M]) Cancel(cause error) { r.cancel(cause) }

// Logger returns the base logger decorated once by decorate, then the same logger on
// every later call.
func (r *Run[I, M]) Logger(decorate func(*slog.Logger) *slog.Logger) *slog.Logger {
	r.loggerOnce.Do(func() {
		base := r.cfg.Logger
		if base == nil {
			base = slog.Default()
		}
		r.logger = decorate(base)
	})
	return r.logger
}

// RecordHeartbeat remembers details as the latest and hands them to the heartbeat sink,
// unless the attempt has finished.
func (r *Run[I, M]) RecordHeartbeat(details []any) {
	r.mu.Lock()
	if r.heartbeatClosed {
		r.mu.Unlock()
		return
	}
	r.lastDetails = append([]any(nil), details...)
	r.hasLastDetails = true
	r.mu.Unlock()
	if r.cfg.Heartbeat != nil {
		r.cfg.Heartbeat(details)
	}
}

// LastHeartbeatDetails returns the details of the latest heartbeat of this attempt.
func (r *Run[I, M]) LastHeartbeatDetails() ([]any, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]any(nil), r.lastDetails...), r.hasLastDetails
}

// Finish marks the attempt as over: later heartbeats are dropped, Finished is closed and
// the attempt's context is released with cause ErrFinished unless it was already
// cancelled. It is safe to call more than once.
func (r *Run[I, M]) Finish() {
	r.finishOnce.Do(func() {
		r.mu.Lock()
		r.heartbeatClosed = true
		r.mu.Unlock()
		close(r.finished)
		r.cancel(ErrFinished)
		r.stopDeadline()
	})
}

// Finished is closed once Finish has been called.
func (r *Run[I, M]) Finished() <-chan struct{} { return r.finished }
