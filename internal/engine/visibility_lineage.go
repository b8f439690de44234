package engine

import (
	commonpb "go.temporal.io/api/common/v1"
	workflowpb "go.temporal.io/api/workflow/v1"

	"github.com/sundialdev/sundial/internal/store"
)

// setListedLineage fills a listed run's parent and root, as describe does:
// the Web UI builds its tree of relationships from them.
func setListedLineage(info *workflowpb.WorkflowExecutionInfo, row *store.Execution) {
	p := row.Parent
	if p == nil {
		info.RootExecution = &commonpb.WorkflowExecution{WorkflowId: row.WorkflowID, RunId: row.RunID}
		return
	}
	info.ParentNamespaceId = p.NamespaceID
	info.ParentExecution = &commonpb.WorkflowExecution{WorkflowId: p.WorkflowID, RunId: p.RunID}
	info.RootExecution = &commonpb.WorkflowExecution{WorkflowId: p.RootWorkflowID, RunId: p.RootRunID}
}
