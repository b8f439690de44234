package workflow

import (
	"log/slog"

	"github.com/sundialdev/sundial/converter"
	"github.com/sundialdev/sundial/internal/sdk/workflowrt"
)

// Info describes the running workflow: ids, type, task queue, attempt, timeouts,
// parent and root, retry policy, search attributes, memo, start time.
type Info = workflowrt.Info

// Execution identifies a workflow run.
type Execution = workflowrt.Execution

// GetInfo returns the running workflow's Info.
func GetInfo(ctx Context) *Info { return workflowrt.GetInfo(ctx) }

// GetLogger returns a logger that is silent while the workflow replays history, so each
// record is written once, with the workflow's ids attached.
func GetLogger(ctx Context) *slog.Logger { return workflowrt.GetLogger(ctx) }

// IsReplaying reports whether the workflow is replaying history rather than making
// progress. Only side-effect-free code such as logging may depend on it.
func IsReplaying(ctx Context) bool { return workflowrt.IsReplaying(ctx) }

// DataConverter returns the converter the workflow encodes values with.
func DataConverter(ctx Context) converter.DataConverter { return workflowrt.DataConverter(ctx) }
