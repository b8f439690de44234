package timeskip

import (
	"context"
	"net"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protowire"
	"google.golang.org/protobuf/types/known/emptypb"
)

// serveTestService serves c's TestService on a loopback port and returns a
// client connection to it.
func serveTestService(t *testing.T, c *Controller) *grpc.ClientConn {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("listening: %v", err)
	}
	g := grpc.NewServer()
	if err := RegisterTestService(g, c); err != nil {
		t.Fatalf("RegisterTestService: %v", err)
	}
	go func() { _ = g.Serve(lis) }()
	t.Cleanup(g.Stop)
	conn, err := grpc.NewClient(lis.Addr().String(), grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	return conn
}

func newTestClient(t *testing.T, conn *grpc.ClientConn) *Client {
	t.Helper()
	cl, err := NewClient(conn)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return cl
}

func wantCode(t *testing.T, err error, code codes.Code) {
	t.Helper()
	if got := status.Code(err); got != code {
		t.Fatalf("error %v has code %v, want %v", err, got, code)
	}
}

func TestTestServiceLockAndUnlock(t *testing.T) {
	c, _ := startController(t, 1)
	cl := newTestClient(t, serveTestService(t, c))
	ctx := context.Background()

	if err := cl.LockTimeSkipping(ctx); err != nil {
		t.Fatalf("LockTimeSkipping: %v", err)
	}
	if got := c.Locks(); got != 2 {
		t.Fatalf("Locks() = %d after LockTimeSkipping, want 2", got)
	}
	for range 2 {
		if err := cl.UnlockTimeSkipping(ctx); err != nil {
			t.Fatalf("UnlockTimeSkipping: %v", err)
		}
	}
	if got := c.Locks(); got != 0 {
		t.Fatalf("Locks() = %d, want 0", got)
	}
	wantCode(t, cl.UnlockTimeSkipping(ctx), codes.FailedPrecondition)
}

func TestTestServiceGetCurrentTime(t *testing.T) {
	c, _ := startController(t, 1)
	cl := newTestClient(t, serveTestService(t, c))
	got, err := cl.CurrentTime(context.Background())
	if err != nil {
		t.Fatalf("GetCurrentTime: %v", err)
	}
	if d := got.Sub(epoch); d < 0 || d > 5*time.Second {
		t.Fatalf("GetCurrentTime = %v, want about %v", got, epoch)
	}
}

func TestTestServiceUnlockTimeSkippingWithSleep(t *testing.T) {
	c, _ := startController(t, 1)
	cl := newTestClient(t, serveTestService(t, c))
	ctx := context.Background()
	before, _ := cl.CurrentTime(ctx)
	start := time.Now()
	if err := cl.UnlockTimeSkippingWithSleep(ctx, 10*24*time.Hour); err != nil {
		t.Fatalf("UnlockTimeSkippingWithSleep: %v", err)
	}
	if waited := time.Since(start); waited > 2*time.Second {
		t.Fatalf("a skipped 10-day sleep took %v of wall time", waited)
	}
	after, _ := cl.CurrentTime(ctx)
	if d := after.Sub(before); d < 10*24*time.Hour || d > 10*24*time.Hour+5*time.Second {
		t.Fatalf("time advanced %v, want 10 days", d)
	}
	if got := c.Locks(); got != 1 {
		t.Fatalf("Locks() = %d after UnlockTimeSkippingWithSleep, want 1", got)
	}

	if err := cl.UnlockTimeSkipping(ctx); err != nil {
		t.Fatalf("UnlockTimeSkipping: %v", err)
	}
	wantCode(t, cl.UnlockTimeSkippingWithSleep(ctx, time.Hour), codes.FailedPrecondition)
}

func TestTestServiceSleepAndSleepUntil(t *testing.T) {
	c, _ := startController(t, 0)
	cl := newTestClient(t, serveTestService(t, c))
	ctx := context.Background()

	before, _ := cl.CurrentTime(ctx)
	if err := cl.Sleep(ctx, 5*time.Hour); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	after, _ := cl.CurrentTime(ctx)
	if d := after.Sub(before); d < 5*time.Hour {
		t.Fatalf("Sleep(5h) returned after %v of clock time", d)
	}
	if c.Locks() != 0 {
		t.Fatalf("Sleep changed the lock counter to %d", c.Locks())
	}

	target := after.Add(3 * 24 * time.Hour)
	if err := cl.SleepUntil(ctx, target); err != nil {
		t.Fatalf("SleepUntil: %v", err)
	}
	if now, _ := cl.CurrentTime(ctx); now.Before(target) {
		t.Fatalf("SleepUntil returned at %v, before %v", now, target)
	}
	if err := cl.SleepUntil(ctx, before); err != nil {
		t.Fatalf("SleepUntil in the past: %v", err)
	}
	wantCode(t, cl.Sleep(ctx, -time.Second), codes.InvalidArgument)
}

