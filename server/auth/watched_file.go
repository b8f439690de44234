package auth

import (
	"fmt"
	"io"
	"os"
	"sync/atomic"
	"time"
)

// maxConfigFileBytes bounds the files this package reads (JWKS, API keys,
// identities), so a wrong path cannot make the server read a huge file.
const maxConfigFileBytes = 4 << 20

// watchedFile holds the parsed content of a file and reloads it when the
// file's modification time or size changes. A reload that fails keeps the
// previous content.
type watchedFile[T any] struct {
	path  string
	parse func([]byte) (T, error)

	current atomic.Pointer[T]
	modTime time.Time // guarded by the single goroutine that calls check
	size    int64
}

// loadWatchedFile reads path once; it fails if the file cannot be read or
// parsed.
func loadWatchedFile[T any](path string, parse func([]byte) (T, error)) (*watchedFile[T], error) {
	w := &watchedFile[T]{path: path, parse: parse}
	if _, err := w.check(); err != nil {
		return nil, err
	}
	return w, nil
}

// get returns the content last loaded.
func (w *watchedFile[T]) get() T {
	return *w.current.Load()
}

// check reloads the file if it changed since the last load. It reports
// whether it loaded new content.
func (w *watchedFile[T]) check() (bool, error) {
	info, err := os.Stat(w.path)
	if err != nil {
		return false, fmt.Errorf("reading %s: %w", w.path, err)
	}
	if w.current.Load() != nil && info.ModTime().Equal(w.modTime) && info.Size() == w.size {
		return false, nil
	}
	data, err := readBounded(w.path)
	if err != nil {
		return false, err
	}
	v, err := w.parse(data)
	if err != nil {
		return false, fmt.Errorf("parsing %s: %w", w.path, err)
	}
	w.current.Store(&v)
	w.modTime, w.size = info.ModTime(), info.Size()
	return true, nil
}

// readBounded reads a file of at most maxConfigFileBytes.
func readBounded(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigFileBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	if len(data) > maxConfigFileBytes {
		return nil, fmt.Errorf("reading %s: larger than %d bytes", path, maxConfigFileBytes)
	}
	return data, nil
}
