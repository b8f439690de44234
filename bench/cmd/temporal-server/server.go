package main

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"time"

	"go.temporal.io/server/common/authorization"
	"go.temporal.io/server/common/cluster"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	sqliteplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/sqlite"
	sqliteschema "go.temporal.io/server/schema/sqlite"
	"go.temporal.io/server/temporal"
)

// config is what the command line chooses.
type options struct {
	listenAddr string
	dbPath     string
	namespace  string
	logLevel   string
	// journalMode is SQLite's journal_mode: "wal" or "delete" (SQLite's default).
	journalMode string
	// postgresURL and visibilityPostgresURL, when set, put persistence and
	// visibility on these (empty) PostgreSQL databases instead of dbPath.
	postgresURL           string
	visibilityPostgresURL string
}

// onPostgres reports whether the server runs on PostgreSQL.
func (o options) onPostgres() bool { return o.postgresURL != "" }

// clusterName is the name of the single, local cluster.
const clusterName = "active"

// newServer prepares the database (schema and namespace) and builds the server.
func newServer(cfg options) (temporal.Server, error) {
	host, portText, err := net.SplitHostPort(cfg.listenAddr)
	if err != nil {
		return nil, fmt.Errorf("--listen %q is not host:port: %w", cfg.listenAddr, err)
	}
	frontendPort, err := strconv.Atoi(portText)
	if err != nil || frontendPort <= 0 {
		return nil, fmt.Errorf("--listen needs an explicit port, got %q", portText)
	}
	logger := log.NewZapLogger(log.BuildZapLogger(log.Config{Level: cfg.logLevel, Format: "console"}))
	persistence, err := preparePersistence(cfg, logger)
	if err != nil {
		return nil, err
	}
	serverConfig, err := serverConfig(host, frontendPort, persistence)
	if err != nil {
		return nil, err
	}
	authorizer, err := authorization.GetAuthorizerFromConfig(&serverConfig.Global.Authorization)
	if err != nil {
		return nil, fmt.Errorf("building authorizer: %w", err)
	}
	claimMapper, err := authorization.GetClaimMapperFromConfig(&serverConfig.Global.Authorization, logger)
	if err != nil {
		return nil, fmt.Errorf("building claim mapper: %w", err)
	}
	srv, err := temporal.NewServer(
		temporal.WithConfig(serverConfig),
		temporal.ForServices(temporal.DefaultServices),
		temporal.WithLogger(logger),
		temporal.WithAuthorizer(authorizer),
		temporal.WithClaimMapper(func(*config.Config) authorization.ClaimMapper { return claimMapper }),
	)
	if err != nil {
		return nil, fmt.Errorf("building server: %w", err)
	}
	return srv, nil
}

// preparePersistence sets up the store the options name and returns its
// configuration: PostgreSQL when given URLs, else the SQLite file (whose
// namespace is written straight into it; on PostgreSQL serve registers it
// through the frontend once the server is up).
func preparePersistence(cfg options, logger log.Logger) (config.Persistence, error) {
	if cfg.onPostgres() {
		if cfg.visibilityPostgresURL == "" {
			return config.Persistence{}, fmt.Errorf("--postgres needs --visibility-postgres")
		}
		return postgresPersistence(cfg.postgresURL, cfg.visibilityPostgresURL, logger)
	}
	if cfg.journalMode != "wal" && cfg.journalMode != "delete" {
		return config.Persistence{}, fmt.Errorf("--journal-mode must be wal or delete, got %q", cfg.journalMode)
	}
	store := sqliteStore(cfg.dbPath, cfg.journalMode)
	if err := prepareDatabase(store, cfg.dbPath, cfg.namespace); err != nil {
		return config.Persistence{}, err
	}
	return config.Persistence{
		DefaultStore:     sqliteplugin.PluginName,
		VisibilityStore:  sqliteplugin.PluginName,
		NumHistoryShards: 1,
		DataStores:       map[string]config.DataStore{sqliteplugin.PluginName: {SQL: store}},
	}, nil
}

// sqliteStore is the SQL store on the file: one connection, a private cache,
// synchronous=FULL (2) and the given journal mode, as in Temporal's own
// config/development-sqlite-file.yaml (which uses WAL).
func sqliteStore(path, journalMode string) *config.SQL {
	return &config.SQL{
		PluginName:   sqliteplugin.PluginName,
		DatabaseName: path,
		ConnectAttributes: map[string]string{
			"mode":         "rwc",
			"cache":        "private",
			"journal_mode": journalMode,
			"synchronous":  "2",
		},
		MaxConns:     1,
		MaxIdleConns: 1,
	}
}

