package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5"
)

// fence holds the lease a store's writes are fenced by, if any, and
// whether a write was already refused.
type fence struct {
	mu      sync.Mutex
	lease   *Lease
	refused bool
	// lost is closed when a write under lease is first refused (or the
	// holder gives the lease up); nil while unfenced.
	lost chan struct{}
}

func (f *fence) set(l Lease) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.lease, f.refused, f.lost = &l, false, make(chan struct{})
}

// refuse makes every later write fail with ErrFenced, as after a refusal.
func (f *fence) refuse() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.markRefused()
}

// markRefused records a refusal; f.mu must be held.
func (f *fence) markRefused() {
	if f.refused {
		return
	}
	f.refused = true
	if f.lost != nil {
		close(f.lost)
	}
}

// lostChan is closed once the current lease's writes are refused; nil
// (never ready) while unfenced.
func (f *fence) lostChan() <-chan struct{} {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost
}

// current returns the lease to check (nil when unfenced), or ErrFenced once
// a write was refused.
func (f *fence) current() (*Lease, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.refused {
		return nil, ErrFenced
	}
	return f.lease, nil
}

// observe records err: a fence refusal makes every later write fail at
// once. It returns err, with ErrFenced in its chain when it was a refusal.
func (f *fence) observe(err error) error {
	if err == nil || !isFenceRefusal(err) {
		return err
	}
	f.mu.Lock()
	f.markRefused()
	f.mu.Unlock()
	return fmt.Errorf("%w: %w", ErrFenced, err)
}

// queue adds the fence check to a batch; it reports whether it did.
func (f *fence) queue(b *pgx.Batch) (bool, error) {
	l, err := f.current()
	if err != nil || l == nil {
		return false, err
	}
	b.Queue(sqlFenceCheck, l.Partition, l.Owner, l.Epoch)
	return true, nil
}

// inTx runs fn in a transaction that begins with the fence check (or
// without it when unfenced).
func (f *fence) inTx(ctx context.Context, s *Store, fn func(tx pgx.Tx) error) error {
	l, err := f.current()
	if err != nil {
		return err
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if l != nil {
			if _, err := tx.Exec(ctx, sqlFenceCheck, l.Partition, l.Owner, l.Epoch); err != nil {
				return err
			}
		}
		return fn(tx)
	})
	return f.observe(err)
}

func isFenceRefusal(err error) bool {
	var pgErr interface{ SQLState() string }
	return errors.As(err, &pgErr) && pgErr.SQLState() == codeFenced
}
