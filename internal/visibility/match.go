package visibility

import "strings"

// Match evaluates a resolved filter in memory, for listings kept in memory
// rather than in the database. value returns an attribute's value (string,
// int64, float64 or bool, as Comparison.Values hold them) and whether it is
// set. As in SQL, a comparison with an unset attribute holds only for IS
// NULL. A nil filter matches everything.
func Match(e Expr, value func(name string) (any, bool)) bool {
	switch e := e.(type) {
	case nil:
		return true
	case *And:
		for _, t := range e.Terms {
			if !Match(t, value) {
				return false
			}
		}
		return true
	case *Or:
		for _, t := range e.Terms {
			if Match(t, value) {
				return true
			}
		}
		return false
	case *Comparison:
		v, ok := value(e.Attr.Name)
		switch e.Op {
		case OpIsNull:
			return !ok
		case OpIsNotNull:
			return ok
		}
		return ok && matchComparison(e, v)
	}
	return false
}

func matchComparison(c *Comparison, v any) bool {
	cmp := func(i int) (int, bool) { return compareValues(v, c.Values[i]) }
	switch c.Op {
	case OpEqual, OpNotEqual:
		d, ok := cmp(0)
		return ok && (d == 0) == (c.Op == OpEqual)
	case OpLess:
		d, ok := cmp(0)
		return ok && d < 0
	case OpLessOrEqual:
		d, ok := cmp(0)
		return ok && d <= 0
	case OpGreater:
		d, ok := cmp(0)
		return ok && d > 0
	case OpGreaterOrEqual:
		d, ok := cmp(0)
		return ok && d >= 0
	case OpIn, OpNotIn:
		found := false
		for i := range c.Values {
			if d, ok := cmp(i); ok && d == 0 {
				found = true
				break
			}
		}
		return found == (c.Op == OpIn)
	case OpBetween, OpNotBetween:
		lo, ok1 := cmp(0)
		hi, ok2 := cmp(1)
		if !ok1 || !ok2 {
			return false
		}
		return (lo >= 0 && hi <= 0) == (c.Op == OpBetween)
	case OpStartsWith, OpNotStartsWith:
		s, ok1 := v.(string)
		prefix, ok2 := c.Values[0].(string)
		return ok1 && ok2 && strings.HasPrefix(s, prefix) == (c.Op == OpStartsWith)
	}
	return false
}

// compareValues orders two values of the same kind; ok is false when their
// kinds differ.
func compareValues(a, b any) (int, bool) {
	switch a := a.(type) {
	case string:
		b, ok := b.(string)
		return strings.Compare(a, b), ok
	case int64:
		switch b := b.(type) {
		case int64:
			return compareOrdered(a, b), true
		case float64:
			return compareOrdered(float64(a), b), true
		}
	case float64:
		switch b := b.(type) {
		case float64:
			return compareOrdered(a, b), true
		case int64:
			return compareOrdered(a, float64(b)), true
		}
	case bool:
		b, ok := b.(bool)
		if !ok {
			return 0, false
		}
		if a == b {
			return 0, true
		}
		if !a {
			return -1, true
		}
		return 1, true
	}
	return 0, false
}

func compareOrdered[T int64 | float64](a, b T) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
