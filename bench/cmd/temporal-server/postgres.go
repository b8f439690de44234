package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"go.temporal.io/server/common/config"
	"go.temporal.io/server/common/log"
	pgplugin "go.temporal.io/server/common/persistence/sql/sqlplugin/postgresql"
	toolschema "go.temporal.io/server/tools/common/schema"
	sqltool "go.temporal.io/server/tools/sql"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

// The store names and pool sizes of Temporal's config/development-postgres12.yaml.
const (
	postgresDefaultStore    = "postgres-default"
	postgresVisibilityStore = "postgres-visibility"
	postgresMainConns       = 20
	postgresVisibilityConns = 2
	postgresHistoryShards   = 4
)

// The schemas embedded in the server module (go.temporal.io/server/schema), as
// temporal-sql-tool's --schema-name names them.
const (
	mainSchemaName       = "postgresql/v12/temporal"
	visibilitySchemaName = "postgresql/v12/visibility"
)

// postgresStore is the postgres12 plugin's configuration for the database a
// postgres:// URL names; the URL's query parameters (sslmode...) become
// connection attributes.
func postgresStore(rawURL string, maxConns int) (*config.SQL, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" || len(u.Path) < 2 {
		return nil, errors.New("want a postgres://user:password@host:port/database URL")
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "5432"
	}
	store := &config.SQL{
		PluginName:        pgplugin.PluginName,
		DatabaseName:      u.Path[1:],
		ConnectAddr:       net.JoinHostPort(host, port),
		ConnectProtocol:   "tcp",
		User:              u.User.Username(),
		ConnectAttributes: map[string]string{},
		MaxConns:          maxConns,
		MaxIdleConns:      maxConns,
		MaxConnLifetime:   time.Hour,
	}
	store.Password, _ = u.User.Password()
	for key, values := range u.Query() {
		if len(values) != 1 {
			return nil, fmt.Errorf("URL parameter %s given %d times", key, len(values))
		}
		store.ConnectAttributes[key] = values[0]
	}
	return store, nil
}

// setupPostgresSchema brings an empty database to the newest schema the way
// temporal-sql-tool does: setup-schema at version 0.0 (the version tables),
// then update-schema through every versioned directory of the embedded schema.
func setupPostgresSchema(store *config.SQL, schemaName string, logger log.Logger) error {
	conn, err := sqltool.NewConnection(store, logger)
	if err != nil {
		return fmt.Errorf("connecting to %s: %w", store.DatabaseName, err)
	}
	defer conn.Close()
	setup := toolschema.NewSetupSchemaTask(conn, &toolschema.SetupConfig{InitialVersion: "0.0"}, logger)
	if err := setup.Run(); err != nil {
		return fmt.Errorf("setting up the schema of %s: %w", store.DatabaseName, err)
	}
	update := toolschema.NewUpdateSchemaTask(conn, &toolschema.UpdateConfig{DBName: store.DatabaseName, SchemaName: schemaName}, logger)
	if err := update.Run(); err != nil {
		return fmt.Errorf("updating the schema of %s to %s: %w", store.DatabaseName, schemaName, err)
	}
	return nil
}

// postgresPersistence sets up both databases' schemas and returns the
// persistence configuration on them.
func postgresPersistence(mainURL, visibilityURL string, logger log.Logger) (config.Persistence, error) {
	mainStore, err := postgresStore(mainURL, postgresMainConns)
	if err != nil {
		return config.Persistence{}, fmt.Errorf("--postgres: %w", err)
	}
	visibilityStore, err := postgresStore(visibilityURL, postgresVisibilityConns)
	if err != nil {
		return config.Persistence{}, fmt.Errorf("--visibility-postgres: %w", err)
	}
	if err := setupPostgresSchema(mainStore, mainSchemaName, logger); err != nil {
		return config.Persistence{}, err
	}
	if err := setupPostgresSchema(visibilityStore, visibilitySchemaName, logger); err != nil {
		return config.Persistence{}, err
	}
	return config.Persistence{
		DefaultStore:     postgresDefaultStore,
		VisibilityStore:  postgresVisibilityStore,
		NumHistoryShards: postgresHistoryShards,
		DataStores: map[string]config.DataStore{
			postgresDefaultStore:    {SQL: mainStore},
			postgresVisibilityStore: {SQL: visibilityStore},
		},
	}, nil
}

// registerNamespace registers the namespace through the frontend, as
// `temporal operator namespace create` does, retrying while the frontend is
// not yet serving; a namespace that exists already is fine.
func registerNamespace(ctx context.Context, frontendAddr, namespace string) error {
	conn, err := grpc.NewClient(frontendAddr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		return fmt.Errorf("dialing %s: %w", frontendAddr, err)
	}
	defer conn.Close()
	service := workflowservice.NewWorkflowServiceClient(conn)
	request := &workflowservice.RegisterNamespaceRequest{
		Namespace:                        namespace,
		WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}
	for {
		callCtx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := service.RegisterNamespace(callCtx, request)
		cancel()
		switch {
		case err == nil, status.Code(err) == codes.AlreadyExists:
			return nil
		case status.Code(err) != codes.Unavailable && status.Code(err) != codes.DeadlineExceeded:
			return fmt.Errorf("registering namespace %q: %w", namespace, err)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("registering namespace %q: %w (last error: %v)", namespace, ctx.Err(), err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}
