package engine

import (
	"context"
	"fmt"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// recoverPageSize is how many open runs recovery loads at a time.
const recoverPageSize = 500

// recover loads every open run and re-creates its tasks and deadline, so work
// acknowledged before a crash or restart continues.
func (e *Engine) recover(ctx context.Context) error {
	page, err := e.store.ListOpenExecutions(ctx, nil, recoverPageSize)
	count := 0
	for {
		if err != nil {
			return fmt.Errorf("listing open runs: %w", err)
		}
		for _, row := range page.Executions {
			st, err := machine.Decode(row.State)
			if err != nil {
				e.log.Error("skipping run with unreadable state", "workflow_id", row.WorkflowID, "run_id", row.RunID, "error", err)
				continue
			}
			r := e.runs.lock(runKey{row.NamespaceID, row.WorkflowID, row.RunID})
			if r.state == nil {
				r.state = st
				r.version = row.Version
				r.stored = columnsOf(st)
				e.dispatch(r)
				e.scheduleEffects(r, nil)
			}
			r.mu.Unlock()
			count++
		}
		if page.Next == nil {
			break
		}
		page, err = e.store.ListOpenExecutions(ctx, page.Next, recoverPageSize)
	}
	if count > 0 {
		e.log.Info("recovered open workflow runs", "count", count)
	}
	return nil
}
