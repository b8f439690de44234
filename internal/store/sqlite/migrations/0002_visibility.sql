-- Version 2: visibility. Search attribute values indexed per run, the order
-- listings use, and the per-namespace registry of custom search attributes.

-- One row per value of a run's search attribute (one per element of a
-- list), computed from executions.search_attributes by the triggers below.
-- value is text, integer or real (booleans 0/1); time_value holds Unix
-- nanoseconds when the value reads as a datetime.
CREATE TABLE search_attribute_values (
    namespace_id TEXT    NOT NULL,
    workflow_id  TEXT    NOT NULL,
    run_id       TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    value        ANY     NOT NULL,
    time_value   INTEGER,
    PRIMARY KEY (namespace_id, workflow_id, run_id, name, value)
) STRICT, WITHOUT ROWID;

CREATE INDEX search_attribute_values_by_value
    ON search_attribute_values (namespace_id, name, value);

CREATE INDEX search_attribute_values_by_time
    ON search_attribute_values (namespace_id, name, time_value)
    WHERE time_value IS NOT NULL;

-- sundial_search_attribute_rows (registered by the driver) decodes the
-- encoded SearchAttributes into a JSON array of [name, value, time_value].
CREATE TRIGGER executions_index_search_attributes_on_insert
AFTER INSERT ON executions
WHEN NEW.search_attributes IS NOT NULL
BEGIN
    INSERT OR IGNORE INTO search_attribute_values
        (namespace_id, workflow_id, run_id, name, value, time_value)
    SELECT NEW.namespace_id, NEW.workflow_id, NEW.run_id, r.value ->> 0, r.value ->> 1, r.value ->> 2
    FROM json_each(sundial_search_attribute_rows(NEW.search_attributes)) AS r;
END;

CREATE TRIGGER executions_index_search_attributes_on_update
AFTER UPDATE OF search_attributes ON executions
WHEN NEW.search_attributes IS NOT OLD.search_attributes
BEGIN
    DELETE FROM search_attribute_values
    WHERE namespace_id = OLD.namespace_id AND workflow_id = OLD.workflow_id AND run_id = OLD.run_id;
    INSERT OR IGNORE INTO search_attribute_values
        (namespace_id, workflow_id, run_id, name, value, time_value)
    SELECT NEW.namespace_id, NEW.workflow_id, NEW.run_id, r.value ->> 0, r.value ->> 1, r.value ->> 2
    FROM json_each(sundial_search_attribute_rows(NEW.search_attributes)) AS r;
END;

CREATE TRIGGER executions_unindex_search_attributes_on_delete
AFTER DELETE ON executions
BEGIN
    DELETE FROM search_attribute_values
    WHERE namespace_id = OLD.namespace_id AND workflow_id = OLD.workflow_id AND run_id = OLD.run_id;
END;

-- Runs written before this version.
INSERT OR IGNORE INTO search_attribute_values
    (namespace_id, workflow_id, run_id, name, value, time_value)
SELECT e.namespace_id, e.workflow_id, e.run_id, r.value ->> 0, r.value ->> 1, r.value ->> 2
FROM executions AS e, json_each(sundial_search_attribute_rows(e.search_attributes)) AS r
WHERE e.search_attributes IS NOT NULL;

-- The default listing order: open runs first, then latest close, latest
-- start, run id. The expression must stay identical to the one in
-- internal/visibility (closeSortKey) for the planner to use this index.
CREATE INDEX executions_recent
    ON executions (namespace_id, (CASE WHEN close_time = 0 THEN 9223372036854775807 ELSE close_time END) DESC,
                   start_time DESC, run_id);

-- Custom search attributes registered per namespace; type is
-- enums.IndexedValueType.
CREATE TABLE search_attributes (
    namespace_id TEXT    NOT NULL,
    name         TEXT    NOT NULL,
    type         INTEGER NOT NULL,
    PRIMARY KEY (namespace_id, name)
) STRICT, WITHOUT ROWID;
