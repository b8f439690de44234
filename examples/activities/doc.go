// Package activities holds the Go counterparts of the activity examples in the Temporal
// Python SDK's activity reference (the seed document this SDK's activity API follows),
// one file each:
//
//   - basic.go: plain and custom-named activities (process_data, custom_activity_name)
//   - long_running.go: a long task reporting progress with heartbeats (long_running_task)
//   - cancellable.go: an activity that cleans up when cancelled (cancellable_activity)
//   - shutdown_aware.go: saving partial results when the worker stops
//     (shutdown_aware_activity, graceful_shutdown_activity)
//   - detailed_cancellation.go: different cleanup for timeout, cancel request and worker
//     shutdown (detailed_cancellation_handling)
//   - shielded.go: a critical section shielded from cancellation (sync_activity_with_cleanup)
//   - monitoring.go: waiting for cancellation between work units (sync_monitoring_activity)
//   - async_completion.go: an activity completed later by a client (async_completion_activity)
//   - dynamic.go: one activity for any type, decoding raw arguments (dynamic_activity)
//   - metrics.go: custom counter and histogram (metrics_activity)
//   - info_logging.go: Info and the contextual logger (tracked_activity, info_logging_activity,
//     logging_activity, conditional_logic)
//   - client_usage.go: the client inside an activity (query_external_service)
//   - robust.go: everything together (robust_data_processor)
//
// Each is exercised by the package's tests, with sundialtest.ActivityEnvironment and
// through a real worker.
package activities
