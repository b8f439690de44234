package workflowrt

import (
	commonpb "go.temporal.io/api/common/v1"
	sdkpb "go.temporal.io/api/sdk/v1"
)

// MetadataQuery is the built-in query that describes the workflow's type and
// the queries, signals and updates it handles; Temporal's Web UI sends it to
// offer those names (for example in its "Send a Signal" dialog).
const MetadataQuery = "__temporal_workflow_metadata"

// metadata answers MetadataQuery from the handlers registered so far; a
// signal counts once its channel has been asked for.
func (e *runEnv) metadata() (*commonpb.Payloads, error) {
	def := &sdkpb.WorkflowDefinition{Type: e.info.WorkflowType}
	for _, name := range append(sortedKeys(e.queryHandlers), StackTraceQuery, MetadataQuery) {
		def.QueryDefinitions = append(def.QueryDefinitions, &sdkpb.WorkflowInteractionDefinition{Name: name})
	}
	for _, name := range sortedKeys(e.signalChannels) {
		def.SignalDefinitions = append(def.SignalDefinitions, &sdkpb.WorkflowInteractionDefinition{Name: name})
	}
	for _, name := range sortedKeys(e.updateHandlers) {
		def.UpdateDefinitions = append(def.UpdateDefinitions, &sdkpb.WorkflowInteractionDefinition{Name: name})
	}
	return e.dataConverter.ToPayloads(&sdkpb.WorkflowMetadata{Definition: def})
}
