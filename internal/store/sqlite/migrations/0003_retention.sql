-- Closed runs by namespace and close time, for the retention sweep.
CREATE INDEX executions_closed
    ON executions (namespace_id, close_time)
    WHERE close_time > 0;
