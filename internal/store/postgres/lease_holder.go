package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// LeaseHolder is a partition's lease as the nodes that do not hold it see
// it: who holds it, where that node serves, and whether it has lapsed.
type LeaseHolder struct {
	Lease
	// Address is the host:port the holder serves on (empty when it did not
	// say).
	Address string
	// Lapsed reports whether the lease had expired, in the database's clock,
	// when it was read: any node may take it over.
	Lapsed bool
}

// sqlAcquireLeaseAt is sqlAcquireLease that also records the holder's
// address ($4).
const sqlAcquireLeaseAt = `INSERT INTO leases (partition, owner, epoch, expires_at, address)
	VALUES ($1, $2, 1, now() + make_interval(secs => $3::double precision / 1e6), $4)
	ON CONFLICT (partition) DO UPDATE SET
		owner = EXCLUDED.owner,
		epoch = CASE WHEN leases.owner = EXCLUDED.owner AND leases.expires_at > now()
			THEN leases.epoch ELSE leases.epoch + 1 END,
		expires_at = EXCLUDED.expires_at,
		address = EXCLUDED.address
	WHERE leases.owner = EXCLUDED.owner OR leases.expires_at <= now()
	RETURNING partition, owner, epoch, expires_at`

const sqlReadLease = `SELECT partition, owner, epoch, expires_at, address, expires_at <= now()
	FROM leases WHERE partition = $1`

// AcquireLeaseAt is AcquireLease for a node that serves on address: the
// lease row records it, so that other nodes can forward requests there.
func (s *Store) AcquireLeaseAt(ctx context.Context, partition int32, owner, address string, ttl time.Duration) (Lease, error) {
	if err := checkLeaseArgs(owner, ttl); err != nil {
		return Lease{}, fmt.Errorf("postgres: acquiring lease %d: %w", partition, err)
	}
	l, err := scanLease(s.pool.QueryRow(ctx, sqlAcquireLeaseAt, partition, owner, ttl.Microseconds(), address))
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, fmt.Errorf("postgres: acquiring lease %d for %s: %w", partition, owner, ErrLeaseHeld)
	}
	if err != nil {
		return Lease{}, fmt.Errorf("postgres: acquiring lease %d for %s: %w", partition, owner, err)
	}
	return l, nil
}

// ReadLease returns partition's lease as it stands; found is false when no
// node ever took it.
func (s *Store) ReadLease(ctx context.Context, partition int32) (holder LeaseHolder, found bool, err error) {
	h := LeaseHolder{}
	err = s.pool.QueryRow(ctx, sqlReadLease, partition).Scan(&h.Partition, &h.Owner, &h.Epoch, &h.Expires, &h.Address, &h.Lapsed)
	if errors.Is(err, pgx.ErrNoRows) {
		return LeaseHolder{}, false, nil
	}
	if err != nil {
		return LeaseHolder{}, false, fmt.Errorf("postgres: reading lease %d: %w", partition, err)
	}
	return h, true, nil
}

// WritesLost is closed when a write fenced by the lease FenceWrites last
// set is refused (another node took the lease over) or RefuseWrites is
// called; nil, which never becomes ready, while the store is unfenced.
func (s *Store) WritesLost() <-chan struct{} {
	return s.fence.lostChan()
}

// RefuseWrites makes every later write fail with ErrFenced without asking
// the database, as after a refused write: for a node that learnt another
// way (a failed renewal) that it lost its lease.
func (s *Store) RefuseWrites() {
	s.fence.refuse()
}

// sqlTakeOverLease moves a lease still held by a known owner at a known
// epoch to a new owner at the next epoch, lapsed or not.
const sqlTakeOverLease = `UPDATE leases SET owner = $4, epoch = epoch + 1,
		expires_at = now() + make_interval(secs => $5::double precision / 1e6), address = $6
	WHERE partition = $1 AND owner = $2 AND epoch = $3
	RETURNING partition, owner, epoch, expires_at`

// TakeOverLease takes from's lease over for owner at the next epoch without
// waiting for it to lapse: for a node that knows the holder is gone (a
// process on its own host that has exited). ErrLeaseHeld when the lease
// moved on from from meanwhile.
func (s *Store) TakeOverLease(ctx context.Context, from Lease, owner, address string, ttl time.Duration) (Lease, error) {
	if err := checkLeaseArgs(owner, ttl); err != nil {
		return Lease{}, fmt.Errorf("postgres: taking lease %d over: %w", from.Partition, err)
	}
	l, err := scanLease(s.pool.QueryRow(ctx, sqlTakeOverLease, from.Partition, from.Owner, from.Epoch, owner, ttl.Microseconds(), address))
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, fmt.Errorf("postgres: taking lease %d over from %s at epoch %d: %w", from.Partition, from.Owner, from.Epoch, ErrLeaseHeld)
	}
	if err != nil {
		return Lease{}, fmt.Errorf("postgres: taking lease %d over from %s at epoch %d: %w", from.Partition, from.Owner, from.Epoch, err)
	}
	return l, nil
}
