package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// buildBinaries compiles the servers the run needs into dir: sundial from the
// repository root (the work tree as it is now), temporal-server from this module.
func buildBinaries(ctx context.Context, repoRoot, dir string, needSundial, needTemporal bool) (binaries, error) {
	var bins binaries
	if needSundial {
		bins.Sundial = filepath.Join(dir, "sundial")
		if err := goBuild(ctx, repoRoot, bins.Sundial, "./cmd/sundial"); err != nil {
			return binaries{}, err
		}
	}
	if needTemporal {
		bins.Temporal = filepath.Join(dir, "temporal-server")
		if err := goBuild(ctx, filepath.Join(repoRoot, "bench"), bins.Temporal, "./cmd/temporal-server"); err != nil {
			return binaries{}, err
		}
	}
	return bins, nil
}

func goBuild(ctx context.Context, moduleDir, output, pkg string) error {
	cmd := exec.CommandContext(ctx, "go", "build", "-o", output, pkg)
	cmd.Dir = moduleDir
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("building %s in %s: %w", pkg, moduleDir, err)
	}
	return nil
}
