package visibility

import "fmt"

// The lineage attributes (ParentWorkflowId, ParentRunId, RootWorkflowId,
// RootRunId) are Temporal system attributes that the Web UI's relationship
// views and the "Parent Workflows" saved view query. Sundial keeps a run's
// parent, and the root of its tree, in the run's stored state rather than in
// columns of their own, so queries read them from there: a filter on them
// scans the namespace's runs, and they cannot be sorted on.

// isLineage reports whether c is one of the lineage columns.
func (c Column) isLineage() bool {
	switch c {
	case ColumnParentWorkflowID, ColumnParentRunID, ColumnRootWorkflowID, ColumnRootRunID:
		return true
	}
	return false
}

// lineageExpr is the SQL value of a lineage column: a run without a parent
// has no parent attributes and is its own root.
func (b *builder) lineageExpr(c Column) string {
	switch c {
	case ColumnParentWorkflowID:
		return b.d.StateField("Parent.WorkflowID")
	case ColumnParentRunID:
		return b.d.StateField("Parent.RunID")
	case ColumnRootWorkflowID:
		return fmt.Sprintf("COALESCE(%s, e.workflow_id)", b.d.StateField("Parent.RootWorkflowID"))
	case ColumnRootRunID:
		return fmt.Sprintf("COALESCE(%s, e.run_id)", b.d.StateField("Parent.RootRunID"))
	}
	panic(fmt.Sprintf("visibility: column %d is not a lineage column", c))
}

// lineageComparison renders a comparison on a lineage column; only the parent
// attributes can be null.
func (b *builder) lineageComparison(c *Comparison) string {
	expr := b.lineageExpr(c.Attr.Column)
	switch c.Op {
	case OpIsNull:
		return expr + " IS NULL"
	case OpIsNotNull:
		return expr + " IS NOT NULL"
	}
	return b.valueCondition(expr, c)
}
