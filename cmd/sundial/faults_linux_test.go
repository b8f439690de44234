//go:build linux

package main

// The storage fault suite: a real `sundial server` subprocess on a file system
// the test breaks (a full tmpfs, a deleted or damaged database file).

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	commandpb "go.temporal.io/api/command/v1"
	commonpb "go.temporal.io/api/common/v1"
	enumspb "go.temporal.io/api/enums/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	healthpb "google.golang.org/grpc/health/grpc_health_v1"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

var (
	buildOnce sync.Once
	binPath   string
	buildErr  error
)

// sundialBinary builds the command once per test binary.
func sundialBinary(t *testing.T) string {
	t.Helper()
	buildOnce.Do(func() {
		dir, err := os.MkdirTemp("", "sundial-faults-bin")
		if err != nil {
			buildErr = err
			return
		}
		binPath = filepath.Join(dir, "sundial")
		out, err := exec.Command("go", "build", "-o", binPath, ".").CombinedOutput()
		if err != nil {
			buildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if buildErr != nil {
		t.Fatal(buildErr)
	}
	return binPath
}

// cannotSetUp ends a test whose fault cannot be staged on this machine: under
// CI (which runs as root and has what these tests need) that is a failure;
// elsewhere the test is skipped with the reason printed.
func cannotSetUp(t *testing.T, format string, args ...any) {
	t.Helper()
	if os.Getenv("CI") != "" {
		t.Fatalf("cannot stage the fault under CI: "+format, args...)
	}
	t.Skipf("skipping: "+format, args...)
}

// smallTmpfs mounts a tmpfs of sizeMB megabytes, or ends the test (see
// cannotSetUp) when this process may not.
func smallTmpfs(t *testing.T, sizeMB int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		cannotSetUp(t, "mounting a small tmpfs needs root (euid %d)", os.Geteuid())
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", fmt.Sprintf("size=%dm", sizeMB), "tmpfs", dir).CombinedOutput(); err != nil {
		cannotSetUp(t, "cannot mount a tmpfs: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// lockedBuffer collects a subprocess's log; waitFor blocks until a line
// arrives.
type lockedBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed and replaced at every write
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.written != nil {
		close(b.written)
		b.written = nil
	}
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// waitFor reports whether the log contains substr within timeout, waking at
// each write rather than polling.
func (b *lockedBuffer) waitFor(substr string, timeout time.Duration) bool {
	expired := time.After(timeout)
	for {
		b.mu.Lock()
		if strings.Contains(b.buf.String(), substr) {
			b.mu.Unlock()
			return true
		}
		if b.written == nil {
			b.written = make(chan struct{})
		}
		written := b.written
		b.mu.Unlock()
		select {
		case <-written:
		case <-expired:
			return false
		}
	}
}

// faultServer is one running `sundial server`.
type faultServer struct {
	t      *testing.T
	cmd    *exec.Cmd
	log    *lockedBuffer
	addr   string
	conn   *grpc.ClientConn
	c      workflowservice.WorkflowServiceClient
	health healthpb.HealthClient
	exited chan error
}

func freeAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().String()
}

// startFaultServer starts the server on db; it fails the test unless it
// serves within 30 s.
func startFaultServer(t *testing.T, db string) *faultServer {
	t.Helper()
	s := launch(t, db)
	serving := make(chan error, 1)
	go func() { serving <- s.waitHealth(healthpb.HealthCheckResponse_SERVING, 30*time.Second) }()
	select {
	case err := <-s.exited:
		t.Fatalf("server exited at start: %v\n%s", err, s.log)
	case err := <-serving:
		if err != nil {
			t.Fatalf("server not serving after 30s: %v\n%s", err, s.log)
		}
	}
	return s
}

// waitHealth follows the server's health (a Watch stream, which also waits
// for the server to accept connections) until it reports want.
func (s *faultServer) waitHealth(want healthpb.HealthCheckResponse_ServingStatus, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	stream, err := s.health.Watch(ctx, &healthpb.HealthCheckRequest{}, grpc.WaitForReady(true))
	if err != nil {
		return err
	}
	for {
		resp, err := stream.Recv()
		if err != nil {
			return fmt.Errorf("waiting for health %v: %w", want, err)
		}
		if resp.Status == want {
			return nil
		}
	}
}

func launch(t *testing.T, db string) *faultServer {
	t.Helper()
	s := &faultServer{t: t, log: &lockedBuffer{}, addr: freeAddr(t), exited: make(chan error, 1)}
	s.cmd = exec.Command(sundialBinary(t), "server", "--listen", s.addr, "--db", db, "--no-ui")
	s.cmd.Stdout, s.cmd.Stderr = s.log, s.log
	if err := s.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { s.exited <- s.cmd.Wait() }()
	conn, err := grpc.NewClient(s.addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatal(err)
	}
	s.conn, s.c, s.health = conn, workflowservice.NewWorkflowServiceClient(conn), healthpb.NewHealthClient(conn)
	t.Cleanup(s.kill)
	return s
}

// stop ends the server with SIGTERM and waits.
func (s *faultServer) stop() {
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.exited:
	case <-time.After(20 * time.Second):
		s.t.Errorf("server did not stop on SIGTERM\n%s", s.log)
		_ = s.cmd.Process.Kill()
	}
	s.exited <- nil // keep kill from waiting
}

func (s *faultServer) kill() {
	_ = s.conn.Close()
	_ = s.cmd.Process.Kill()
	select {
	case <-s.exited:
	case <-time.After(5 * time.Second):
	}
}

// cpuSeconds is the CPU time the server process used so far.
func (s *faultServer) cpuSeconds() float64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", s.cmd.Process.Pid))
	if err != nil {
		s.t.Fatal(err)
	}
	f := strings.Fields(string(b[bytes.LastIndexByte(b, ')')+2:]))
	utime, _ := strconv.ParseFloat(f[11], 64)
	stime, _ := strconv.ParseFloat(f[12], 64)
	return (utime + stime) / 100 // clock ticks; 100 Hz on Linux
}

func (s *faultServer) healthStatus() healthpb.HealthCheckResponse_ServingStatus {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	resp, err := s.health.Check(ctx, &healthpb.HealthCheckRequest{})
	if err != nil {
		return healthpb.HealthCheckResponse_UNKNOWN
	}
	return resp.Status
}

func rpcCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func textPayloads(s string) *commonpb.Payloads {
	return &commonpb.Payloads{Payloads: []*commonpb.Payload{{Metadata: map[string][]byte{"encoding": []byte("json/plain")}, Data: []byte(strconv.Quote(s))}}}
}

// startWithActivity starts workflow id and completes its first workflow task
// with one activity (at most maxAttempts attempts).
func (s *faultServer) startWithActivity(id string, maxAttempts int32) {
	t := s.t
	t.Helper()
	_, err := s.c.StartWorkflowExecution(rpcCtx(t), &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "W"},
		TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, Input: textPayloads("marker-" + id), RequestId: "r-" + id,
	})
	if err != nil {
		t.Fatalf("start %s: %v", id, err)
	}
	wft, err := s.c.PollWorkflowTaskQueue(rpcCtx(t), &workflowservice.PollWorkflowTaskQueueRequest{Namespace: "default", TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}})
	if err != nil || len(wft.TaskToken) == 0 {
		t.Fatalf("poll workflow task: %v", err)
	}
	_, err = s.c.RespondWorkflowTaskCompleted(rpcCtx(t), &workflowservice.RespondWorkflowTaskCompletedRequest{
		Namespace: "default", TaskToken: wft.TaskToken,
		Commands: []*commandpb.Command{{
			CommandType: enumspb.COMMAND_TYPE_SCHEDULE_ACTIVITY_TASK,
			Attributes: &commandpb.Command_ScheduleActivityTaskCommandAttributes{ScheduleActivityTaskCommandAttributes: &commandpb.ScheduleActivityTaskCommandAttributes{
				ActivityId: "a1", ActivityType: &commonpb.ActivityType{Name: "A"}, TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"},
				StartToCloseTimeout: durationpb.New(time.Minute),
				RetryPolicy:         &commonpb.RetryPolicy{MaximumAttempts: maxAttempts},
			}},
		}},
	})
	if err != nil {
		t.Fatalf("complete workflow task: %v", err)
	}
}

