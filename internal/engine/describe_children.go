package engine

import (
	"slices"

	workflowpb "go.temporal.io/api/workflow/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// pendingChildren lists the run's children that have not closed, initiated and
// started alike, in the order they were initiated, as DescribeWorkflowExecution
// reports them (a child still starting has no run id yet).
func pendingChildren(s *machine.State) []*workflowpb.PendingChildExecutionInfo {
	if len(s.Children) == 0 {
		return nil
	}
	ids := make([]int64, 0, len(s.Children))
	for id := range s.Children {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]*workflowpb.PendingChildExecutionInfo, 0, len(ids))
	for _, id := range ids {
		c := s.Children[id]
		out = append(out, &workflowpb.PendingChildExecutionInfo{
			WorkflowId:        c.WorkflowID,
			RunId:             c.RunID,
			WorkflowTypeName:  c.WorkflowType,
			InitiatedId:       c.InitiatedEventID,
			ParentClosePolicy: c.ParentClosePolicy,
		})
	}
	return out
}
