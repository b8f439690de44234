//go:build linux

package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	commonpb "go.temporal.io/api/common/v1"
	taskqueuepb "go.temporal.io/api/taskqueue/v1"
	"go.temporal.io/api/workflowservice/v1"
)

// smallExt4 mounts a fresh ext4 file system of sizeMB megabytes from a loop
// image (tmpfs has no immutable flag), or ends the test (see cannotSetUp)
// when this process may not.
func smallExt4(t *testing.T, sizeMB int) string {
	t.Helper()
	if os.Geteuid() != 0 {
		cannotSetUp(t, "mounting a loop device needs root (euid %d)", os.Geteuid())
	}
	work := t.TempDir()
	img := filepath.Join(work, "fs.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, int64(sizeMB)<<20); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mkfs.ext4", "-q", "-F", img).CombinedOutput(); err != nil {
		cannotSetUp(t, "cannot make an ext4 image: %v: %s", err, out)
	}
	dir := filepath.Join(work, "mnt")
	if err := os.Mkdir(dir, 0o700); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("mount", "-o", "loop", img, dir).CombinedOutput(); err != nil {
		cannotSetUp(t, "cannot mount a loop device: %v: %s", err, out)
	}
	t.Cleanup(func() { _ = exec.Command("umount", "-l", dir).Run() })
	return dir
}

// TestStorageFault03ImmutableDatabaseCheckpointsLoggedAndResumed: with the
// database file made immutable, commits still land in the WAL while
// checkpoints fail; the failure is logged (at most once a minute, not per
// attempt), and once the file is writable again the server checkpoints by
// itself, copying the WAL back into the database file.
func TestStorageFault03ImmutableDatabaseCheckpointsLoggedAndResumed(t *testing.T) {
	dir := smallExt4(t, 512) // sparse; room for the WAL to grow while checkpoints fail
	db := filepath.Join(dir, "sundial.db")
	s := startFaultServer(t, db)
	t.Cleanup(func() { _ = exec.Command("chattr", "-i", db).Run() })
	if out, err := exec.Command("chattr", "+i", db).CombinedOutput(); err != nil {
		cannotSetUp(t, "cannot make the database immutable: %v: %s", err, out)
	}
	before, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	start := func(i int) {
		t.Helper()
		id := fmt.Sprintf("wal-%d", i)
		if _, err := s.c.StartWorkflowExecution(rpcCtx(t), &workflowservice.StartWorkflowExecutionRequest{
			Namespace: "default", WorkflowId: id, WorkflowType: &commonpb.WorkflowType{Name: "W"},
			TaskQueue: &taskqueuepb.TaskQueue{Name: "tq"}, RequestId: id,
		}); err != nil {
			t.Fatalf("start %s with the database file immutable (commits go to the WAL): %v", id, err)
		}
	}
	const failed = "checkpointing the WAL failed"
	i := 0
	// Each start is one commit (to the WAL); the housekeeper checkpoints
	// every 2 s after commits, so the failure shows within a few seconds.
	logged := make(chan bool, 1)
	go func() { logged <- s.log.waitFor(failed, 30*time.Second) }()
	for waiting := true; waiting; i++ {
		select {
		case ok := <-logged:
			if !ok {
				t.Fatalf("no checkpoint failure logged in 30 s with the database file immutable\n%s", s.log)
			}
			waiting = false
		default:
			start(i)
		}
	}
	// Keep committing for a few checkpoint intervals: still one line.
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); i++ {
		start(i)
	}
	if n := strings.Count(s.log.String(), failed); n != 1 {
		t.Errorf("checkpoint failure logged %d times in about 5 s, want once\n%s", n, s.log)
	}
	if out, err := exec.Command("chattr", "-i", db).CombinedOutput(); err != nil {
		t.Fatalf("chattr -i: %v: %s", err, out)
	}
	start(i) // a commit, so the next housekeeping pass checkpoints
	if !s.log.waitFor("checkpointing the WAL works again", 30*time.Second) {
		t.Fatalf("no successful checkpoint logged in 30 s after the file became writable again\n%s", s.log)
	}
	after, err := os.Stat(db)
	if err != nil {
		t.Fatal(err)
	}
	if after.Size() <= before.Size() && !after.ModTime().After(before.ModTime()) {
		t.Errorf("the database file was not written by the checkpoint (size %d → %d)", before.Size(), after.Size())
	}
}