func TestTestServiceSleepWhileLockedHonoursDeadline(t *testing.T) {
	c, _ := startController(t, 1)
	cl := newTestClient(t, serveTestService(t, c))
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	err := cl.Sleep(ctx, time.Hour)
	if code := status.Code(err); code != codes.DeadlineExceeded {
		t.Fatalf("a locked Sleep(1h) with a 50ms deadline = %v, want DeadlineExceeded", err)
	}
	// The abandoned sleep leaves nothing behind to skip to.
	deadline := time.Now().Add(2 * time.Second)
	for c.Clock().PendingTimers() != 0 {
		if time.Now().After(deadline) {
			t.Fatalf("%d timers pending after the sleep was abandoned", c.Clock().PendingTimers())
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestTestServiceWireFormat decodes a response by hand, so that the descriptor
// is checked against the field numbers SDKs use, not against itself.
func TestTestServiceWireFormat(t *testing.T) {
	c, _ := startController(t, 1)
	conn := serveTestService(t, c)
	var raw rawMessage
	if err := conn.Invoke(context.Background(), "/temporal.api.testservice.v1.TestService/GetCurrentTime", &emptypb.Empty{}, &raw, grpc.ForceCodec(rawCodec{})); err != nil {
		t.Fatalf("GetCurrentTime: %v", err)
	}
	// GetCurrentTimeResponse{time = 1: Timestamp{seconds = 1, nanos = 2}}.
	num, typ, n := protowire.ConsumeTag(raw)
	if n < 0 || num != 1 || typ != protowire.BytesType {
		t.Fatalf("response starts with field %d type %d, want field 1 bytes", num, typ)
	}
	inner, m := protowire.ConsumeBytes(raw[n:])
	if m < 0 {
		t.Fatal("malformed time field")
	}
	var seconds uint64
	for len(inner) > 0 {
		num, typ, n := protowire.ConsumeTag(inner)
		if n < 0 || typ != protowire.VarintType {
			t.Fatalf("malformed timestamp field %d type %d", num, typ)
		}
		v, m := protowire.ConsumeVarint(inner[n:])
		if m < 0 {
			t.Fatal("malformed timestamp varint")
		}
		if num == 1 {
			seconds = v
		}
		inner = inner[n+m:]
	}
	if d := int64(seconds) - epoch.Unix(); d < 0 || d > 5 {
		t.Fatalf("time.seconds = %d, want about %d", seconds, epoch.Unix())
	}

	// SleepRequest{duration = 1: Duration{seconds = 1}} of 3 hours, by hand.
	durationBytes := protowire.AppendVarint(protowire.AppendTag(nil, 1, protowire.VarintType), 3*3600)
	sleepReq := rawMessage(protowire.AppendBytes(protowire.AppendTag(nil, 1, protowire.BytesType), durationBytes))
	if err := c.Unlock(); err != nil {
		t.Fatal(err)
	}
	before := c.Now()
	var resp rawMessage
	if err := conn.Invoke(context.Background(), "/temporal.api.testservice.v1.TestService/Sleep", &sleepReq, &resp, grpc.ForceCodec(rawCodec{})); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	if d := c.Now().Sub(before); d < 3*time.Hour {
		t.Fatalf("a hand-encoded Sleep(3h) returned after %v", d)
	}
}

// rawMessage and rawCodec pass message bytes through gRPC untouched.
type rawMessage []byte

type rawCodec struct{}

func (rawCodec) Name() string { return "proto" }

func (rawCodec) Marshal(v any) ([]byte, error) {
	if m, ok := v.(*rawMessage); ok {
		return *m, nil
	}
	return nil, nil // emptypb.Empty encodes to nothing
}

func (rawCodec) Unmarshal(data []byte, v any) error {
	*(v.(*rawMessage)) = append([]byte(nil), data...)
	return nil
}

func TestHoldsTime(t *testing.T) {
	const ws = "/temporal.api.workflowservice.v1.WorkflowService/"
	cases := []struct {
		method string
		req    any
		want   bool
	}{
		{ws + "StartWorkflowExecution", nil, true},
		{ws + "RespondActivityTaskFailed", nil, true},
		{ws + "SignalWorkflowExecution", nil, true},
		{ws + "PollWorkflowTaskQueue", nil, false},
		{ws + "PollActivityTaskQueue", nil, false},
		{ws + "PollWorkflowExecutionUpdate", nil, false},
		{ws + "UpdateWorkflowExecution", nil, false},
		{ws + "ExecuteMultiOperation", nil, false},
		{ws + "GetWorkflowExecutionHistory", &workflowservice.GetWorkflowExecutionHistoryRequest{WaitNewEvent: true}, false},
		{ws + "GetWorkflowExecutionHistory", &workflowservice.GetWorkflowExecutionHistoryRequest{}, true},
		{"/temporal.api.testservice.v1.TestService/Sleep", nil, false},
		{"/grpc.health.v1.Health/Check", nil, false},
	}
	for _, tc := range cases {
		if got := holdsTime(tc.method, tc.req); got != tc.want {
			t.Errorf("holdsTime(%s, %v) = %v, want %v", tc.method, tc.req, got, tc.want)
		}
	}
}