// prepareDatabase creates the schema when the file is new and registers the namespace.
func prepareDatabase(store *config.SQL, path, namespace string) error {
	if _, err := os.Stat(path); errors.Is(err, os.ErrNotExist) {
		if _, err := os.Stat(filepath.Dir(path)); err != nil {
			return fmt.Errorf("database directory: %w", err)
		}
		if err := sqliteschema.SetupSchema(store); err != nil {
			return fmt.Errorf("creating schema in %s: %w", path, err)
		}
	} else if err != nil {
		return fmt.Errorf("checking %s: %w", path, err)
	}
	ns, err := sqliteschema.NewNamespaceConfig(clusterName, namespace, false, nil)
	if err != nil {
		return fmt.Errorf("describing namespace %q: %w", namespace, err)
	}
	if err := sqliteschema.CreateNamespaces(store, ns); err != nil {
		return fmt.Errorf("registering namespace %q: %w", namespace, err)
	}
	return nil
}

// serverConfig lays out the four services in this process: the frontend on the
// requested port, the others (and every membership port) on free loopback ports.
func serverConfig(host string, frontendPort int, persistence config.Persistence) (*config.Config, error) {
	ports, err := freePorts(7)
	if err != nil {
		return nil, err
	}
	service := func(grpcPort, membershipPort int, bindIP string) config.Service {
		rpc := config.RPC{GRPCPort: grpcPort, MembershipPort: membershipPort, BindOnLocalHost: true}
		if bindIP != "" {
			rpc.BindOnLocalHost = false
			rpc.BindOnIP = bindIP
		}
		return config.Service{RPC: rpc}
	}
	frontendAddr := net.JoinHostPort(host, strconv.Itoa(frontendPort))
	return &config.Config{
		Global: config.Global{
			Membership: config.Membership{MaxJoinDuration: 30 * time.Second, BroadcastAddress: "127.0.0.1"},
		},
		Persistence: persistence,
		ClusterMetadata: &cluster.Config{
			EnableGlobalNamespace:    false,
			FailoverVersionIncrement: 10,
			MasterClusterName:        clusterName,
			CurrentClusterName:       clusterName,
			ClusterInformation: map[string]cluster.ClusterInformation{
				clusterName: {Enabled: true, InitialFailoverVersion: 1, RPCAddress: frontendAddr},
			},
		},
		DCRedirectionPolicy: config.DCRedirectionPolicy{Policy: "noop"},
		Services: map[string]config.Service{
			"frontend": service(frontendPort, ports[0], host),
			"history":  service(ports[1], ports[2], ""),
			"matching": service(ports[3], ports[4], ""),
			"worker":   service(ports[5], ports[6], ""),
		},
		Archival: config.Archival{
			History:    config.HistoryArchival{State: "disabled"},
			Visibility: config.VisibilityArchival{State: "disabled"},
		},
		NamespaceDefaults: config.NamespaceDefaults{
			Archival: config.ArchivalNamespaceDefaults{
				History:    config.HistoryArchivalNamespaceDefaults{State: "disabled"},
				Visibility: config.VisibilityArchivalNamespaceDefaults{State: "disabled"},
			},
		},
		// The server's internal worker service dials itself through this address.
		PublicClient: config.PublicClient{HostPort: frontendAddr},
	}, nil
}

// freePorts finds n distinct free loopback ports below 32768: Temporal's SQL
// schemas keep a membership port in a smallint, which the kernel's ephemeral
// ports (32768 and up) overflow. They are released before the server binds
// them, which is racy in principle but fine on a machine where nothing else
// grabs them in that instant.
func freePorts(n int) ([]int, error) {
	const low, high = 20000, 32767
	listeners := make([]net.Listener, 0, n)
	defer func() {
		for _, l := range listeners {
			_ = l.Close()
		}
	}()
	ports := make([]int, 0, n)
	for attempt := 0; len(ports) < n; attempt++ {
		if attempt > 1000 {
			return nil, fmt.Errorf("no %d free ports between %d and %d", n, low, high)
		}
		port := low + rand.IntN(high-low+1)
		l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
		if err != nil {
			continue
		}
		listeners = append(listeners, l)
		ports = append(ports, port)
	}
	return ports, nil
}
