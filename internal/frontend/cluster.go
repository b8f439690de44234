package frontend

import (
	"context"

	"go.temporal.io/api/operatorservice/v1"
)

// clusterName is the name of the one cluster a Sundial deployment is, the
// name namespaces give as their active cluster.
const clusterName = "active"

// ClusterInfo is what the server tells the handlers about the one cluster a
// Sundial deployment is.
type ClusterInfo struct {
	// Address is where clients reach this node (its advertised address).
	Address string
	// Store names the database: "sqlite" or "postgres".
	Store string
}

func (c ClusterInfo) storeName() string {
	if c.Store == "" {
		return "sqlite"
	}
	return c.Store
}

// SetCluster tells the handler about its cluster; call it before serving.
func (h *Handler) SetCluster(c ClusterInfo) { h.cluster = c }

// SetCluster tells the handler about its cluster; call it before serving.
func (h *OperatorHandler) SetCluster(c ClusterInfo) { h.cluster = c }

// ListClusters lists the one cluster Sundial is: it has no remote clusters
// and replicates nowhere.
func (h *OperatorHandler) ListClusters(_ context.Context, req *operatorservice.ListClustersRequest) (*operatorservice.ListClustersResponse, error) {
	if req == nil {
		return nil, errNilRequest()
	}
	if req.GetPageSize() < 0 {
		return nil, invalid("PageSize is negative: %d.", req.GetPageSize())
	}
	return &operatorservice.ListClustersResponse{Clusters: []*operatorservice.ClusterMetadata{{
		ClusterName:            clusterName,
		ClusterId:              h.engine.ClusterID(),
		Address:                h.cluster.Address,
		InitialFailoverVersion: 1,
		HistoryShardCount:      1,
		IsConnectionEnabled:    true,
	}}}, nil
}
