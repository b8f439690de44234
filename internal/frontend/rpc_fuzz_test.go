package frontend_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	"go.temporal.io/api/operatorservice/v1"
	"go.temporal.io/api/serviceerror"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/grpc/test/bufconn"
	"google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/reflect/protoreflect"
	"google.golang.org/protobuf/reflect/protoregistry"
	"google.golang.org/protobuf/types/known/durationpb"

	"github.com/sundialdev/sundial/internal/engine"
	"github.com/sundialdev/sundial/internal/frontend"
	"github.com/sundialdev/sundial/internal/store/sqlite"
)

const (
	// fuzzCallTimeout is each call's deadline: long polls on queues nobody feeds
	// end there, so it bounds the time one input takes.
	fuzzCallTimeout = 400 * time.Millisecond
	// fuzzHangMargin is how long past its deadline a handler may still run
	// before it counts as hung (generous: two loaded cores, race detector).
	fuzzHangMargin = 10 * time.Second
	// fuzzSpareNamespace is where namespace-wide destructive calls are sent
	// instead of the namespace the seeded runs live in, so one input that deletes
	// it does not leave every later input a NotFound.
	fuzzSpareNamespace = "fuzz-spare"
)

// FuzzRPC calls every WorkflowService and OperatorService RPC with a request
// whose fields the fuzzer fills (names and ids that exist or not, empty and huge
// strings, invalid UTF-8, negative, huge and NaN numbers, out-of-range enums,
// nested messages present or not, real and garbled task tokens) against a live
// engine holding running workflows, a started workflow task and a started
// activity. Each call must return a gRPC status that is not Unknown (nor Internal,
// except gRPC's own refusal to decode invalid UTF-8), within its deadline: no
// handler may panic or run on long past its deadline.
func FuzzRPC(f *testing.F) {
	fx := startFuzzServer(f)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range fx.methods {
		f.Add(uint16(i), []byte(nil))
		// A repeated byte sets every field it reaches, each from a different
		// part of the value pools.
		for _, b := range []byte{3, 7, 11, 25} {
			f.Add(uint16(i), bytes.Repeat([]byte{b}, 128))
		}
		random := make([]byte, 256)
		for j := range random {
			random[j] = byte(rng.Uint32())
		}
		f.Add(uint16(i), random)
	}
	f.Fuzz(func(t *testing.T, method uint16, data []byte) {
		m := fx.methods[int(method)%len(fx.methods)]
		gen := &requestGen{in: &fuzzInput{data: data}, pools: &fx.pools, budget: 200}
		req := m.newRequest()
		gen.fill(req.ProtoReflect(), 0)
		if m.namespaceWide {
			steerAwayFromSeededNamespace(req.ProtoReflect(), fx.pools.namespace)
		}
		raw, err := gen.encode(req)
		if err != nil {
			t.Fatalf("encoding a generated %s request: %v", m.name, err)
		}
		fx.call(t, m, raw)
	})
}

// fuzzMethod is one RPC the fuzz test calls.
type fuzzMethod struct {
	name          string // full gRPC method name
	newRequest    func() proto.Message
	newResponse   func() proto.Message
	namespaceWide bool // deletes or reconfigures a whole namespace
}

// fuzzFixture is the live server the fuzz inputs run against.
type fuzzFixture struct {
	conn    *grpc.ClientConn
	watch   *handlerWatch
	methods []fuzzMethod
	pools   fuzzPools
}

// startFuzzServer starts an engine on an in-memory SQLite store behind the
// frontend's gRPC handlers on an in-process connection, and seeds it.
func startFuzzServer(f *testing.F) *fuzzFixture {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	st, err := sqlite.Open(ctx, ":memory:", sqlite.Options{Logger: logger})
	if err != nil {
		f.Fatalf("opening the store: %v", err)
	}
	eng, err := engine.New(engine.Config{Store: st, Logger: logger})
	if err != nil {
		f.Fatalf("creating the engine: %v", err)
	}
	if err := eng.Start(ctx); err != nil {
		f.Fatalf("starting the engine: %v", err)
	}
	watch := newHandlerWatch()
	g := grpc.NewServer(grpc.MaxRecvMsgSize(16<<20), grpc.ChainUnaryInterceptor(watch.intercept, toStatus))
	workflowservice.RegisterWorkflowServiceServer(g, frontend.NewHandler(eng, frontend.DefaultLimits(), "fuzz"))
	operatorservice.RegisterOperatorServiceServer(g, frontend.NewOperatorHandler(eng, frontend.DefaultLimits()))
	lis := bufconn.Listen(1 << 20)
	served := make(chan error, 1)
	go func() { served <- g.Serve(lis) }()
	conn, err := grpc.NewClient("passthrough:///fuzz",
		grpc.WithContextDialer(func(ctx context.Context, _ string) (net.Conn, error) { return lis.DialContext(ctx) }),
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(128<<20), grpc.MaxCallSendMsgSize(16<<20)))
	if err != nil {
		f.Fatalf("dialing the fuzz server: %v", err)
	}
	f.Cleanup(func() {
		_ = conn.Close()
		eng.Stop()
		g.Stop()
		<-served
		_ = st.Close()
	})
	fx := &fuzzFixture{conn: conn, watch: watch, methods: fuzzMethods(f)}
	fx.pools = seedFuzzServer(f, workflowservice.NewWorkflowServiceClient(conn))
	return fx
}

