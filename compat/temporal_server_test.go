package compat

import (
	"fmt"
	"math/rand/v2"
	"time"

	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	"go.temporal.io/server/common/testing/freeport"
	"go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// temporalReference is Temporal's own server, in process on an in-memory
// SQLite store, configured like the temporaltest package's server with one
// addition: the frontend also serves its HTTP API and the cluster metadata
// names that address. Temporal's history service sends a Nexus request to a
// worker endpoint through the frontend's HTTP API, so without it every Nexus
// operation stays scheduled.
type temporalReference struct {
	server    temporal.Server
	hostPort  string
	namespace string
}

const temporalReferenceHost = "127.0.0.1"

// startTemporalReference starts the server with the one namespace the tests use by default.
func startTemporalReference() (*temporalReference, error) {
	grpcPort, httpPort := freeport.MustGetFreePort(), freeport.MustGetFreePort()
	hostPort := fmt.Sprintf("%s:%d", temporalReferenceHost, grpcPort)
	sqlConfig := &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: fmt.Sprintf("compat-%d", rand.IntN(1e9)),
		ConnectAttributes: map[string]string{
			"mode":  "memory",
			"cache": "shared",
		},
	}
	service := func(grpc, http int) config.Service {
		if grpc == 0 {
			grpc = freeport.MustGetFreePort()
		}
		return config.Service{RPC: config.RPC{
			GRPCPort: grpc, HTTPPort: http, MembershipPort: freeport.MustGetFreePort(), BindOnIP: temporalReferenceHost,
		}}
	}
	cfg := &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: temporalReferenceHost},
		},
		Persistence: config.Persistence{
			DefaultStore: sqliteplugin.PluginName, VisibilityStore: sqliteplugin.PluginName, NumHistoryShards: 1,
			DataStores: map[string]config.DataStore{sqliteplugin.PluginName: {SQL: sqlConfig}},
		},
		ClusterMetadata: &cluster.Config{
			FailoverVersionIncrement: 10,
			MasterClusterName:        "active",
			CurrentClusterName:       "active",
			ClusterInformation: map[string]cluster.ClusterInformation{"active": {
				Enabled: true, InitialFailoverVersion: 1, RPCAddress: hostPort,
				HTTPAddress: fmt.Sprintf("%s:%d", temporalReferenceHost, httpPort),
			}},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(grpcPort, httpPort),
			"history":  service(0, 0),
			"matching": service(0, 0),
			"worker":   service(0, 0),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{Archival: config.ArchivalNamespaceDefaults{
			History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
			Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
		}},
		PublicClient: config.PublicClient{HostPort: hostPort},
	}
	const namespace = "default"
	ns, err := sqlite.NewNamespaceConfig("active", namespace, false, nil)
	if err != nil {
		return nil, fmt.Errorf("describing the default namespace: %w", err)
	}
	if err := sqlite.CreateNamespaces(sqlConfig, ns); err != nil {
		return nil, fmt.Errorf("creating the default namespace: %w", err)
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(cfg),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(log.NewNoopLogger()),
		temporal.WithDynamicConfigClient(temporalDynamicConfig()),
	)
	if err != nil {
		return nil, fmt.Errorf("creating the Temporal server: %w", err)
	}
	if err := srv.Start(); err != nil {
		return nil, fmt.Errorf("starting the Temporal server: %w", err)
	}
	return &temporalReference{server: srv, hostPort: hostPort, namespace: namespace}, nil
}

func (s *temporalReference) stop() error { return s.server.Stop() }
