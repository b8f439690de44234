package workflow

import (
	"log/slog"
	"time"

	commonpb "go.temporal.io/api/common/v1"

	"github.com/sundialdev/sundial"
	"github.com/sundialdev/sundial/converter"
)

// Execution identifies one run of a workflow.
type Execution struct {
	WorkflowID string
	RunID      string
}

// Info describes the running workflow. Its fields come from the
// WorkflowExecutionStarted event and the current workflow task.
type Info struct {
	Namespace    string
	WorkflowType string
	TaskQueue    string
	Execution    Execution
	// FirstRunID is the run id of the first run in the chain of retries and
	// continue-as-new; OriginalRunID is this run's id as assigned at start.
	FirstRunID    string
	OriginalRunID string
	// ContinuedRunID is the run this one continued from (continue-as-new, retry or cron).
	ContinuedRunID string
	// Attempt is 1 for the first attempt, incremented by workflow retries.
	Attempt                  int32
	CronSchedule             string
	WorkflowExecutionTimeout time.Duration
	WorkflowRunTimeout       time.Duration
	WorkflowTaskTimeout      time.Duration
	// StartTime is when the run started (the WorkflowExecutionStarted event's time).
	StartTime time.Time
	// Parent is set for child workflows; ParentNamespace with it.
	Parent          *Execution
	ParentNamespace string
	// Root is the root of the tree of child workflows this run belongs to, if any.
	Root             *Execution
	RetryPolicy      *sundial.RetryPolicy
	Priority         *sundial.Priority
	SearchAttributes *commonpb.SearchAttributes
	Memo             *commonpb.Memo
	// HistoryLength is the id of the current workflow task's started event.
	HistoryLength int64
	// ContinueAsNewSuggested is the server's hint that history is getting large.
	ContinueAsNewSuggested bool
	// CurrentBuildID is the build id of the worker that runs the current workflow
	// task: this worker's (worker.DeploymentOptions) outside replay, and during replay
	// the one recorded by the worker that completed the task being replayed. Empty for
	// tasks of workers without a version. Code may branch on it.
	CurrentBuildID string
	// CurrentDeploymentVersion is the deployment version that CurrentBuildID belongs
	// to; zero when the task's worker declared no deployment.
	CurrentDeploymentVersion sundial.WorkerDeploymentVersion
}

// GetInfo returns the running workflow's Info.
func GetInfo(ctx Context) *Info { return runtimeOf(ctx).GetInfo(ctx) }

// GetLogger returns a logger that is silent while the workflow replays history, so each
// record is written once, with the workflow's ids attached.
func GetLogger(ctx Context) *slog.Logger { return runtimeOf(ctx).GetLogger(ctx) }

// IsReplaying reports whether the workflow is replaying history rather than making
// progress. Only side-effect-free code such as logging may depend on it.
func IsReplaying(ctx Context) bool { return runtimeOf(ctx).IsReplaying(ctx) }

// DataConverter returns the converter the workflow encodes values with.
func DataConverter(ctx Context) converter.DataConverter { return runtimeOf(ctx).DataConverter(ctx) }
