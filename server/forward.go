package server

import (
	"context"
	"crypto/tls"
	"fmt"
	"strings"
	"sync"

	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
)

// forwardedHeader marks a request a standby forwarded, with the forwarding
// node's id: a node that receives one while it is itself a standby answers
// Unavailable instead of forwarding it again, so stale lease views cannot
// bounce a request between nodes.
const forwardedHeader = "sundial-forwarded-by"

// Texts of the Unavailable answers of a node that cannot forward; SDKs
// retry Unavailable.
const (
	noActiveNodeText   = "sundial: no node is active (this node is a standby and the lease is free or lapsed; a standby takes over within seconds); retry"
	selfHeldLeaseText  = "sundial: no node is active (the lease names this node's address for a previous process; a standby takes over when it lapses); retry"
	forwardedTwiceText = "sundial: this node is a standby too (a forwarded request is not forwarded again); retry"
)

// forwarder sends the unary calls a standby receives to the active node,
// with their metadata (authorization included), and hands back the answer,
// headers and trailers as they came.
type forwarder struct {
	nodeID   string
	tls      *tls.Config // nil: plaintext
	maxRecv  int
	replies  map[string]protoreflect.MessageType
	activeAt func() (address string, why string)

	mu     sync.Mutex
	target string
	conn   *grpc.ClientConn
}

// newForwarder builds a forwarder for WorkflowService and OperatorService.
// activeAt returns where the active node serves, or "" and the reason no
// node can be reached.
func newForwarder(nodeID string, peerTLS *tls.Config, maxRecv int, activeAt func() (string, string)) (*forwarder, error) {
	replies := map[string]protoreflect.MessageType{}
	for _, service := range []string{workflowservice.WorkflowService_ServiceDesc.ServiceName, operatorservice.OperatorService_ServiceDesc.ServiceName} {
		d, err := protoregistry.GlobalFiles.FindDescriptorByName(protoreflect.FullName(service))
		if err != nil {
			return nil, fmt.Errorf("finding the descriptor of %s: %w", service, err)
		}
		sd, ok := d.(protoreflect.ServiceDescriptor)
		if !ok {
			return nil, fmt.Errorf("%s is not a service", service)
		}
		for i := range sd.Methods().Len() {
			m := sd.Methods().Get(i)
			mt, err := protoregistry.GlobalTypes.FindMessageByName(m.Output().FullName())
			if err != nil {
				return nil, fmt.Errorf("finding the reply type of %s: %w", m.FullName(), err)
			}
			replies["/"+service+"/"+string(m.Name())] = mt
		}
	}
	return &forwarder{nodeID: nodeID, tls: peerTLS, maxRecv: maxRecv, replies: replies, activeAt: activeAt}, nil
}

// unary is the grpc.UnaryServerInterceptor that forwards; it never calls
// the local handler.
func (f *forwarder) unary(ctx context.Context, req any, info *grpc.UnaryServerInfo, _ grpc.UnaryHandler) (any, error) {
	in, _ := metadata.FromIncomingContext(ctx)
	if len(in.Get(forwardedHeader)) > 0 {
		return nil, status.Error(codes.Unavailable, forwardedTwiceText)
	}
	replyType, ok := f.replies[info.FullMethod]
	if !ok {
		return nil, status.Errorf(codes.Unimplemented, "sundial: a standby cannot forward %s", info.FullMethod)
	}
	address, why := f.activeAt()
	if address == "" {
		return nil, status.Error(codes.Unavailable, why)
	}
	conn, err := f.connTo(address)
	if err != nil {
		return nil, status.Errorf(codes.Unavailable, "sundial: this node is a standby and cannot reach the active node at %s: %v; retry", address, err)
	}
	out := metadata.MD{}
	for k, v := range in {
		if strings.HasPrefix(k, ":") || k == "content-type" || k == "user-agent" || strings.HasPrefix(k, "grpc-") {
			continue
		}
		out[k] = append([]string(nil), v...)
	}
	out.Set(forwardedHeader, f.nodeID)
	reply := replyType.New().Interface()
	var header, trailer metadata.MD
	err = conn.Invoke(metadata.NewOutgoingContext(ctx, out), info.FullMethod, req, reply, grpc.Header(&header), grpc.Trailer(&trailer))
	if len(header) > 0 {
		_ = grpc.SetHeader(ctx, header)
	}
	if len(trailer) > 0 {
		_ = grpc.SetTrailer(ctx, trailer)
	}
	if err != nil {
		if status.Code(err) == codes.Canceled && ctx.Err() == nil {
			// The connection closed under the call (the active node changed):
			// not the caller's cancellation, so tell it to retry.
			return nil, status.Errorf(codes.Unavailable, "sundial: the active node changed while forwarding: %v; retry", err)
		}
		return nil, err
	}
	return reply, nil
}

// connTo returns a connection to address, replacing the one to an earlier
// active node. gRPC connects lazily and reconnects by itself.
func (f *forwarder) connTo(address string) (*grpc.ClientConn, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil && f.target == address {
		return f.conn, nil
	}
	if f.conn != nil {
		// Calls still using it fail Unavailable, which clients retry.
		_ = f.conn.Close()
		f.conn, f.target = nil, ""
	}
	creds := insecure.NewCredentials()
	if f.tls != nil {
		creds = credentials.NewTLS(f.tls)
	}
	conn, err := grpc.NewClient("passthrough:///"+address,
		grpc.WithTransportCredentials(creds),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(128<<20), grpc.MaxCallSendMsgSize(f.maxRecv)),
	)
	if err != nil {
		return nil, fmt.Errorf("dialling %s: %w", address, err)
	}
	f.conn, f.target = conn, address
	return conn, nil
}

// close closes the connection to the active node, if any: calls in flight
// on it end Unavailable (used when this node becomes active, so that long
// polls forwarded to a node that died come back and are retried here).
func (f *forwarder) close() {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.conn != nil {
		_ = f.conn.Close()
		f.conn, f.target = nil, ""
	}
}
