-- Version 5: records, small engine documents kept beside the runs (batch
-- operations), one row each, read by key or listed by kind in id order.
CREATE TABLE records (
    namespace_id TEXT    NOT NULL,
    kind         TEXT    NOT NULL,
    id           TEXT    NOT NULL,
    version      INTEGER NOT NULL,
    data         BLOB,
    PRIMARY KEY (namespace_id, kind, id)
) STRICT;
