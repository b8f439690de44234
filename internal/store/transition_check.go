package store

import (
	"errors"
	"fmt"
)

// CheckTransition reports a transition no driver can apply as asked: a
// write without its row, a negative version, an event batch that ends
// before it starts, a record delete that names no version. Drivers call it
// before queuing t.
func CheckTransition(t *Transition) error {
	if t == nil {
		return errors.New("nil transition")
	}
	for i, w := range t.Executions {
		if w.Execution == nil {
			return fmt.Errorf("execution write %d has no execution", i)
		}
		if w.ExpectedVersion < 0 {
			return fmt.Errorf("execution write %d expects negative version %d", i, w.ExpectedVersion)
		}
	}
	for i, b := range t.Events {
		if b.LastEventID < b.FirstEventID {
			return fmt.Errorf("event batch %d ends (%d) before it starts (%d)", i, b.LastEventID, b.FirstEventID)
		}
	}
	for i, w := range t.Records {
		switch {
		case w.Record == nil:
			return fmt.Errorf("record write %d has no record", i)
		case w.ExpectedVersion < 0:
			return fmt.Errorf("record write %d expects negative version %d", i, w.ExpectedVersion)
		case w.Delete && w.ExpectedVersion == 0:
			return fmt.Errorf("record delete %d names no version", i)
		}
	}
	return nil
}

// SetWrittenVersions sets the Version of each row t wrote to its stored
// value (ExpectedVersion+1), as ExecutionWrite and RecordWrite promise;
// drivers call it once t is committed.
func SetWrittenVersions(t *Transition) {
	if t == nil {
		return
	}
	for i := range t.Executions {
		ew := &t.Executions[i]
		ew.Execution.Version = ew.ExpectedVersion + 1
	}
	for i := range t.Records {
		if rw := &t.Records[i]; !rw.Delete {
			rw.Record.Version = rw.ExpectedVersion + 1
		}
	}
}
