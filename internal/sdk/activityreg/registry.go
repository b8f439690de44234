// Package activityreg is the activity registry shared by the worker and the test
// environment: it checks activity functions when they are registered, maps activity type
// names to them, and invokes them with payload arguments.
package activityreg

import (
	"fmt"
	"reflect"
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
//
// fn may also be a struct or a pointer to one: then each of its exported methods is
// registered under name + the method's name, all or none.
func (r *Registry) Register(fn any, name string) error {
	if isStruct(fn) {
		return r.registerMethods(fn, name)
	}
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
	return r.add(a)
}

// add registers activities under their names, all or none.
func (r *Registry) add(activities ...*Activity) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	seen := make(map[string]bool, len(activities))
	for _, a := range activities {
		if _, taken := r.byName[a.name]; taken || seen[a.name] {
			return fmt.Errorf("registering activity: an activity named %q is already registered", a.name)
		}
		seen[a.name] = true
	}
	for _, a := range activities {
		r.byName[a.name] = a
	}
	return nil
}

// isStruct reports a struct value or a non-nil pointer to one.
func isStruct(v any) bool {
	t := reflect.TypeOf(v)
	if t == nil {
		return false
	}
	if t.Kind() == reflect.Pointer {
		return t.Elem().Kind() == reflect.Struct && !reflect.ValueOf(v).IsNil()
	}
	return t.Kind() == reflect.Struct
}

// registerMethods registers every exported method of v as an activity named
// prefix+method name.
func (r *Registry) registerMethods(v any, prefix string) error {
	value := reflect.ValueOf(v)
	t := value.Type()
	if t.NumMethod() == 0 {
		return fmt.Errorf("registering activities of %s: it has no exported methods", t)
	}
	activities := make([]*Activity, 0, t.NumMethod())
	for i := range t.NumMethod() {
		method := t.Method(i)
		a, err := newActivity(value.Method(i).Interface())
		if err != nil {
			return fmt.Errorf("registering activities of %s: method %s: %w", t, method.Name, err)
		}
		a.name = prefix + method.Name
		activities = append(activities, a)
	}
	return r.add(activities...)
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
