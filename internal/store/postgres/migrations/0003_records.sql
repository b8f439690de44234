-- Version 3: records, small engine documents kept beside the runs (batch
-- operations), one row each, read by key or listed by kind in id order.
CREATE TABLE records (
    namespace_id text COLLATE "C" NOT NULL,
    kind         text COLLATE "C" NOT NULL,
    id           text COLLATE "C" NOT NULL,
    version      bigint NOT NULL,
    data         bytea,
    PRIMARY KEY (namespace_id, kind, id)
);
