-- Version 1: the whole schema of the first PostgreSQL release. Times are Unix
-- nanoseconds (0 = unset), as in the SQLite store, so both stores share the
-- visibility SQL and page tokens. Text columns use the "C" collation: byte
-- order, the order SQLite sorts by, which also lets STARTS_WITH use an index
-- range whatever the database's locale.

CREATE TABLE namespaces (
    id   text COLLATE "C" NOT NULL PRIMARY KEY,
    name text COLLATE "C" NOT NULL UNIQUE,
    data bytea
);

CREATE TABLE executions (
    namespace_id      text COLLATE "C" NOT NULL,
    workflow_id       text COLLATE "C" NOT NULL,
    run_id            text COLLATE "C" NOT NULL,
    version           bigint NOT NULL,
    state             bytea,
    workflow_type     text COLLATE "C" NOT NULL,
    task_queue        text COLLATE "C" NOT NULL,
    status            bigint NOT NULL,
    start_time        bigint NOT NULL,
    execution_time    bigint NOT NULL,
    close_time        bigint NOT NULL,
    history_length    bigint NOT NULL,
    memo              bytea,
    search_attributes bytea,
    PRIMARY KEY (namespace_id, workflow_id, run_id)
) WITH (fillfactor = 80); -- room for state-only updates to stay on their page (HOT)

-- Open runs in key order: rebuilding queues and timers on start reads only these.
CREATE INDEX executions_open
    ON executions (namespace_id, workflow_id, run_id)
    WHERE close_time = 0;

-- Open runs by task queue, for the engine's spilled-queue scans.
CREATE INDEX executions_open_queue
    ON executions (namespace_id, task_queue, workflow_id, run_id)
    WHERE close_time = 0;

-- Closed runs by close time, for the retention sweep.
CREATE INDEX executions_closed
    ON executions (namespace_id, close_time)
    WHERE close_time > 0;

-- The default listing order: open runs first, then latest close, latest
-- start, run id. The expression must stay identical to internal/visibility's
-- closeSortKey for the planner to use it.
CREATE INDEX executions_recent
    ON executions (namespace_id,
                   (CASE WHEN close_time = 0 THEN 9223372036854775807 ELSE close_time END) DESC,
                   start_time DESC, run_id);

-- Filtered listings: by type (and status) with the newest starts first, the
-- order UIs ask for; by status in the default order.
CREATE INDEX executions_by_type
    ON executions (namespace_id, workflow_type, status, start_time DESC, run_id);
CREATE INDEX executions_by_status
    ON executions (namespace_id, status,
                   (CASE WHEN close_time = 0 THEN 9223372036854775807 ELSE close_time END) DESC,
                   start_time DESC, run_id);

CREATE TABLE current_executions (
    namespace_id text COLLATE "C" NOT NULL,
    workflow_id  text COLLATE "C" NOT NULL,
    run_id       text COLLATE "C" NOT NULL,
    PRIMARY KEY (namespace_id, workflow_id)
);

-- One row per event batch; reading a range of a run scans the primary key.
CREATE TABLE history (
    namespace_id   text COLLATE "C" NOT NULL,
    run_id         text COLLATE "C" NOT NULL,
    first_event_id bigint NOT NULL,
    last_event_id  bigint NOT NULL,
    data           bytea,
    PRIMARY KEY (namespace_id, run_id, first_event_id)
);

-- One row per value of a run's search attribute (one per element of a list),
-- written by the driver from visibility.IndexRows. Exactly one of str_value
-- and num_value is set; words holds str_value's words (visibility.Words) for
-- Text matching; time_value holds Unix nanoseconds when str_value reads as a
-- datetime.
CREATE TABLE search_attribute_values (
    namespace_id text COLLATE "C" NOT NULL,
    workflow_id  text COLLATE "C" NOT NULL,
    run_id       text COLLATE "C" NOT NULL,
    name         text COLLATE "C" NOT NULL,
    str_value    text COLLATE "C",
    num_value    numeric,
    time_value   bigint,
    words        text[]
);

CREATE INDEX search_attribute_values_of_run
    ON search_attribute_values (namespace_id, workflow_id, run_id);
CREATE INDEX search_attribute_values_by_str
    ON search_attribute_values (namespace_id, name, str_value)
    WHERE str_value IS NOT NULL;
CREATE INDEX search_attribute_values_by_num
    ON search_attribute_values (namespace_id, name, num_value)
    WHERE num_value IS NOT NULL;
CREATE INDEX search_attribute_values_by_time
    ON search_attribute_values (namespace_id, name, time_value)
    WHERE time_value IS NOT NULL;
CREATE INDEX search_attribute_values_words
    ON search_attribute_values USING gin (words)
    WHERE words IS NOT NULL;

-- Custom search attributes registered per namespace; type is
-- enums.IndexedValueType.
CREATE TABLE search_attributes (
    namespace_id text COLLATE "C" NOT NULL,
    name         text COLLATE "C" NOT NULL,
    type         integer NOT NULL,
    PRIMARY KEY (namespace_id, name)
);

-- sundial_require_row makes a conditional write that matched no row fail
-- with the SQLSTATE code, so that it aborts the batch it was sent in (the
-- driver sends a whole group commit in one round trip and learns of
-- failures only as errors).
CREATE FUNCTION sundial_require_row(affected bigint, code text) RETURNS bigint
LANGUAGE plpgsql AS $$
BEGIN
    IF affected = 0 THEN
        RAISE EXCEPTION USING ERRCODE = code, MESSAGE = 'sundial: the conditional write matched no row';
    END IF;
    RETURN affected;
END
$$;
