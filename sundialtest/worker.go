package sundialtest

import (
	"log/slog"

	"github.com/sundialdev/sundial/worker"
)

// NewWorker returns a worker for taskQueue on the environment's client, with every
// activity mocked by OnActivity already registered. Register the workflows and the
// other activities, then Start it; Shutdown stops it. opts.Logger defaults to the
// environment's quiet logger (warnings and errors, through t.Log).
func (e *WorkflowEnvironment) NewWorker(taskQueue string, opts worker.Options) *worker.Worker {
	e.t.Helper()
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(e.logs, &slog.HandlerOptions{Level: slog.LevelWarn}))
	}
	w := worker.New(e.Client(), taskQueue, opts)
	e.mu.Lock()
	defer e.mu.Unlock()
	for _, m := range e.mocks {
		if err := m.register(w); err != nil {
			e.t.Fatalf("sundialtest: registering the mock of %s: %v", m.activityName(), err)
		}
	}
	e.workers = append(e.workers, w)
	return w
}
