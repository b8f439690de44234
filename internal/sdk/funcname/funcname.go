// Package funcname derives the default registration name of a function: its name without
// package path or receiver, as Temporal's Go SDK names activities and workflows.
package funcname

import (
	"fmt"
	"reflect"
	"runtime"
	"strings"
)

// Of returns fn's short name: "Charge" for the function pkg.Charge, for the method value
// acts.Charge and for the method expression (*Acts).Charge. It fails for a value that is
// not a function, for a nil function, and for an anonymous function, whose compiler name
// ("func1") would be a poor and unstable activity name.
func Of(fn any) (string, error) {
	v := reflect.ValueOf(fn)
	if v.Kind() != reflect.Func {
		return "", fmt.Errorf("%T is not a function", fn)
	}
	if v.IsNil() {
		return "", fmt.Errorf("function is nil")
	}
	rf := runtime.FuncForPC(v.Pointer())
	if rf == nil {
		return "", fmt.Errorf("cannot find the name of function %T", fn)
	}
	full := rf.Name()
	short := full[strings.LastIndex(full, ".")+1:]
	// Method values are compiled into wrappers whose names end in "-fm".
	short = strings.TrimSuffix(short, "-fm")
	if isAnonymous(short) {
		return "", fmt.Errorf("function %s is anonymous and has no usable name; give it one explicitly", full)
	}
	return short, nil
}

// isAnonymous reports compiler names of function literals: "func1", "func2", ... and
// "1", "2", ... for literals nested inside other literals.
func isAnonymous(short string) bool {
	digits := strings.TrimPrefix(short, "func")
	if digits == "" {
		return short == "func"
	}
	for _, c := range digits {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}
