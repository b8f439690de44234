package visibility

import (
	"cmp"
	"fmt"
	"slices"
)

// sortRows orders rows by name, then value, and drops repeats: a list that
// names one keyword twice indexes it once.
func sortRows(rows []IndexRow) []IndexRow {
	slices.SortFunc(rows, func(a, b IndexRow) int {
		if c := cmp.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(valueKey(a.Value), valueKey(b.Value))
	})
	return slices.CompactFunc(rows, func(a, b IndexRow) bool {
		return a.Name == b.Name && valueKey(a.Value) == valueKey(b.Value)
	})
}

// valueKey renders a value so that equal values of one type, and only they,
// render alike.
func valueKey(v any) string { return fmt.Sprintf("%T:%v", v, v) }
