package auth

import (
	"context"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
)

// principalKey is the context key of the authenticated Principal.
type principalKey struct{}

// PrincipalFromContext returns the caller a handler is serving, when the
// call was authenticated.
func PrincipalFromContext(ctx context.Context) (Principal, bool) {
	p, ok := ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// Authorize checks that the caller in ctx may call method with req: it looks
// the method up in the table, authenticates the caller unless the method is
// public, and checks the role. It returns the context to call the handler
// with (carrying the Principal) or an Unauthenticated or PermissionDenied
// status error. It never looks at anything but the request itself, so the
// answer cannot depend on whether a workflow exists.
func (a *Authenticator) Authorize(ctx context.Context, method string, req any) (context.Context, error) {
	ctx, err := a.authorize(ctx, method, req)
	if err != nil {
		a.log.Debug("auth: call refused", "method", method, "err", err)
	}
	return ctx, err
}

// authorize is Authorize without the logging.
func (a *Authenticator) authorize(ctx context.Context, method string, req any) (context.Context, error) {
	rule, ok := a.rules[method]
	if !ok {
		return ctx, status.Errorf(codes.PermissionDenied, "Request unauthorized: %s has no authorization rule", method)
	}
	if rule.Scope == ScopePublic {
		return ctx, nil
	}
	p, err := a.Authenticate(ctx)
	if err != nil {
		return ctx, err
	}
	if err := checkRule(rule, p, req); err != nil {
		return ctx, err
	}
	return context.WithValue(ctx, principalKey{}, p), nil
}

// checkRule checks one requirement against an authenticated principal.
func checkRule(rule Requirement, p Principal, req any) error {
	switch rule.Scope {
	case ScopeAuthenticated:
		return nil
	case ScopeSystem:
		if p.Permissions.HasSystem(rule.Role) {
			return nil
		}
		return status.Errorf(codes.PermissionDenied, "Request unauthorized: this call needs the %q role in the system scope (%s:%s)", rule.Role, SystemNamespace, rule.Role)
	case ScopeNamespace:
		ns := requestNamespace(req)
		if p.Permissions.Has(ns, rule.Role) {
			return checkCrossNamespaceCommands(p, req)
		}
		return status.Errorf(codes.PermissionDenied, "Request unauthorized: this call needs the %q role in namespace %q", rule.Role, ns)
	}
	return status.Errorf(codes.PermissionDenied, "Request unauthorized: unknown requirement %s", rule)
}

// requestNamespace reads a request's top-level string field "namespace";
// it is "" for a request without one.
func requestNamespace(req any) string {
	m, ok := req.(proto.Message)
	if !ok {
		return ""
	}
	r := m.ProtoReflect()
	fd := r.Descriptor().Fields().ByName("namespace")
	if fd == nil || fd.Kind() != protoreflect.StringKind || fd.Cardinality() == protoreflect.Repeated {
		return ""
	}
	return r.Get(fd).String()
}

// UnaryServerInterceptor authorizes every unary call before its handler.
func (a *Authenticator) UnaryServerInterceptor() grpc.UnaryServerInterceptor {
	return func(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
		ctx, err := a.Authorize(ctx, info.FullMethod, req)
		if err != nil {
			return nil, err
		}
		return handler(ctx, req)
	}
}

// StreamServerInterceptor authorizes every streaming call: the caller when
// the stream opens, and, for namespace-scoped methods, every message it
// receives against that message's namespace.
func (a *Authenticator) StreamServerInterceptor() grpc.StreamServerInterceptor {
	return func(srv any, ss grpc.ServerStream, info *grpc.StreamServerInfo, handler grpc.StreamHandler) error {
		rule, ok := a.rules[info.FullMethod]
		if !ok {
			return status.Errorf(codes.PermissionDenied, "Request unauthorized: %s has no authorization rule", info.FullMethod)
		}
		if rule.Scope == ScopePublic {
			return handler(srv, ss)
		}
		p, err := a.Authenticate(ss.Context())
		if err != nil {
			return err
		}
		if rule.Scope != ScopeNamespace {
			if err := checkRule(rule, p, nil); err != nil {
				return err
			}
		}
		ctx := context.WithValue(ss.Context(), principalKey{}, p)
		return handler(srv, &authorizedStream{ServerStream: ss, ctx: ctx, rule: rule, principal: p})
	}
}

// authorizedStream checks each received message of a namespace-scoped
// stream.
type authorizedStream struct {
	grpc.ServerStream
	ctx       context.Context
	rule      Requirement
	principal Principal
}

func (s *authorizedStream) Context() context.Context { return s.ctx }

func (s *authorizedStream) RecvMsg(m any) error {
	if err := s.ServerStream.RecvMsg(m); err != nil {
		return err
	}
	if s.rule.Scope != ScopeNamespace {
		return nil
	}
	return checkRule(s.rule, s.principal, m)
}
