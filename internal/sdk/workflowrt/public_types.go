package workflowrt

import (
	"github.com/sundialdev/sundial/internal/sdk/wfapi"
	"github.com/sundialdev/sundial/workflow"
)

// The types workflow code sees are declared, with their documentation, in the public
// workflow package; the runtime implements them under these names.
type (
	Context                  = workflow.Context
	CancelFunc               = workflow.CancelFunc
	ReceiveChannel           = workflow.ReceiveChannel
	SendChannel              = workflow.SendChannel
	Channel                  = workflow.Channel
	Selector                 = workflow.Selector
	Future                   = workflow.Future
	Settable                 = workflow.Settable
	Execution                = workflow.Execution
	Info                     = workflow.Info
	ActivityCancellationType = workflow.ActivityCancellationType
	Version                  = workflow.Version
	ContinueAsNewError       = workflow.ContinueAsNewError
	NondeterminismError      = workflow.NondeterminismError
	LocalActivityParams      = wfapi.LocalActivityParams

	NexusOperationCancellationType = workflow.NexusOperationCancellationType
	NexusOperationExecution        = workflow.NexusOperationExecution
)

// The activity cancellation types and the version of code that predates GetVersion.
const (
	TryCancel                 = workflow.ActivityCancelTry
	WaitCancellationCompleted = workflow.ActivityCancelWaitCompleted
	Abandon                   = workflow.ActivityCancelAbandon
	DefaultVersion            = workflow.DefaultVersion
	StackTraceQuery           = workflow.StackTraceQuery
)

// The Nexus operation cancellation types.
const (
	nexusCancelAbandon       = workflow.NexusCancelAbandon
	nexusCancelTry           = workflow.NexusCancelTry
	nexusCancelWaitRequested = workflow.NexusCancelWaitRequested
)
