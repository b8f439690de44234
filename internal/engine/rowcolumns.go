package engine

import (
	"bytes"
	"time"

	enumspb "go.temporal.io/api/enums/v1"

	"github.com/sundialdev/sundial/internal/engine/machine"
)

// rowColumns are the columns of a run's stored row besides its state: what
// listings filter and sort on. Most transitions leave them as they are, and
// the store is then told to write the state alone.
type rowColumns struct {
	workflowType, taskQueue string
	status                  enumspb.WorkflowExecutionStatus
	start, execution, close time.Time
	// memo and searchAttributes alias the state's encoded values, which a
	// transition replaces and never edits in place.
	memo, searchAttributes []byte
}

func columnsOf(s *machine.State) rowColumns {
	return rowColumns{
		workflowType: s.WorkflowType, taskQueue: s.TaskQueue, status: s.Status,
		start: s.StartTime, execution: s.ExecutionTime, close: s.CloseTime,
		memo: s.Memo, searchAttributes: s.SearchAttributes,
	}
}

func (c rowColumns) equal(o rowColumns) bool {
	return c.workflowType == o.workflowType && c.taskQueue == o.taskQueue && c.status == o.status &&
		c.start.Equal(o.start) && c.execution.Equal(o.execution) && c.close.Equal(o.close) &&
		bytes.Equal(c.memo, o.memo) && bytes.Equal(c.searchAttributes, o.searchAttributes)
}
