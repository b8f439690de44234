-- Open runs by task queue, so the engine can find again the tasks it let
-- spill out of a long in-memory queue backlog. Only key, queue and close time
-- are indexed: state-only writes never touch it.
CREATE INDEX executions_open_queue
    ON executions (namespace_id, task_queue, workflow_id, run_id)
    WHERE close_time = 0;
