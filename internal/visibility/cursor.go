package visibility

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Cursor marks where a page of a listing ended: the sort-key values of its
// last row, in the order of the listing's sort keys (RunId last). It is valid
// only with the query that produced it.
type Cursor struct {
	Keys []any // int64 or string
}

// cursorJSON is the token's wire form.
type cursorJSON struct {
	Keys []any `json:"k"`
}

// Encode renders the cursor as an opaque page token.
func (c *Cursor) Encode() []byte {
	b, err := json.Marshal(cursorJSON{Keys: c.Keys})
	if err != nil {
		// Keys hold only int64 and string values, which always marshal.
		panic(fmt.Sprintf("visibility: encoding cursor: %v", err))
	}
	return b
}

// DecodeCursor reads a page token made by Encode for the same query q.
func DecodeCursor(token []byte, q *Query) (*Cursor, error) {
	var raw cursorJSON
	dec := json.NewDecoder(bytes.NewReader(token))
	dec.UseNumber()
	if err := dec.Decode(&raw); err != nil || dec.More() {
		return nil, errorf("invalid page token")
	}
	c := &Cursor{Keys: make([]any, len(raw.Keys))}
	for i, k := range raw.Keys {
		switch k := k.(type) {
		case string:
			c.Keys[i] = k
		case json.Number:
			n, err := k.Int64()
			if err != nil {
				return nil, errorf("invalid page token")
			}
			c.Keys[i] = n
		default:
			return nil, errorf("invalid page token")
		}
	}
	if err := c.check(q.sortKeys()); err != nil {
		return nil, err
	}
	return c, nil
}

// check verifies that the cursor has one value of the right type per key.
func (c *Cursor) check(keys []sortKey) error {
	if len(c.Keys) != len(keys) {
		return errorf("invalid page token: it does not belong to this query")
	}
	for i, k := range keys {
		_, isString := c.Keys[i].(string)
		_, isInt := c.Keys[i].(int64)
		if (k.column.isText() && !isString) || (!k.column.isText() && !isInt) {
			return errorf("invalid page token: it does not belong to this query")
		}
	}
	return nil
}

// NewCursor builds the cursor of a row from the sort-key values Select
// appended to it, as the driver scanned them (int64, string or []byte).
func NewCursor(values []any) (*Cursor, error) {
	c := &Cursor{Keys: make([]any, len(values))}
	for i, v := range values {
		switch v := v.(type) {
		case int64, string:
			c.Keys[i] = v
		case []byte:
			c.Keys[i] = string(v)
		default:
			return nil, fmt.Errorf("visibility: sort key %d has unexpected type %T", i, v)
		}
	}
	return c, nil
}