// toStatus turns the engine's serviceerror values into gRPC statuses, as the
// server package does.
func toStatus(ctx context.Context, req any, _ *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (any, error) {
	resp, err := handler(ctx, req)
	if err != nil {
		if _, ok := status.FromError(err); !ok {
			return resp, serviceerror.ToStatus(err).Err()
		}
	}
	return resp, err
}

// fuzzMethods lists every RPC of both services from their descriptors, so an
// RPC added to the API is fuzzed without touching this test.
func fuzzMethods(f *testing.F) []fuzzMethod {
	var out []fuzzMethod
	for _, sd := range []protoreflect.ServiceDescriptor{
		workflowservice.File_temporal_api_workflowservice_v1_service_proto.Services().ByName("WorkflowService"),
		operatorservice.File_temporal_api_operatorservice_v1_service_proto.Services().ByName("OperatorService"),
	} {
		for i := 0; i < sd.Methods().Len(); i++ {
			md := sd.Methods().Get(i)
			if md.IsStreamingClient() || md.IsStreamingServer() {
				continue
			}
			in, err := protoregistry.GlobalTypes.FindMessageByName(md.Input().FullName())
			if err != nil {
				f.Fatalf("request type of %s: %v", md.FullName(), err)
			}
			outType, err := protoregistry.GlobalTypes.FindMessageByName(md.Output().FullName())
			if err != nil {
				f.Fatalf("response type of %s: %v", md.FullName(), err)
			}
			out = append(out, fuzzMethod{
				name:          fmt.Sprintf("/%s/%s", sd.FullName(), md.Name()),
				newRequest:    func() proto.Message { return in.New().Interface() },
				newResponse:   func() proto.Message { return outType.New().Interface() },
				namespaceWide: md.Name() == "DeleteNamespace" || md.Name() == "UpdateNamespace" || md.Name() == "DeprecateNamespace",
			})
		}
	}
	return out
}

// steerAwayFromSeededNamespace points a namespace-wide call that names the
// seeded namespace at the spare one instead.
func steerAwayFromSeededNamespace(m protoreflect.Message, seeded string) {
	fd := m.Descriptor().Fields().ByName("namespace")
	if fd != nil && fd.Kind() == protoreflect.StringKind && m.Get(fd).String() == seeded {
		m.Set(fd, protoreflect.ValueOfString(fuzzSpareNamespace))
	}
}

// call sends raw as m's request and checks how the server answered.
func (fx *fuzzFixture) call(t *testing.T, m fuzzMethod, raw []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), fuzzCallTimeout)
	defer cancel()
	started := time.Now()
	err := fx.conn.Invoke(ctx, m.name, rawRequest(raw), m.newResponse(), grpc.ForceCodec(rawCodec{}))
	if took := time.Since(started); took > fuzzCallTimeout+fuzzHangMargin {
		t.Fatalf("%s answered after %v (deadline %v)", m.name, took, fuzzCallTimeout)
	}
	if p := fx.watch.panicked(); p != "" {
		t.Fatalf("a handler panicked: %s", p)
	}
	if hung := fx.watch.runningLongerThan(fuzzCallTimeout + fuzzHangMargin); len(hung) > 0 {
		t.Fatalf("handlers still running long past their deadline: %s", strings.Join(hung, ", "))
	}
	if err == nil {
		return
	}
	st, ok := status.FromError(err)
	switch {
	case !ok:
		t.Fatalf("%s: error is not a gRPC status: %v", m.name, err)
	case st.Code() == codes.Unknown:
		t.Fatalf("%s: error with code Unknown (want a proper status): %v", m.name, err)
	case st.Code() == codes.Internal && !strings.Contains(st.Message(), "unmarshal"):
		t.Fatalf("%s: Internal error for a client's request: %v", m.name, err)
	}
}

// rawRequest is an already encoded request.
type rawRequest []byte

// rawCodec sends rawRequest bytes as they are (they may hold invalid UTF-8 the
// protobuf encoder would refuse) and decodes responses as protobuf.
type rawCodec struct{}

func (rawCodec) Marshal(v any) ([]byte, error) {
	raw, ok := v.(rawRequest)
	if !ok {
		return nil, fmt.Errorf("rawCodec sends rawRequest, not %T", v)
	}
	return raw, nil
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	m, ok := v.(proto.Message)
	if !ok {
		return fmt.Errorf("rawCodec decodes protobuf messages, not %T", v)
	}
	return proto.Unmarshal(data, m)
}

func (rawCodec) Name() string { return "proto" }

