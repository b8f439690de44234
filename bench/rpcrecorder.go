package main

import (
	"context"
	"path"
	"sync"
	"time"

	"google.golang.org/grpc"
)

// rpcRecorder is a gRPC client interceptor that counts the calls the load process
// makes, per method, and keeps their latencies. Scenarios use it to count
// heartbeats that really reached the server, to know when workflow tasks have been
// answered, and to report round trips per operation.
type rpcRecorder struct {
	mu        sync.Mutex
	changed   *sync.Cond
	counts    map[string]int
	latencies map[string][]time.Duration
}

func newRPCRecorder() *rpcRecorder {
	r := &rpcRecorder{counts: map[string]int{}, latencies: map[string][]time.Duration{}}
	r.changed = sync.NewCond(&r.mu)
	return r
}

// dialOption installs the recorder on a connection.
func (r *rpcRecorder) dialOption() grpc.DialOption {
	return grpc.WithChainUnaryInterceptor(r.intercept)
}

func (r *rpcRecorder) intercept(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, opts ...grpc.CallOption) error {
	start := time.Now()
	err := invoker(ctx, method, req, reply, cc, opts...)
	elapsed := time.Since(start)
	if err == nil {
		r.record(path.Base(method), elapsed)
	}
	return err
}

func (r *rpcRecorder) record(method string, elapsed time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts[method]++
	r.latencies[method] = append(r.latencies[method], elapsed)
	r.changed.Broadcast()
}

// reset forgets every call recorded so far.
func (r *rpcRecorder) reset() {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.counts = map[string]int{}
	r.latencies = map[string][]time.Duration{}
}

// count is the number of successful calls of method (e.g. "StartWorkflowExecution").
func (r *rpcRecorder) count(method string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.counts[method]
}

// total is the number of successful calls of every method except long polls,
// which return only when there is work or the poll times out.
func (r *rpcRecorder) total() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for method, c := range r.counts {
		if !isLongPoll(method) {
			n += c
		}
	}
	return n
}

// latenciesOf returns a copy of the recorded latencies of method.
func (r *rpcRecorder) latenciesOf(method string) []time.Duration {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]time.Duration(nil), r.latencies[method]...)
}

// waitForCount blocks until method has been called successfully at least n times
// or ctx ends.
func (r *rpcRecorder) waitForCount(ctx context.Context, method string, n int) error {
	stop := context.AfterFunc(ctx, func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.changed.Broadcast()
	})
	defer stop()
	r.mu.Lock()
	defer r.mu.Unlock()
	for r.counts[method] < n {
		if err := ctx.Err(); err != nil {
			return err
		}
		r.changed.Wait()
	}
	return nil
}

func isLongPoll(method string) bool {
	switch method {
	case "PollWorkflowTaskQueue", "PollActivityTaskQueue", "PollNexusTaskQueue", "GetWorkflowExecutionHistory":
		// GetWorkflowExecutionHistory is what the SDK long-polls for a result.
		return true
	}
	return false
}
