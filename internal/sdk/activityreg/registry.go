// Package activityreg is the activity registry shared by the worker and the test
// environment: it checks activity functions when they are registered, maps activity type
// names to them, and invokes them with payload arguments.
package activityreg

import (
	"fmt"
	"sort"
	"sync"

	"github.com/sundialdev/sundial/activity"
	"github.com/sundialdev/sundial/internal/sdk/funcname"
)

// Registry maps activity type names to activities. It is safe for concurrent use.
type Registry struct {
	mu      sync.RWMutex
	byName  map[string]*Activity
	dynamic *Activity
}

// New returns an empty registry.
func New() *Registry {
	return &Registry{byName: make(map[string]*Activity)}
}

// Register adds fn under name, or under fn's own function name when name is empty. It
// fails if fn is not a valid activity function or the name is taken.
func (r *Registry) Register(fn any, name string) error {
	a, err := newActivity(fn)
	if err != nil {
		return fmt.Errorf("registering activity: %w", err)
	}
	if name == "" {
		if name, err = funcname.Of(fn); err != nil {
			return fmt.Errorf("registering activity: %w", err)
		}
	}
	a.name = name
	r.mu.Lock()
	defer r.mu.Unlock()
	if _, taken := r.byName[name]; taken {
		return fmt.Errorf("registering activity: an activity named %q is already registered", name)
	}
	r.byName[name] = a
	return nil
}

// RegisterDynamic sets the activity that runs every type without a function of its own.
// There can be only one.
func (r *Registry) RegisterDynamic(fn activity.DynamicFunc) error {
	if fn == nil {
		return fmt.Errorf("registering dynamic activity: function is nil")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.dynamic != nil {
		return fmt.Errorf("registering dynamic activity: a dynamic activity is already registered")
	}
	r.dynamic = &Activity{dynamic: fn}
	return nil
}

// Lookup returns the activity registered under name, else the dynamic activity, if any.
func (r *Registry) Lookup(name string) (*Activity, bool) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	if a, ok := r.byName[name]; ok {
		return a, true
	}
	if r.dynamic != nil {
		return r.dynamic, true
	}
	return nil, false
}

// Names lists the registered names, sorted; the dynamic activity has none.
func (r *Registry) Names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	names := make([]string, 0, len(r.byName))
	for name := range r.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Empty reports whether nothing is registered, not even a dynamic activity.
func (r *Registry) Empty() bool {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return len(r.byName) == 0 && r.dynamic == nil
}
