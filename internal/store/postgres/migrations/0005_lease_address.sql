-- Version 5: the address a lease holder serves on. Nodes that do not hold a
-- partition's lease forward the requests they receive to the address of the
-- node that does; an empty address means the holder did not say (requests
-- are then refused as unavailable until it does).
ALTER TABLE leases ADD COLUMN address text NOT NULL DEFAULT '';
