package compat

import (
	"testing"
)

// TestTemporalCLIClusterListAndDescribe drives `temporal operator cluster list`
// and `describe`: one cluster, with its id and the store it runs on.
func TestTemporalCLIClusterListAndDescribe(t *testing.T) {
	binary := temporalCLI(t)
	tg := startTarget(t)
	cli := newCLIRunner(t, binary, tg)

	var clusters []struct {
		ClusterName string `json:"clusterName"`
		ClusterID   string `json:"clusterId"`
		Address     string `json:"address"`
	}
	cli.mustRunJSON(t, &clusters, "operator", "cluster", "list")
	if len(clusters) != 1 || clusters[0].ClusterName == "" || clusters[0].ClusterID == "" || clusters[0].Address == "" {
		t.Fatalf("cluster list: %+v", clusters)
	}

	var info struct {
		ClusterName      string `json:"clusterName"`
		ClusterID        string `json:"clusterId"`
		PersistenceStore string `json:"persistenceStore"`
	}
	cli.mustRunJSON(t, &info, "operator", "cluster", "describe")
	if info.ClusterID != clusters[0].ClusterID || info.ClusterName != clusters[0].ClusterName {
		t.Fatalf("cluster describe %+v disagrees with cluster list %+v", info, clusters[0])
	}
	wantStore := "sqlite"
	if !targetIsTemporal() && storeIsPostgres(t) {
		wantStore = "postgres"
	}
	if info.PersistenceStore != wantStore {
		t.Fatalf("cluster describe: persistence store %q, want %q", info.PersistenceStore, wantStore)
	}
}
