#!/usr/bin/env bash
# Runs the Python SDK (temporalio) seed tests against Sundial: builds the sundial
# binary, makes (or reuses) the virtualenv .venv with requirements.txt, then runs
# pytest. Arguments go to pytest. Needs python3 with venv (.ci/run installs it).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
export GOTOOLCHAIN="${GOTOOLCHAIN:-local}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"

venv="$here/.venv"
stamp="$venv/.requirements.sha256"
# The venv is remade when the requirements or the python3 it was made from change.
want="$(sha256sum "$here/requirements.txt" | cut -d' ' -f1) $(python3 --version)"
if [ ! -x "$venv/bin/python" ] || [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
	rm -rf "$venv"
	python3 -m venv "$venv"
	"$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
	echo "$want" >"$stamp"
fi

bin="$(mktemp -d)"
trap 'rm -rf "$bin"' EXIT
(cd "$root" && go build -o "$bin/sundial" ./cmd/sundial)
export SUNDIAL_BINARY="$bin/sundial"

cd "$here"
timeout 15m "$venv/bin/python" -m pytest "$@"
