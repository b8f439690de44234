package postgres

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Lease errors.
var (
	// ErrLeaseHeld: another owner holds an unexpired lease.
	ErrLeaseHeld = errors.New("the lease is held by another owner")
	// ErrFenced: the lease the store writes under has moved to a newer epoch
	// (another owner took it over); this store must stop writing.
	ErrFenced = errors.New("the lease moved to another owner; this node may no longer write")
)

// Lease is one partition's ownership record.
type Lease struct {
	Partition int32
	Owner     string
	// Epoch grows by one each time the lease changes owner (or is taken
	// again after its release or expiry); writes are fenced by it.
	Epoch int64
	// Expires is when the lease lapses unless renewed, in the database's
	// clock.
	Expires time.Time
}

// sqlAcquireLease takes a partition's lease for $2 for $3 microseconds: it
// inserts the row at epoch 1, or takes it over (epoch + 1) when it has
// expired, or extends it when $2 already holds it. It returns no row when
// another owner holds it.
const sqlAcquireLease = `INSERT INTO leases (partition, owner, epoch, expires_at)
	VALUES ($1, $2, 1, now() + make_interval(secs => $3::double precision / 1e6))
	ON CONFLICT (partition) DO UPDATE SET
		owner = EXCLUDED.owner,
		epoch = CASE WHEN leases.owner = EXCLUDED.owner AND leases.expires_at > now()
			THEN leases.epoch ELSE leases.epoch + 1 END,
		expires_at = EXCLUDED.expires_at
	WHERE leases.owner = EXCLUDED.owner OR leases.expires_at <= now()
	RETURNING partition, owner, epoch, expires_at`

// sqlRenewLease extends a lease still held at its epoch.
const sqlRenewLease = `UPDATE leases SET expires_at = now() + make_interval(secs => $4::double precision / 1e6)
	WHERE partition = $1 AND owner = $2 AND epoch = $3
	RETURNING partition, owner, epoch, expires_at`

// sqlReleaseLease lets a lease lapse now, so another node need not wait.
const sqlReleaseLease = `UPDATE leases SET expires_at = now()
	WHERE partition = $1 AND owner = $2 AND epoch = $3`

// sqlFenceCheck opens every fenced write: it fails (SDFNC) unless the lease
// still names the owner at the epoch, and holds the row in share mode until
// the write commits, so a takeover waits for it.
const sqlFenceCheck = `SELECT sundial_require_row(count(*), '` + codeFenced + `')
	FROM (SELECT 1 FROM leases WHERE partition = $1 AND owner = $2 AND epoch = $3 FOR SHARE) AS held`

// AcquireLease takes partition's lease for owner for ttl: a new or lapsed
// lease is taken at the next epoch; one owner already holds is extended at
// its epoch. ErrLeaseHeld when another owner holds it.
func (s *Store) AcquireLease(ctx context.Context, partition int32, owner string, ttl time.Duration) (Lease, error) {
	if err := checkLeaseArgs(owner, ttl); err != nil {
		return Lease{}, fmt.Errorf("postgres: acquiring lease %d: %w", partition, err)
	}
	l, err := scanLease(s.pool.QueryRow(ctx, sqlAcquireLease, partition, owner, ttl.Microseconds()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, fmt.Errorf("postgres: acquiring lease %d for %s: %w", partition, owner, ErrLeaseHeld)
	}
	if err != nil {
		return Lease{}, fmt.Errorf("postgres: acquiring lease %d for %s: %w", partition, owner, err)
	}
	return l, nil
}

// RenewLease extends l for ttl from now. ErrFenced when l is no longer
// held at its epoch.
func (s *Store) RenewLease(ctx context.Context, l Lease, ttl time.Duration) (Lease, error) {
	if err := checkLeaseArgs(l.Owner, ttl); err != nil {
		return Lease{}, fmt.Errorf("postgres: renewing lease %d: %w", l.Partition, err)
	}
	renewed, err := scanLease(s.pool.QueryRow(ctx, sqlRenewLease, l.Partition, l.Owner, l.Epoch, ttl.Microseconds()))
	if errors.Is(err, pgx.ErrNoRows) {
		return Lease{}, fmt.Errorf("postgres: renewing lease %d at epoch %d: %w", l.Partition, l.Epoch, ErrFenced)
	}
	if err != nil {
		return Lease{}, fmt.Errorf("postgres: renewing lease %d at epoch %d: %w", l.Partition, l.Epoch, err)
	}
	return renewed, nil
}

// ReleaseLease lets l lapse at once, if still held at its epoch.
func (s *Store) ReleaseLease(ctx context.Context, l Lease) error {
	if _, err := s.pool.Exec(ctx, sqlReleaseLease, l.Partition, l.Owner, l.Epoch); err != nil {
		return fmt.Errorf("postgres: releasing lease %d at epoch %d: %w", l.Partition, l.Epoch, err)
	}
	return nil
}

// FenceWrites makes every later write of the store (group commits,
// retention, registry changes) commit only while l's partition lease still
// names l's owner at l's epoch. Once one is refused, the store refuses all
// writes with ErrFenced without asking the database again: a node that lost
// its lease must step down and start over.
func (s *Store) FenceWrites(l Lease) {
	s.fence.set(l)
}

func checkLeaseArgs(owner string, ttl time.Duration) error {
	if owner == "" {
		return errors.New("owner must not be empty")
	}
	if ttl < 0 {
		return fmt.Errorf("ttl must not be negative, got %s", ttl)
	}
	return nil
}

func scanLease(row pgx.Row) (Lease, error) {
	var l Lease
	err := row.Scan(&l.Partition, &l.Owner, &l.Epoch, &l.Expires)
	return l, err
}
