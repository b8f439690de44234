package worker

import (
	"context"
	"errors"
	"log/slog"

	"github.com/sundialdev/sundial"
	commonpb "go.temporal.io/api/common/v1"
	"go.temporal.io/api/serviceerror"
	"go.temporal.io/api/workflowservice/v1"
)

// respondCompleted reports the activity's result and whether the server accepted it.
func (w *Worker) respondCompleted(logger *slog.Logger, token []byte, result *commonpb.Payloads) bool {
	return w.respond(logger, "RespondActivityTaskCompleted", func(ctx context.Context) error {
		req := &workflowservice.RespondActivityTaskCompletedRequest{
			TaskToken: token,
			Result:    result,
			Identity:  w.opts.Identity,
			Namespace: w.client.Namespace(),
		}
		if v := w.version; v != nil {
			req.WorkerVersion, req.Deployment, req.DeploymentOptions = v.VersionStamp, v.Deployment, v.Options
		}
		_, err := w.client.WorkflowService().RespondActivityTaskCompleted(ctx, req)
		return err
	})
}

func (w *Worker) respondFailed(logger *slog.Logger, token []byte, err error, lastHeartbeat *commonpb.Payloads) {
	failure := w.client.FailureConverter().ErrorToFailure(err)
	logger.Warn("activity failed", "error", err)
	w.respond(logger, "RespondActivityTaskFailed", func(ctx context.Context) error {
		req := &workflowservice.RespondActivityTaskFailedRequest{
			TaskToken:            token,
			Failure:              failure,
			Identity:             w.opts.Identity,
			Namespace:            w.client.Namespace(),
			LastHeartbeatDetails: lastHeartbeat,
		}
		if v := w.version; v != nil {
			req.WorkerVersion, req.Deployment, req.DeploymentOptions = v.VersionStamp, v.Deployment, v.Options
		}
		_, err := w.client.WorkflowService().RespondActivityTaskFailed(ctx, req)
		return err
	})
}

// respondCanceled reports a cancellation, with the CanceledError's details encoded the
// way the failure converter encodes them.
func (w *Worker) respondCanceled(logger *slog.Logger, token []byte, err error) {
	var details *commonpb.Payloads
	var canceled *sundial.CanceledError
	if errors.As(err, &canceled) && canceled.HasDetails() {
		details = w.client.FailureConverter().ErrorToFailure(canceled).GetCanceledFailureInfo().GetDetails()
	}
	logger.Info("activity canceled")
	w.respond(logger, "RespondActivityTaskCanceled", func(ctx context.Context) error {
		req := &workflowservice.RespondActivityTaskCanceledRequest{
			TaskToken: token,
			Details:   details,
			Identity:  w.opts.Identity,
			Namespace: w.client.Namespace(),
		}
		if v := w.version; v != nil {
			req.WorkerVersion, req.Deployment, req.DeploymentOptions = v.VersionStamp, v.Deployment, v.Options
		}
		_, err := w.client.WorkflowService().RespondActivityTaskCanceled(ctx, req)
		return err
	})
}

// respond makes a report call; the client already retries transient errors within the
// call's deadline. NotFound means the attempt is already closed (it timed out, or its
// workflow ended): there is nothing left to tell. It reports whether the call succeeded.
func (w *Worker) respond(logger *slog.Logger, method string, call func(ctx context.Context) error) bool {
	ctx, cancel := context.WithTimeout(context.Background(), rpcTimeout)
	defer cancel()
	err := call(ctx)
	var notFound *serviceerror.NotFound
	switch {
	case err == nil:
		return true
	case errors.As(err, &notFound):
		logger.Info(method+": the server no longer knows this attempt", "error", err)
	default:
		logger.Error(method+" failed", "error", err)
	}
	return false
}
