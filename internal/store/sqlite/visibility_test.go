package sqlite

import (
	"testing"

	"github.com/sundialdev/sundial/internal/store"
	"github.com/sundialdev/sundial/internal/store/storetest"
)

func TestVisibilityConformanceFile(t *testing.T) {
	storetest.RunVisibility(t, func(t *testing.T) store.Store { return openFile(t, Options{}) })
}

func TestVisibilityConformanceMemory(t *testing.T) {
	storetest.RunVisibility(t, func(t *testing.T) store.Store { return openMemoryStore(t) })
}