// handlerWatch records panics in handlers and which handlers are running since
// when, so the fuzz test sees a handler that outlives its deadline.
type handlerWatch struct {
	mu      sync.Mutex
	next    int
	running map[int]runningCall
	panic   string
}

type runningCall struct {
	method  string
	started time.Time
}

func newHandlerWatch() *handlerWatch { return &handlerWatch{running: map[int]runningCall{}} }

func (w *handlerWatch) intercept(ctx context.Context, req any, info *grpc.UnaryServerInfo, handler grpc.UnaryHandler) (resp any, err error) {
	w.mu.Lock()
	id := w.next
	w.next++
	w.running[id] = runningCall{method: info.FullMethod, started: time.Now()}
	w.mu.Unlock()
	defer func() {
		w.mu.Lock()
		delete(w.running, id)
		w.mu.Unlock()
	}()
	defer func() {
		if r := recover(); r != nil {
			w.mu.Lock()
			w.panic = fmt.Sprintf("%s: %v\n%s\nrequest: %v", info.FullMethod, r, debug.Stack(), req)
			w.mu.Unlock()
			err = status.Errorf(codes.Internal, "handler panicked: %v", r)
		}
	}()
	return handler(ctx, req)
}

func (w *handlerWatch) panicked() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.panic
}

func (w *handlerWatch) runningLongerThan(d time.Duration) []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	var out []string
	for _, c := range w.running {
		if took := time.Since(c.started); took > d {
			out = append(out, fmt.Sprintf("%s (%v)", c.method, took.Round(time.Millisecond)))
		}
	}
	return out
}

// seedFuzzServer gives the server something to find: three running workflows,
// one with a started activity, one with a started workflow task, and a spare
// namespace; it returns the names, ids and task tokens to draw values from.
func seedFuzzServer(f *testing.F, c workflowservice.WorkflowServiceClient) fuzzPools {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	const ns, queue = "default", "fuzz-queue"
	pools := fuzzPools{namespace: ns, taskQueue: queue, workflowIDs: []string{"fuzz-wf-missing"}, runIDs: []string{"00000000-0000-0000-0000-000000000000"}}
	pools.strings = append(pools.strings, ns, fuzzSpareNamespace, queue, "fuzz-type", "fuzz-activity", "signal", "query", "update",
		"WorkflowType = 'fuzz-type'", "ExecutionStatus = 'Running' ORDER BY StartTime DESC", "WorkflowId = 'fuzz-wf-0' AND",
		"CustomKeywordField = 'x'", "fuzz-wf-missing", "00000000-0000-0000-0000-000000000000", "a1", "1")
	if _, err := c.RegisterNamespace(ctx, &workflowservice.RegisterNamespaceRequest{
		Namespace: fuzzSpareNamespace, WorkflowExecutionRetentionPeriod: durationpb.New(24 * time.Hour),
	}); err != nil {
		f.Fatalf("registering %s: %v", fuzzSpareNamespace, err)
	}
	for i := range 3 {
		id := fmt.Sprintf("fuzz-wf-%d", i)
		resp, err := c.StartWorkflowExecution(ctx, &workflowservice.StartWorkflowExecutionRequest{
			Namespace: ns, WorkflowId: id, RequestId: id,
			WorkflowType: &commonpb.WorkflowType{Name: "fuzz-type"},
			TaskQueue:    &taskqueuepb.TaskQueue{Name: queue},
		})
		if err != nil {
			f.Fatalf("starting %s: %v", id, err)
		}
		pools.strings = append(pools.strings, id, resp.RunId)
		pools.workflowIDs = append(pools.workflowIDs, id)
		pools.runIDs = append(pools.runIDs, resp.RunId)
	}
	poll := func() []byte {
		resp, err := c.PollWorkflowTaskQueue(ctx, &workflowservice.PollWorkflowTaskQueueRequest{
			Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: queue}, Identity: "fuzz-seed",
		})
		if err != nil || len(resp.TaskToken) == 0 {
			f.Fatalf("polling a workflow task: %v (token %q)", err, resp.GetTaskToken())
		}
		return resp.TaskToken
	}
	completed := poll()
	if _, err := c.RespondWorkflowTaskCompleted(ctx, &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: ns, TaskToken: completed, Identity: "fuzz-seed",
		Commands: []*commandpb.Command{{
			CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
			Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
				ActivityId: "a1", ActivityType: &commonpb.ActivityType{Name: "fuzz-activity"},
				TaskQueue: &taskqueuepb.TaskQueue{Name: queue}, StartToCloseTimeout: durationpb.New(time.Hour),
			}},
		}},
	}); err != nil {
		f.Fatalf("scheduling the seed activity: %v", err)
	}
	act, err := c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{
		Namespace: ns, TaskQueue: &taskqueuepb.TaskQueue{Name: queue}, Identity: "fuzz-seed",
	})
	if err != nil || len(act.TaskToken) == 0 {
		f.Fatalf("polling the seed activity: %v", err)
	}
	pools.tokens = [][]byte{completed, act.TaskToken, poll()}
	return pools
}
