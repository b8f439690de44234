package worker

import "github.com/sundialdev/sundial/workflow"

// WorkflowReplayer replays saved histories against workflow code; see
// workflow.Replayer.
type WorkflowReplayer = workflow.Replayer

// NewWorkflowReplayer returns a replayer with no workflows registered, to prove that
// changed workflow code still replays the histories of runs in flight.
func NewWorkflowReplayer() *WorkflowReplayer { return workflow.NewReplayer() }
