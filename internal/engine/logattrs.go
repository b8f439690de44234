package engine

import "strings"

// Log attribute keys. Every log line about a run carries all three, so that
// one filter finds all a run's lines; server/faults.go logs requests with
// the same keys.
const (
	logNamespace  = "namespace"
	logWorkflowID = "workflow_id"
	logRunID      = "run_id"
)

// runLogAttrs are the attributes naming the run key, followed by more. The
// namespace is given by name when the engine knows it, else by id.
func (e *Engine) runLogAttrs(key runKey, more ...any) []any {
	return append([]any{logNamespace, e.ns.nameOf(key.namespaceID), logWorkflowID, key.workflowID, logRunID, key.runID}, more...)
}

// effectRun recovers the run of a cross-run job's key (see effectKey):
// kind/namespace id/workflow id/run id/event id. Namespace and run ids hold
// no slash, so a workflow id with slashes is what lies between them.
func effectRun(job string) (runKey, bool) {
	parts := strings.Split(job, "/")
	if len(parts) < 5 {
		return runKey{}, false
	}
	n := len(parts)
	return runKey{
		namespaceID: parts[1],
		workflowID:  strings.Join(parts[2:n-2], "/"),
		runID:       parts[n-2],
	}, true
}
