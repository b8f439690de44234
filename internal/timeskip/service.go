package timeskip

import (
	"context"
	"errors"
	"fmt"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/types/dynamicpb"
)

// RegisterTestService serves Temporal's TestService on g, backed by c:
//
//   - LockTimeSkipping and UnlockTimeSkipping raise and lower c's lock counter
//     (unlocking at zero is FailedPrecondition);
//   - Sleep and SleepUntil return once the clock has advanced by, or reached,
//     the given duration or time, without touching the counter;
//   - UnlockTimeSkippingWithSleep unlocks, waits for the clock to advance by the
//     duration, and locks again at that instant;
//   - GetCurrentTime returns the clock's time.
func RegisterTestService(g grpc.ServiceRegistrar, c *Controller) error {
	sd, err := testServiceDescriptor()
	if err != nil {
		return fmt.Errorf("describing the TestService: %w", err)
	}
	h := &testServiceHandler{ctl: c}
	handlers := map[string]func(context.Context, protoreflect.Message, protoreflect.Message) error{
		MethodLockTimeSkipping:            h.lock,
		MethodUnlockTimeSkipping:          h.unlock,
		MethodSleep:                       h.sleep,
		MethodSleepUntil:                  h.sleepUntil,
		MethodUnlockTimeSkippingWithSleep: h.unlockWithSleep,
		MethodGetCurrentTime:              h.currentTime,
	}
	desc := grpc.ServiceDesc{
		ServiceName: ServiceName,
		HandlerType: (*any)(nil),
		Metadata:    serviceFile,
	}
	methods := sd.Methods()
	for i := range methods.Len() {
		md := methods.Get(i)
		handle, ok := handlers[string(md.Name())]
		if !ok {
			return fmt.Errorf("no handler for TestService method %s", md.Name())
		}
		desc.Methods = append(desc.Methods, unaryMethod(md, handle))
	}
	g.RegisterService(&desc, h)
	return nil
}

// unaryMethod adapts handle, which fills a response from a request, to gRPC.
func unaryMethod(md protoreflect.MethodDescriptor, handle func(context.Context, protoreflect.Message, protoreflect.Message) error) grpc.MethodDesc {
	fullMethod := "/" + ServiceName + "/" + string(md.Name())
	call := func(ctx context.Context, req any) (any, error) {
		resp := dynamicpb.NewMessage(md.Output())
		if err := handle(ctx, req.(*dynamicpb.Message), resp); err != nil {
			return nil, err
		}
		return resp, nil
	}
	return grpc.MethodDesc{
		MethodName: string(md.Name()),
		Handler: func(srv any, ctx context.Context, decode func(any) error, interceptor grpc.UnaryServerInterceptor) (any, error) {
			req := dynamicpb.NewMessage(md.Input())
			if err := decode(req); err != nil {
				return nil, err
			}
			if interceptor == nil {
				return call(ctx, req)
			}
			return interceptor(ctx, req, &grpc.UnaryServerInfo{Server: srv, FullMethod: fullMethod}, call)
		},
	}
}

// testServiceHandler implements the TestService's methods on a Controller.
type testServiceHandler struct {
	ctl *Controller
}

func (h *testServiceHandler) lock(context.Context, protoreflect.Message, protoreflect.Message) error {
	h.ctl.Lock()
	return nil
}

func (h *testServiceHandler) unlock(context.Context, protoreflect.Message, protoreflect.Message) error {
	return statusOf(h.ctl.Unlock())
}

func (h *testServiceHandler) sleep(ctx context.Context, req, _ protoreflect.Message) error {
	d, err := readDuration(req, "duration")
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	if d < 0 {
		return status.Errorf(codes.InvalidArgument, "duration must not be negative, got %s", d)
	}
	return statusOf(h.ctl.Sleep(ctx, d))
}

func (h *testServiceHandler) sleepUntil(ctx context.Context, req, _ protoreflect.Message) error {
	t, ok, err := readTimestamp(req, "timestamp")
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	if !ok {
		return status.Error(codes.InvalidArgument, "timestamp is required")
	}
	return statusOf(h.ctl.SleepUntil(ctx, t))
}

func (h *testServiceHandler) unlockWithSleep(ctx context.Context, req, _ protoreflect.Message) error {
	d, err := readDuration(req, "duration")
	if err != nil {
		return status.Error(codes.InvalidArgument, err.Error())
	}
	if d < 0 {
		return status.Errorf(codes.InvalidArgument, "duration must not be negative, got %s", d)
	}
	return statusOf(h.ctl.UnlockWithSleep(ctx, d))
}

func (h *testServiceHandler) currentTime(_ context.Context, _, resp protoreflect.Message) error {
	setTimestamp(resp, "time", h.ctl.Now())
	return nil
}

// statusOf gives a controller error its gRPC status.
func statusOf(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrNotLocked):
		return status.Error(codes.FailedPrecondition, err.Error())
	case errors.Is(err, ErrStopped):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	default:
		return status.Error(codes.Internal, err.Error())
	}
}
