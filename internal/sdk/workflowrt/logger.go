package workflowrt

import (
	"context"
	"log/slog"
)

// replaySafeHandler drops records while its run replays history, so each log line
// appears once over the life of a workflow.
type replaySafeHandler struct {
	inner slog.Handler
	env   *runEnv
}

func newReplaySafeLogger(base *slog.Logger, env *runEnv, info *Info) *slog.Logger {
	if base == nil {
		base = slog.Default()
	}
	return slog.New(&replaySafeHandler{inner: base.Handler(), env: env}).With(
		slog.String("namespace", info.Namespace),
		slog.String("task_queue", info.TaskQueue),
		slog.String("workflow_type", info.WorkflowType),
		slog.String("workflow_id", info.Execution.WorkflowID),
		slog.String("run_id", info.Execution.RunID),
	)
}

func (h *replaySafeHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return !h.env.replaying && h.inner.Enabled(ctx, level)
}

func (h *replaySafeHandler) Handle(ctx context.Context, r slog.Record) error {
	if h.env.replaying {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h *replaySafeHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &replaySafeHandler{inner: h.inner.WithAttrs(attrs), env: h.env}
}

func (h *replaySafeHandler) WithGroup(name string) slog.Handler {
	return &replaySafeHandler{inner: h.inner.WithGroup(name), env: h.env}
}
