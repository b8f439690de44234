package client

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/sundialdev/sundial/metrics"
	enumspb "go.temporal.io/api/enums/v1"
	errordetailspb "go.temporal.io/api/errordetails/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// metricsInterceptor records every call attempt under Temporal's request metrics:
// a count, a latency, and the failures by status code, long polls under their own
// names. It sits after the retry interceptor, so each attempt counts.
func metricsInterceptor(handler metrics.Handler) grpc.UnaryClientInterceptor {
	return func(ctx context.Context, method string, req, reply any, cc *grpc.ClientConn, invoker grpc.UnaryInvoker, callOpts ...grpc.CallOption) error {
		tags := map[string]string{metrics.TagOperation: method[strings.LastIndexByte(method, '/')+1:]}
		if r, ok := req.(interface{ GetNamespace() string }); ok {
			tags[metrics.TagNamespace] = r.GetNamespace()
		}
		if queue := requestTaskQueue(req); queue != "" {
			tags[metrics.TagTaskQueue] = queue
		}
		h := handler.WithTags(tags)
		count, latency, failure, exhausted := metrics.TemporalRequest, metrics.TemporalRequestLatency,
			metrics.TemporalRequestFailure, metrics.TemporalRequestResourceExhausted
		if isLongPoll(req) {
			count, latency, failure, exhausted = metrics.TemporalLongRequest, metrics.TemporalLongRequestLatency,
				metrics.TemporalLongRequestFailure, metrics.TemporalLongRequestResourceExhausted
		}
		h.Counter(count, metrics.Options{Description: "Calls to the server"}).Add(1)
		begin := time.Now()
		err := invoker(ctx, method, req, reply, cc, callOpts...)
		h.Timer(latency, metrics.Options{Description: "Latency of calls to the server"}).Record(time.Since(begin))
		if err == nil {
			return nil
		}
		st := status.Convert(err)
		h.WithTags(map[string]string{metrics.TagStatusCode: statusCodeName(st.Code())}).
			Counter(failure, metrics.Options{Description: "Failed calls to the server"}).Add(1)
		if st.Code() == codes.ResourceExhausted {
			h.WithTags(map[string]string{metrics.TagCause: exhaustedCause(st).String()}).
				Counter(exhausted, metrics.Options{Description: "Calls the server refused as overloaded"}).Add(1)
		}
		return err
	}
}

// requestTaskQueue is the (normal) task queue a request names, "" if none.
func requestTaskQueue(req any) string {
	switch r := req.(type) {
	case interface{ GetTaskQueue() *taskqueuepb.TaskQueue }:
		if q := r.GetTaskQueue(); q.GetNormalName() != "" {
			return q.GetNormalName()
		}
		return r.GetTaskQueue().GetName()
	case interface{ GetTaskQueue() string }:
		return r.GetTaskQueue()
	}
	return ""
}

// isLongPoll reports whether req is a call the server holds open until something
// happens: task polls, history waits, update waits.
func isLongPoll(req any) bool {
	switch r := req.(type) {
	case *workflowservice.PollWorkflowTaskQueueRequest, *workflowservice.PollActivityTaskQueueRequest,
		*workflowservice.PollNexusTaskQueueRequest, *workflowservice.PollWorkflowExecutionUpdateRequest:
		return true
	case *workflowservice.GetWorkflowExecutionHistoryRequest:
		return r.GetWaitNewEvent()
	}
	return false
}

func exhaustedCause(st *status.Status) enumspb.ResourceExhaustedCause {
	for _, d := range st.Details() {
		if f, ok := d.(*errordetailspb.ResourceExhaustedFailure); ok {
			return f.GetCause()
		}
	}
	return enumspb.RESOURCE_EXHAUSTED_CAUSE_UNSPECIFIED
}

// statusCodeName is the canonical upper-case name of a gRPC code, as Temporal's SDKs
// put it in the status_code tag.
func statusCodeName(c codes.Code) string {
	switch c {
	case codes.OK:
		return "OK"
	case codes.Canceled:
		return "CANCELLED"
	case codes.Unknown:
		return "UNKNOWN"
	case codes.InvalidArgument:
		return "INVALID_ARGUMENT"
	case codes.DeadlineExceeded:
		return "DEADLINE_EXCEEDED"
	case codes.NotFound:
		return "NOT_FOUND"
	case codes.AlreadyExists:
		return "ALREADY_EXISTS"
	case codes.PermissionDenied:
		return "PERMISSION_DENIED"
	case codes.ResourceExhausted:
		return "RESOURCE_EXHAUSTED"
	case codes.FailedPrecondition:
		return "FAILED_PRECONDITION"
	case codes.Aborted:
		return "ABORTED"
	case codes.OutOfRange:
		return "OUT_OF_RANGE"
	case codes.Unimplemented:
		return "UNIMPLEMENTED"
	case codes.Internal:
		return "INTERNAL"
	case codes.Unavailable:
		return "UNAVAILABLE"
	case codes.DataLoss:
		return "DATA_LOSS"
	case codes.Unauthenticated:
		return "UNAUTHENTICATED"
	}
	return "CODE(" + strconv.Itoa(int(c)) + ")"
}
