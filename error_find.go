package sundial

// FindApplicationError returns the first *ApplicationError of type errType anywhere in
// err's chain (following Unwrap, including errors.Join and multi-%w wrapping), and
// whether there is one. Unlike errors.As, which stops at the first ApplicationError,
// it looks past the ApplicationError a workflow's own wrapping becomes
// (fmt.Errorf("charging: %w", err) arrives as an ApplicationError of type "wrapError"
// whose cause is the activity's failure):
//
//	if appErr, ok := sundial.FindApplicationError(err, "CardDeclined"); ok { ... }
func FindApplicationError(err error, errType string) (*ApplicationError, bool) {
	var found *ApplicationError
	walkErrors(err, func(e error) bool {
		if appErr, ok := e.(*ApplicationError); ok && appErr.Type() == errType {
			found = appErr
			return true
		}
		return false
	})
	return found, found != nil
}

// HasApplicationError reports whether err's chain holds an *ApplicationError of type
// errType; see FindApplicationError.
func HasApplicationError(err error, errType string) bool {
	_, ok := FindApplicationError(err, errType)
	return ok
}

// walkErrors visits err and everything it wraps, depth first, until visit returns
// true. Chains are finite in practice; a cycle is cut after a fixed depth.
func walkErrors(err error, visit func(error) bool) bool {
	const maxDepth = 1000
	var walk func(e error, depth int) bool
	walk = func(e error, depth int) bool {
		if e == nil || depth > maxDepth {
			return false
		}
		if visit(e) {
			return true
		}
		switch u := e.(type) {
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				if walk(inner, depth+1) {
					return true
				}
			}
		case interface{ Unwrap() error }:
			return walk(u.Unwrap(), depth+1)
		}
		return false
	}
	return walk(err, 0)
}
