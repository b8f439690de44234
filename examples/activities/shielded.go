package activities

import (
	"context"
	"strings"

	"github.com/sundialdev/sundial/activity"
)

// CriticalWork is an operation that must not be interrupted half-way.
type CriticalWork interface {
	Perform(ctx context.Context, data string) (string, error)
	ReleaseResources(ctx context.Context) error
}

// Shielded runs a critical operation and its cleanup on a context that ignores
// cancellation (the Python SDK's shield_thread_cancel_exception), then looks at whether a
// cancellation arrived meanwhile.
type Shielded struct {
	Work CriticalWork
}

// ActivityWithCleanup never interrupts the critical section.
func (s *Shielded) ActivityWithCleanup(ctx context.Context, data string) (string, error) {
	shielded := activity.WithoutCancel(ctx)
	result, err := s.Work.Perform(shielded, data)
	if err != nil {
		return "", err
	}
	if err := s.Work.ReleaseResources(shielded); err != nil {
		return "", err
	}
	if activity.IsCanceled(ctx) {
		return "Cancelled after cleanup", nil
	}
	return strings.TrimSpace(result), nil
}