// pollActivity polls briefly and returns the task token, nil if none came.
func (s *faultServer) pollActivity(wait time.Duration) []byte {
	ctx, cancel := context.WithTimeout(context.Background(), wait)
	defer cancel()
	resp, err := s.c.PollActivityTaskQueue(ctx, &workflowservice.PollActivityTaskQueueRequest{Namespace: "default", TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}})
	if err != nil {
		return nil
	}
	return resp.TaskToken
}

// fillDisk writes a file until the file system is full.
func fillDisk(t *testing.T, path string) {
	t.Helper()
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	chunk := make([]byte, 64<<10)
	for {
		if _, err := f.Write(chunk); err != nil {
			return
		}
	}
}

// TestStorageFault01FullDiskBoundsActivitiesAndRecovers covers items 1, 2
// and 5 on a real full disk: while commits fail, the activity is not handed
// out again, the server's CPU stays low and health says NOT_SERVING; after
// space is freed the server recovers by itself and health says SERVING.
func TestStorageFault01FullDiskBoundsActivitiesAndRecovers(t *testing.T) {
	dir := smallTmpfs(t, 16)
	s := startFaultServer(t, filepath.Join(dir, "sundial.db"))
	s.startWithActivity("full", 2)
	token := s.pollActivity(5 * time.Second)
	if token == nil {
		t.Fatal("no activity task")
	}
	fillDisk(t, filepath.Join(dir, "filler"))
	big := textPayloads(strings.Repeat("x", 1500<<10)) // needs new WAL space
	cpuBefore, began := s.cpuSeconds(), time.Now()
	handedOut, failed := 0, 0
	for time.Since(began) < 6*time.Second {
		_, err := s.c.RespondActivityTaskCompleted(rpcCtx(t), &workflowservice.RespondActivityTaskCompletedRequest{
			Namespace: "default", TaskToken: token, Result: big,
		})
		if err == nil {
			t.Fatalf("a 1.5 MiB completion committed on a full disk\n%s", s.log)
		}
		if status.Code(err) == codes.Unavailable {
			failed++
		}
		if s.pollActivity(1200*time.Millisecond) != nil {
			handedOut++
		}
	}
	cpu := (s.cpuSeconds() - cpuBefore) / time.Since(began).Seconds()
	st := s.healthStatus()
	t.Logf("full disk for %v: %d failed completions, activity handed out again %d times, server CPU %.1f%%, health %v",
		time.Since(began).Round(time.Millisecond), failed, handedOut, cpu*100, st)
	if handedOut > 0 {
		t.Errorf("the activity (MaximumAttempts 2, still running) was handed out again %d times while commits failed", handedOut)
	}
	if cpu > 0.3 {
		t.Errorf("server used %.0f%% CPU while the disk was full", cpu*100)
	}
	if st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health during the full disk = %v, want NOT_SERVING", st)
	}
	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	if err := s.waitHealth(healthpb.HealthCheckResponse_SERVING, 45*time.Second); err != nil {
		t.Fatalf("health not SERVING 45s after space was freed: %v\n%s", err, s.log)
	}
	if _, err := s.c.RespondActivityTaskCompleted(rpcCtx(t), &workflowservice.RespondActivityTaskCompletedRequest{
		Namespace: "default", TaskToken: token, Result: textPayloads("done"),
	}); err != nil {
		t.Fatalf("the worker's retried completion after recovery: %v", err)
	}
	if n := strings.Count(s.log.String(), "cannot commit"); n != 1 {
		t.Errorf("the outage was logged %d times at ERROR, want once", n)
	}
}

