package webui

import (
	"crypto/tls"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
)

// maxResponseBytes bounds one gRPC response the UI receives (a history page can
// be large); it matches the limit ui-server uses for its own connection.
const maxResponseBytes = 64 << 20

// dialFrontend makes the (lazily connecting) gRPC client the UI's HTTP API is
// proxied through; tlsConfig nil means plain text.
func dialFrontend(addr string, tlsConfig *tls.Config) (*grpc.ClientConn, error) {
	transport := insecure.NewCredentials()
	if tlsConfig != nil {
		transport = credentials.NewTLS(tlsConfig)
	}
	conn, err := grpc.NewClient("passthrough:///"+addr,
		grpc.WithTransportCredentials(transport),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxResponseBytes)),
	)
	if err != nil {
		return nil, fmt.Errorf("webui: gRPC client for %s: %w", addr, err)
	}
	return conn, nil
}
