package main

import (
	"bufio"
	"bytes"
	"context"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/sundialdev/sundial/client"
	"github.com/sundialdev/sundial/examples/order/orders"
	enumspb "go.temporal.io/api/enums/v1"
	historypb "go.temporal.io/api/history/v1"
)

// The example runs the order on an embedded engine and prints its receipt.
func Example() {
	if err := run(context.Background(), nil, os.Stdout, io.Discard); err != nil {
		panic(err)
	}
	// Output: Order 1001: Transaction-99.99
}

func TestChargeIsRetriedThenEveryStepRunsOnce(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	logger := slog.New(slog.DiscardHandler)
	srv, err := startEngine(ctx, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer stopEngine(srv, logger)
	c, err := client.Dial(ctx, client.Options{HostPort: srv.Addr(), Logger: logger})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	w, err := startWorker(c, logger)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Stop()

	receipt, err := processOrder(ctx, c, orders.Order{ID: "42", Amount: 12.5, Email: "a@example.com"})
	if err != nil {
		t.Fatal(err)
	}
	if receipt != "Order 42: Transaction-12.50" {
		t.Fatalf("receipt = %q", receipt)
	}

	// History records each activity once, in order; the charge's started event shows
	// the attempt that succeeded and the failure of the one before it.
	var started []*historypb.HistoryEvent
	var scheduled []string
	for _, e := range history(t, ctx, c, "order-42") {
		switch e.GetEventType() {
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_SCHEDULED:
			scheduled = append(scheduled, e.GetActivityTaskScheduledEventAttributes().GetActivityType().GetName())
		case enumspb.EVENT_TYPE_ACTIVITY_TASK_STARTED:
			started = append(started, e)
		}
	}
	want := []string{"ChargeCard", "UpdateInventory", "SendConfirmationEmail", "ArrangeShipment"}
	if strings.Join(scheduled, ",") != strings.Join(want, ",") {
		t.Fatalf("activities scheduled = %v, want %v", scheduled, want)
	}
	charge := started[0].GetActivityTaskStartedEventAttributes()
	if charge.GetAttempt() != orders.PaymentOutageAttempts+1 {
		t.Fatalf("charge succeeded on attempt %d, want %d", charge.GetAttempt(), orders.PaymentOutageAttempts+1)
	}
	if msg := charge.GetLastFailure().GetMessage(); !strings.Contains(msg, "payment API unavailable") {
		t.Fatalf("last failure before the charge succeeded = %q", msg)
	}
	for _, e := range started[1:] {
		if a := e.GetActivityTaskStartedEventAttributes().GetAttempt(); a != 1 {
			t.Fatalf("a later step ran %d attempts", a)
		}
	}
}

func history(t *testing.T, ctx context.Context, c *client.Client, workflowID string) []*historypb.HistoryEvent {
	t.Helper()
	var events []*historypb.HistoryEvent
	for e, err := range c.GetWorkflowHistory(ctx, workflowID, "") {
		if err != nil {
			t.Fatal(err)
		}
		events = append(events, e)
	}
	return events
}

// TestAgainstSundialServerProcess runs the example against a `sundial server` process
// built from ./cmd/sundial, with its database in a temporary file.
func TestAgainstSundialServerProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the sundial binary")
	}
	dir := t.TempDir()
	binary := filepath.Join(dir, "sundial")
	build := exec.Command("go", "build", "-o", binary, "github.com/sundialdev/sundial/cmd/sundial")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("building sundial: %v\n%s", err, out)
	}
	addr := startServerProcess(t, binary, filepath.Join(dir, "sundial.db"))

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"-server", addr, "-id", "7"}, &stdout, &stderr); err != nil {
		t.Fatalf("run: %v\n%s", err, stderr.String())
	}
	if got := stdout.String(); got != "Order 7: Transaction-99.99\n" {
		t.Fatalf("output = %q", got)
	}
}

var listenAddr = regexp.MustCompile(`listening on (\S+)`)

// startServerProcess starts `sundial server` on a free port and returns its address
// once it logged it; the process is interrupted when the test ends.
func startServerProcess(t *testing.T, binary, db string) string {
	t.Helper()
	cmd := exec.Command(binary, "server", "--listen", "127.0.0.1:0", "--db", db, "--log-level", "info")
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("starting sundial server: %v", err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	found := make(chan string, 1)
	go func() {
		scanner := bufio.NewScanner(stderr)
		sent := false
		for scanner.Scan() { // read to the end so the process never blocks on its log
			if m := listenAddr.FindStringSubmatch(scanner.Text()); m != nil && !sent {
				found <- strings.Trim(m[1], `"`)
				sent = true
			}
		}
	}()
	select {
	case addr := <-found:
		return addr
	case <-time.After(30 * time.Second):
		t.Fatal("sundial server did not report its address within 30s")
		return ""
	}
}
