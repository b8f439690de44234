package main

import (
	"context"
	"net"
	"strconv"
	"testing"
	"time"

	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/sundialdev/sundial/internal/timeskip"
)

func TestIsTestServerCommandLine(t *testing.T) {
	cases := map[string]bool{"7233": true, "0": true, "65535": true, "65536": false, "-1": false, "server": false, "": false}
	for arg, want := range cases {
		if got := isTestServerCommandLine([]string{arg}); got != want {
			t.Errorf("isTestServerCommandLine([%q]) = %v, want %v", arg, got, want)
		}
	}
	if isTestServerCommandLine(nil) {
		t.Error("isTestServerCommandLine(nil) = true")
	}
}

func TestTestServerRejectsUnknownFlags(t *testing.T) {
	code, _, stderr := runForTest(t, context.Background(), "7233", "--fast")
	if code != exitUsage {
		t.Fatalf("exit code = %d, want %d; stderr: %s", code, exitUsage, stderr)
	}
}

// freePort returns a loopback port nothing listens on right now.
func freePort(t *testing.T) string {
	t.Helper()
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("finding a free port: %v", err)
	}
	defer lis.Close()
	return strconv.Itoa(lis.Addr().(*net.TCPAddr).Port)
}

// launchTestServer runs `sundial <port> args...` as an SDK would and waits, as
// they do, until GetSystemInfo answers. It returns a TestService client.
func launchTestServer(t *testing.T, args ...string) *timeskip.Client {
	t.Helper()
	port := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var stderr syncBuffer
	done := make(chan int, 1)
	go func() { done <- run(ctx, append([]string{port}, args...), &syncBuffer{}, &stderr) }()
	t.Cleanup(func() {
		cancel()
		select {
		case code := <-done:
			if code != exitOK {
				t.Errorf("test server exited %d; stderr:\n%s", code, stderr.String())
			}
		case <-time.After(15 * time.Second):
			t.Error("test server did not stop within 15s")
		}
	})
	conn, err := grpc.NewClient("127.0.0.1:"+port, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		t.Fatalf("dialing: %v", err)
	}
	t.Cleanup(func() { _ = conn.Close() })
	svc := workflowservice.NewWorkflowServiceClient(conn)
	deadline := time.Now().Add(10 * time.Second)
	for {
		callCtx, callCancel := context.WithTimeout(context.Background(), time.Second)
		_, err := svc.GetSystemInfo(callCtx, &workflowservice.GetSystemInfoRequest{})
		callCancel()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("GetSystemInfo never answered: %v; stderr:\n%s", err, stderr.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	ts, err := timeskip.NewClient(conn)
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

// unlocksAllowed counts how many UnlockTimeSkipping calls succeed before one is
// refused, then restores the locks.
func unlocksAllowed(t *testing.T, ts *timeskip.Client) int {
	t.Helper()
	ctx := context.Background()
	n := 0
	for ; n < 5; n++ {
		err := ts.UnlockTimeSkipping(ctx)
		if status.Code(err) == codes.FailedPrecondition {
			break
		}
		if err != nil {
			t.Fatalf("UnlockTimeSkipping: %v", err)
		}
	}
	for range n {
		if err := ts.LockTimeSkipping(ctx); err != nil {
			t.Fatalf("LockTimeSkipping: %v", err)
		}
	}
	return n
}

func TestTestServerStartsLockedOnce(t *testing.T) {
	ts := launchTestServer(t)
	if n := unlocksAllowed(t, ts); n != 1 {
		t.Fatalf("%d unlocks allowed, want 1 (the lock SDKs release while awaiting results)", n)
	}
	ctx := context.Background()
	before, err := ts.CurrentTime(ctx)
	if err != nil {
		t.Fatalf("GetCurrentTime: %v", err)
	}
	start := time.Now()
	if err := ts.UnlockTimeSkippingWithSleep(ctx, 24*time.Hour); err != nil {
		t.Fatalf("UnlockTimeSkippingWithSleep: %v", err)
	}
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Fatalf("a skipped day took %v", elapsed)
	}
	if after, _ := ts.CurrentTime(ctx); after.Sub(before) < 24*time.Hour {
		t.Fatalf("time advanced %v, want a day", after.Sub(before))
	}
}

func TestTestServerEnableTimeSkippingStartsUnlocked(t *testing.T) {
	ts := launchTestServer(t, enableTimeSkippingFlag)
	if n := unlocksAllowed(t, ts); n != 0 {
		t.Fatalf("%d unlocks allowed, want 0: --enable-time-skipping releases the initial lock", n)
	}
	ctx := context.Background()
	before, err := ts.CurrentTime(ctx)
	if err != nil {
		t.Fatalf("GetCurrentTime: %v", err)
	}
	if err := ts.Sleep(ctx, 48*time.Hour); err != nil {
		t.Fatalf("Sleep: %v", err)
	}
	if after, _ := ts.CurrentTime(ctx); after.Sub(before) < 48*time.Hour {
		t.Fatalf("time advanced %v during an unlocked Sleep(48h)", after.Sub(before))
	}
}
