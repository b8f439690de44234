package server

import (
	"context"
	"fmt"

	"google.golang.org/grpc"

	"github.com/sundialdev/sundial/server/auth"
)

// serverAuth is the server's share of Options.Auth: the authenticator whose
// interceptors check every call. A nil *serverAuth (auth off) lets every
// call through.
type serverAuth struct {
	authn *auth.Authenticator
}

// newAuth starts the authenticator if the options ask for one.
func (s *Server) newAuth(ctx context.Context) (*serverAuth, error) {
	if s.opts.Auth == nil {
		return nil, nil
	}
	a, err := auth.New(ctx, *s.opts.Auth, s.log)
	if err != nil {
		return nil, fmt.Errorf("server: %w", err)
	}
	return &serverAuth{authn: a}, nil
}

// unary checks each unary call before its handler.
func (x *serverAuth) unary() grpc.UnaryServerInterceptor {
	if x == nil {
		return func(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
			return handler(ctx, req)
		}
	}
	return x.authn.UnaryServerInterceptor()
}

// stream checks each streaming call.
func (x *serverAuth) stream() grpc.StreamServerInterceptor {
	if x == nil {
		return func(srv any, ss grpc.ServerStream, _ *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
			return handler(srv, ss)
		}
	}
	return x.authn.StreamServerInterceptor()
}

// close stops the authenticator's reloading.
func (x *serverAuth) close() {
	if x != nil {
		x.authn.Close()
	}
}
