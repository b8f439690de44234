package engine

import (
	historypb "go.temporal.io/api/history/v1"
	"google.golang.org/protobuf/proto"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// HistoryLimits bound the history of one run. Zero fields take Temporal's
// defaults.
type HistoryLimits struct {
	// SuggestContinueAsNewBytes and SuggestContinueAsNewCount are where a
	// workflow task's started event begins to suggest continue-as-new.
	// Default 4 MiB and 4,096 events.
	SuggestContinueAsNewBytes int64
	SuggestContinueAsNewCount int64
	// WarnBytes and WarnCount are where the engine logs a warning. Default
	// 10 MiB and 10,240 events.
	WarnBytes int64
	WarnCount int64
	// ErrorBytes and ErrorCount are the hard limits: a run that grows past
	// one is terminated. Default 50 MiB and 51,200 events.
	ErrorBytes int64
	ErrorCount int64
}

func (l HistoryLimits) withDefaults() HistoryLimits {
	def := func(v *int64, d int64) {
		if *v <= 0 {
			*v = d
		}
	}
	def(&l.SuggestContinueAsNewBytes, 4<<20)
	def(&l.SuggestContinueAsNewCount, 4*1024)
	def(&l.WarnBytes, 10<<20)
	def(&l.WarnCount, 10*1024)
	def(&l.ErrorBytes, 50<<20)
	def(&l.ErrorCount, 50*1024)
	return l
}

// Temporal's termination reasons for a run past a hard history limit, and
// the identity it terminates with.
const (
	historySizeExceeded  = "Workflow history size exceeds limit."
	historyCountExceeded = "Workflow history count exceeds limit."
	historyLimitIdentity = "history-service"
)

// enforceHistoryLimits closes a transition that leaves its open run past a
// hard history limit by terminating the run in the same transition, warns
// past the warning limits, and marks a workflow task started in it to
// suggest continue-as-new past those limits.
func (e *Engine) enforceHistoryLimits(tx *machine.Tx) {
	s := tx.S
	if !s.Open() {
		return
	}
	lim := e.cfg.HistoryLimits
	count, size := s.NextEventID-1, s.HistorySize
	if count >= lim.SuggestContinueAsNewCount || size >= lim.SuggestContinueAsNewBytes {
		for _, ev := range tx.Events {
			if a := ev.GetWorkflowTaskStartedEventAttributes(); a != nil {
				a.SuggestContinueAsNew = true
			}
		}
	}
	switch {
	case count > lim.ErrorCount:
		e.log.Warn("history count exceeds error limit; terminating the run", logNamespace, s.Namespace, logWorkflowID, s.WorkflowID, logRunID, s.RunID, "events", count)
		tx.TerminateRun(historyCountExceeded, nil, historyLimitIdentity)
	case size > lim.ErrorBytes:
		e.log.Warn("history size exceeds error limit; terminating the run", logNamespace, s.Namespace, logWorkflowID, s.WorkflowID, logRunID, s.RunID, "bytes", size)
		tx.TerminateRun(historySizeExceeded, nil, historyLimitIdentity)
	case len(tx.Events) > 0 && (crossed(count, int64(len(tx.Events)), lim.WarnCount) || size > lim.WarnBytes && size-eventsSize(tx.Events) <= lim.WarnBytes):
		e.log.Warn("history exceeds warn limit", logNamespace, s.Namespace, logWorkflowID, s.WorkflowID, logRunID, s.RunID, "events", count, "bytes", size)
	}
}

// crossed reports whether a count that grew by added passed limit in doing
// so, so that a warning is logged once rather than on every transition.
func crossed(count, added, limit int64) bool {
	return count > limit && count-added <= limit
}

func eventsSize(evs []*historypb.HistoryEvent) int64 {
	var n int64
	for _, ev := range evs {
		n += int64(proto.Size(ev))
	}
	return n
}

// maxHistoryPageBytes bounds one page of history, in a workflow task or a
// history read, far below the gRPC message cap whatever the events hold.
const maxHistoryPageBytes = 4 << 20

// trimPage cuts a page of events so that it stays under maxHistoryPageBytes,
// keeping at least one event. known is the run's history size, which lets
// pages of small histories skip the measuring.
func trimPage(events []*historypb.HistoryEvent, known int64) []*historypb.HistoryEvent {
	if known <= maxHistoryPageBytes || len(events) <= 1 {
		return events
	}
	var n int
	for i, ev := range events {
		n += proto.Size(ev)
		if n > maxHistoryPageBytes && i > 0 {
			return events[:i]
		}
	}
	return events
}