// TestStorageFault04CorruptionIsDataLossAndRefusedAtStart: a damaged history
// page answers DataLoss (not Unavailable) with a log line; a restart refuses
// the damaged database with what to do; sundial check reports it.
func TestStorageFault04CorruptionIsDataLossAndRefusedAtStart(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sundial.db")
	s := startFaultServer(t, db)
	s.startWithActivity("victim", 1)
	s.stop()
	s = startFaultServer(t, db)
	// Damage the page holding the run's history, under the running server.
	data, err := os.ReadFile(db)
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.OpenFile(db, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	damaged := 0
	for from := 0; ; {
		at := bytes.Index(data[from:], []byte("marker-victim"))
		if at < 0 {
			break
		}
		page := (from + at) / 4096 * 4096
		if _, err := f.WriteAt(bytes.Repeat([]byte{0xEE}, 64), int64(page)); err != nil {
			t.Fatal(err)
		}
		damaged++
		from = page + 4096
	}
	f.Close()
	if damaged == 0 {
		t.Fatal("history marker not found in the database file")
	}
	// No write may come first: in a database this small it would put a fresh
	// copy of the damaged page in the WAL, which readers prefer.
	_, err = s.c.GetWorkflowExecutionHistory(rpcCtx(t), &workflowservice.GetWorkflowExecutionHistoryRequest{
		Namespace: "default", Execution: &commonpb.WorkflowExecution{WorkflowId: "victim"},
	})
	if status.Code(err) != codes.DataLoss {
		t.Errorf("history of a damaged page: %v, want DataLoss", err)
	}
	// The server's log reaches the test through a pipe: wait for the line.
	if !s.log.waitFor("damaged data in the database", 10*time.Second) {
		t.Errorf("no log line for the damaged data\n%s", s.log)
	}
	s.kill()
	s = launch(t, db)
	select {
	case err := <-s.exited:
		if err == nil || !strings.Contains(s.log.String(), "sundial check") {
			t.Errorf("start on a damaged database: exit %v, log:\n%s", err, s.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server started on a damaged database\n%s", s.log)
	}
	var out, errOut bytes.Buffer
	if code := run(context.Background(), []string{"check", "--db", db}, &out, &errOut); code != exitFailure {
		t.Errorf("sundial check on a damaged database: exit %d, output %s%s", code, out.String(), errOut.String())
	}
}

// TestStorageFault06DeletedDatabaseStopsWrites: a database file deleted
// under the server is noticed: logged, health NOT_SERVING, writes refused.
func TestStorageFault06DeletedDatabaseStopsWrites(t *testing.T) {
	db := filepath.Join(t.TempDir(), "sundial.db")
	s := startFaultServer(t, db)
	for _, suffix := range []string{"", "-wal", "-shm"} {
		_ = os.Remove(db + suffix)
	}
	if !s.log.waitFor("deleted or replaced", 20*time.Second) {
		t.Fatalf("deleting the database went unnoticed\n%s", s.log)
	}
	if st := s.healthStatus(); st != healthpb.HealthCheckResponse_NOT_SERVING {
		t.Errorf("health = %v, want NOT_SERVING", st)
	}
	_, err := s.c.StartWorkflowExecution(rpcCtx(t), &workflowservice.StartWorkflowExecutionRequest{
		Namespace: "default", WorkflowId: "lost", WorkflowType: &commonpb.WorkflowType{Name: "W"},
		TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: "r-lost",
	})
	if err == nil {
		t.Error("a start was acknowledged after the database file was deleted")
	}
}

// TestStorageFault07MissingDatabaseNotSilentlyRecreated: a new database is
// announced at WARN with its path; a -wal without its database is refused.
func TestStorageFault07MissingDatabaseNotSilentlyRecreated(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "sundial.db")
	s := startFaultServer(t, db)
	if !strings.Contains(s.log.String(), "creating a new, empty database") || !strings.Contains(s.log.String(), db) {
		t.Errorf("creating a database was not logged with its path\n%s", s.log)
	}
	s.stop()
	orphan := filepath.Join(dir, "gone.db")
	if err := os.WriteFile(orphan+"-wal", []byte("x"), 0o600); err != nil {
		t.Fatal(err)
	}
	s = launch(t, orphan)
	select {
	case err := <-s.exited:
		if err == nil || !strings.Contains(s.log.String(), "but not its database") {
			t.Errorf("start with an orphaned -wal: exit %v, log:\n%s", err, s.log)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("server started over an orphaned -wal\n%s", s.log)
	}
}
