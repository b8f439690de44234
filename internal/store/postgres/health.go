package postgres

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// healthProbeInterval is how often an unhealthy store pings the database to
// notice that it can commit again when no write tries.
const healthProbeInterval = time.Second

// health tracks whether the store can commit: the outcome of the last commit
// or probe.
type health struct {
	logger   *slog.Logger
	onChange func(err error)
	// probe asks the database whether it answers.
	probe func(ctx context.Context) error

	mu  sync.Mutex
	err error // nil while commits succeed
	// wake is signalled when the store turns unhealthy.
	wake chan struct{}
}

func newHealth(logger *slog.Logger, onChange func(error), probe func(context.Context) error) *health {
	return &health{logger: logger, onChange: onChange, probe: probe, wake: make(chan struct{}, 1)}
}

// current returns nil when the store can commit, else why not.
func (h *health) current() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.err
}

// failed records a failure of the database (not of a request). The first
// one after a success is logged and reported.
func (h *health) failed(err error) {
	h.mu.Lock()
	first := h.err == nil
	h.err = err
	h.mu.Unlock()
	if !first {
		return
	}
	// Health first, then the line: whoever reads the line sees the health
	// it announces.
	if h.onChange != nil {
		h.onChange(err)
	}
	h.logger.Error("postgres: the database cannot commit; writes fail until it can", "error", err)
	select {
	case h.wake <- struct{}{}:
	default:
	}
}

// committed records a successful commit; the first after failures is
// logged and reported.
func (h *health) committed() {
	h.mu.Lock()
	recovered := h.err != nil
	h.err = nil
	h.mu.Unlock()
	if !recovered {
		return
	}
	if h.onChange != nil {
		h.onChange(nil)
	}
	h.logger.Info("postgres: the database commits again")
}

// watch probes the database while the store is unhealthy, until stop is
// closed; its caller owns the goroutine that runs it.
func (h *health) watch(stop <-chan struct{}) {
	ticker := time.NewTicker(healthProbeInterval)
	defer ticker.Stop()
	for {
		select {
		case <-stop:
			return
		case <-h.wake:
		}
		for h.current() != nil {
			select {
			case <-stop:
				return
			case <-ticker.C:
			}
			ctx, cancel := context.WithTimeout(context.Background(), healthProbeInterval)
			err := h.probe(ctx)
			cancel()
			if err == nil {
				h.committed()
			}
		}
	}
}
