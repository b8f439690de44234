-- Version 1: the engine's core tables. Times are unix nanoseconds (0 = unset).

CREATE TABLE namespaces (
    id   TEXT NOT NULL PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    data BLOB
) STRICT;

CREATE TABLE executions (
    namespace_id      TEXT    NOT NULL,
    workflow_id       TEXT    NOT NULL,
    run_id            TEXT    NOT NULL,
    version           INTEGER NOT NULL,
    state             BLOB,
    workflow_type     TEXT    NOT NULL,
    task_queue        TEXT    NOT NULL,
    status            INTEGER NOT NULL,
    start_time        INTEGER NOT NULL,
    execution_time    INTEGER NOT NULL,
    close_time        INTEGER NOT NULL,
    history_length    INTEGER NOT NULL,
    memo              BLOB,
    search_attributes BLOB,
    PRIMARY KEY (namespace_id, workflow_id, run_id)
) STRICT;

-- Only open runs are indexed, so rebuilding queues on start reads just those.
CREATE INDEX executions_open
    ON executions (namespace_id, workflow_id, run_id)
    WHERE close_time = 0;

CREATE TABLE current_executions (
    namespace_id TEXT NOT NULL,
    workflow_id  TEXT NOT NULL,
    run_id       TEXT NOT NULL,
    PRIMARY KEY (namespace_id, workflow_id)
) STRICT, WITHOUT ROWID;

-- One row per event batch; reading a range of a run is a scan of the primary key.
CREATE TABLE history (
    namespace_id   TEXT    NOT NULL,
    run_id         TEXT    NOT NULL,
    first_event_id INTEGER NOT NULL,
    last_event_id  INTEGER NOT NULL,
    data           BLOB,
    PRIMARY KEY (namespace_id, run_id, first_event_id)
) STRICT, WITHOUT ROWID;
