// Package activity is what an activity function uses while it runs: its Info, heartbeats,
// cancellation and its reason, worker-shutdown awareness, a contextual logger, a metric
// meter, the client and the data converter. Everything is reached through the
// context.Context the worker passes to the activity function.
//
// An activity is an ordinary Go function that takes an optional context.Context first,
// then positional arguments the data converter can decode, and returns either error or
// (result, error):
//
//	func ChargeCard(ctx context.Context, order Order) (string, error) {
//		activity.Logger(ctx).Info("charging", "attempt", activity.GetInfo(ctx).Attempt)
//		activity.RecordHeartbeat(ctx, "calling the bank")
//		return bank.Charge(ctx, order) // ctx is cancelled on cancellation, timeout, shutdown
//	}
//
// Register it with worker.Worker.RegisterActivity, or declare it with Define for
// type-checked registration and calls.
//
// # Cancellation
//
// Cancellation is cooperative and arrives through ctx: ctx.Done() closes, and
// CancellationReason says why (CancelRequested, TimedOut, WorkerShutdown, NotFound, Paused
// or Reset). The workflow's cancellation request reaches the worker only in the answer to
// a heartbeat, so an activity that should be cancellable must heartbeat (RecordHeartbeat,
// or AutoHeartbeat). After a cancellation request, returning ctx.Err() or a
// sundial.CanceledError reports the activity as canceled. A section that must not be
// interrupted runs with WithoutCancel(ctx).
//
// An operator pauses or resets a pending activity with client.Client.PauseActivity or
// ResetActivity (or `temporal activity pause|reset`); the running attempt learns it from
// its next heartbeat and its context is cancelled with Paused or Reset. Returning
// ctx.Err() then reports the attempt as failed (ActivityPaused / ActivityReset): a paused
// activity waits, without retries or timeouts, until it is unpaused; after a reset the
// next attempt is number 1.
//
// # Seed concepts and their Go API
//
// The activity model of Temporal's Python SDK (temporalio.activity, the testing module's
// ActivityEnvironment, worker options) and the Atlan SDK's helpers map to this SDK as
// follows.
//
//	Python / Atlan                                 Go
//	---------------------------------------------  ------------------------------------------------------------
//	@activity.defn                                 worker.Worker.RegisterActivity(fn); activity.Define(fn)
//	@activity.defn(name="x")                       RegisterActivityWithOptions(fn, RegisterActivityOptions{Name: "x"});
//	                                               activity.DefineNamed("x", fn)
//	@activity.defn(dynamic=True), RawValue         worker.Worker.RegisterDynamicActivity(activity.DynamicFunc);
//	                                               DynamicArgs.Get / Decode / Raw ([]converter.RawValue)
//	no_thread_cancel_exception                     not needed: nothing is thrown; code watches ctx
//	sync / async / threaded / process activities   every activity runs on its own goroutine
//	activity.client()                              Client(ctx)
//	activity.info(), Info                          GetInfo(ctx), Info
//	Info.heartbeat_details                         HasHeartbeatDetails(ctx), GetHeartbeatDetails(ctx, &v...)
//	Info.priority (priority_key, fairness_*)       Info.Priority (sundial.Priority)
//	activity.in_activity()                         IsActivity(ctx)
//	activity.heartbeat(*details)                   RecordHeartbeat(ctx, details...)
//	activity.is_cancelled()                        IsCanceled(ctx), or ctx.Err() != nil
//	activity.cancellation_details()                CancellationReason(ctx) CancelReason
//	  .cancel_requested / .timed_out                 == CancelRequested / == TimedOut
//	  .worker_shutdown / .not_found                  == WorkerShutdown / == NotFound
//	  .paused / .reset                               == Paused / == Reset (the server's heartbeat
//	                                                 response says activity_paused / activity_reset
//	                                                 after client.Client.PauseActivity / ResetActivity,
//	                                                 on Sundial's server and on Temporal's)
//	activity.shield_thread_cancel_exception()      WithoutCancel(ctx) for the critical section
//	activity.wait_for_cancelled()                  <-ctx.Done()
//	activity.wait_for_cancelled_sync(timeout)      WaitForCancel(ctx, timeout) bool
//	activity.is_worker_shutdown()                  IsWorkerShutdown(ctx); WorkerStopChannel(ctx)
//	activity.wait_for_worker_shutdown_sync(t)      WaitForWorkerShutdown(ctx, t) bool
//	activity.raise_complete_async()                return nil, sundial.ErrResultPending
//	client.complete_activity_by_task_token(...)    client.Client.CompleteActivity(ctx, token, result, err)
//	  ...by id, heartbeat, fail, report_cancel       CompleteActivityByID, RecordActivityHeartbeat(ByID);
//	                                               err = *sundial.CanceledError reports a cancellation
//	client.start_activity / execute_activity       client.StartActivity / ExecuteActivity(ctx, c, opts, fn, in)
//	  (standalone activity: started by a client,     with typed results; Client.StartActivity(ctx, opts, name,
//	  no workflow)                                   args...) by name; Client.GetActivity(id, runID)
//	  handle .result / .describe / .cancel /         ActivityHandle.Get / Describe / Cancel / Terminate;
//	  .terminate                                     TypedActivityHandle.Result
//	  (pause, unpause, reset, update options of a    ActivityHandle.Pause / Unpause / Reset / UpdateOptions
//	  standalone activity)
//	client.list_activities / count_activities      Client.ListActivities / CountActivities(ctx, query)
//	activity.payload_converter()                   DataConverter(ctx)
//	activity.metric_meter()                        GetMetricMeter(ctx)
//	  create_counter / histogram / gauge             Counter / Histogram / Gauge(name, MetricOptions)
//	PrometheusConfig(bind_address)                 client.Options.MetricsHandler = contrib/promhandler.NewHandler
//	activity.logger, LoggerAdapter                 Logger(ctx) *slog.Logger with activity attributes
//	exceptions.ApplicationError(...)               sundial.NewApplicationErrorWithOptions (NonRetryable,
//	                                               NextRetryDelay, Category, Details, Cause)
//	exceptions.CancelledError                      sundial.NewCanceledError(details...)
//	testing.ActivityEnvironment                    sundialtest.NewActivityEnvironment(opts)
//	  info= / on_heartbeat= / client=                opts.Info / opts.OnHeartbeat / opts.Client
//	  cancel() / worker_shutdown()                   Cancel(reason) / ShutdownWorker()
//	  run(fn, *args)                                 Run(ctx, fn, args...); sundialtest.RunFunc
//	Worker(max_concurrent_activities=...)          worker.Options.MaxConcurrentActivityExecutionSize
//	  max_activities_per_second                      WorkerActivitiesPerSecond
//	  max_task_queue_activities_per_second           TaskQueueActivitiesPerSecond
//	  max_concurrent_activity_task_polls             MaxConcurrentActivityTaskPollers
//	  graceful_shutdown_timeout                      GracefulShutdownTimeout
//	  default/max_heartbeat_throttle_interval        Default/MaxHeartbeatThrottleInterval
//	Atlan auto_heartbeater                         AutoHeartbeat(ctx, interval) (stop func())
//	Atlan get_workflow_id / get_workflow_run_id    GetWorkflowID(ctx) / GetWorkflowRunID(ctx)
//
// Local activities (workflow.ExecuteLocalActivity) run the same registered functions
// inside the workflow's worker, without a round trip through the server; Info.IsLocal
// tells them apart. They have no heartbeats and no server-side timeouts.
package activity
