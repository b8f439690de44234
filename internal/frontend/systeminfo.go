package frontend

import (
	"context"

	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// GetSystemInfo advertises the capabilities Sundial really implements; the SDKs
// change behaviour on each flag.
func (h *Handler) GetSystemInfo(_ context.Context, req *workflowservice.GetSystemInfoRequest) (*workflowservice.GetSystemInfoResponse, error) {
	if err := validateGetSystemInfo(req, h.limits); err != nil {
		return nil, err
	}
	return &workflowservice.GetSystemInfoResponse{
		ServerVersion: h.version,
		Capabilities: &workflowservice.GetSystemInfoResponse_Capabilities{
			// sdk_metadata is stored verbatim in WorkflowTaskCompleted events.
			SdkMetadata: true,
			// Internal is used only for real server faults.
			InternalErrorDifferentiation: true,
			UpsertMemo:                   true,
			// Failures are stored and returned as the worker sent them.
			EncodedFailureAttributes: true,
			SignalAndQueryHeader:     true,
			// RespondActivityTaskFailed's last_heartbeat_details are kept.
			ActivityFailureIncludeHeartbeat: true,
			// CountWorkflowExecutions understands GROUP BY ExecutionStatus.
			CountGroupByExecutionStatus: true,
			// A start with request_eager_execution returns the first workflow task.
			EagerWorkflowStart: true,
			// Workflows schedule Nexus operations on endpoints (handler_nexus.go).
			Nexus: true,
			// The schedule RPCs are served (handler_schedule.go).
			SupportsSchedules: true,
		},
	}, nil
}

// GetClusterInfo describes the one-node cluster a Sundial server is; the
// temporal CLI and Web UI read it. Its server version is the Temporal release
// whose features Sundial offers (see TemporalCompatibleVersion).
func (h *Handler) GetClusterInfo(_ context.Context, req *workflowservice.GetClusterInfoRequest) (*workflowservice.GetClusterInfoResponse, error) {
	if req == nil {
		return nil, serviceerror.NewInvalidArgument("Request is nil.")
	}
	return &workflowservice.GetClusterInfoResponse{
		ServerVersion:          TemporalCompatibleVersion,
		ClusterId:              h.clusterID,
		ClusterName:            clusterName,
		HistoryShardCount:      1,
		PersistenceStore:       h.cluster.storeName(),
		VisibilityStore:        h.cluster.storeName(),
		InitialFailoverVersion: 1,
	}, nil
}
