//go:build unix

package sqlite

import "syscall"

// freeBytes is the space unprivileged users may still use on the file system
// holding dir; ok is false when it cannot be told.
func freeBytes(dir string) (uint64, bool) {
	var st syscall.Statfs_t
	if err := syscall.Statfs(dir, &st); err != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}
