-- Version 2: ownership leases. A node may advance workflows of a partition
-- only while it holds the partition's lease; every write it commits first
-- checks, holding the row in share mode, that the lease still names it at
-- the epoch it acquired. Taking the lease over bumps the epoch under an
-- exclusive row lock, so it waits for commits in flight and fences every
-- later one of the old owner. Partition 0 is the whole database (one
-- active node); more rows are the seam for partitioned ownership. Expiry is
-- in the database's clock, so nodes' clocks need not agree.
CREATE TABLE leases (
    partition  integer PRIMARY KEY,
    owner      text COLLATE "C" NOT NULL,
    epoch      bigint NOT NULL,
    expires_at timestamptz NOT NULL
);
