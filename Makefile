# Sundial's tasks. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: test test-root test-compat test-compat-postgres test-python check staticcheck build fuzz bench

# STATICCHECK is the pinned staticcheck (the first release line that supports
# go1.26 is v0.7; v0.8.2 is the newest). Its settings and the one check left
# off, with the reason, are in staticcheck.conf.
STATICCHECK ?= honnef.co/go/tools/cmd/staticcheck@v0.8.2

## test: formatting and vet checks, the root module's tests (race detector on), then compat.
test: check test-root test-compat test-python

## check: gofmt, go vet and staticcheck over the root, compat and bench modules.
check: staticcheck
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd compat && $(GO) vet ./...
	cd bench && $(GO) vet ./...

## staticcheck: the pinned staticcheck over the three modules.
staticcheck:
	$(GO) run $(STATICCHECK) ./...
	cd compat && $(GO) run $(STATICCHECK) ./...
	cd bench && $(GO) run $(STATICCHECK) ./...

## test-root: the engine, the SDK and everything else in the root module.
test-root:
	$(GO) test -race -count=1 ./...

## test-compat: the official Temporal Go SDK (and the crash test) against Sundial.
## The temporal CLI the CLI test drives is built first, alone, with room for a
## cold build (10 to 20 minutes on two cores; seconds once built), so the suite
## never has to race it against its own timeout.
test-compat:
	cd compat && $(GO) test -count=1 -timeout 45m -run '^TestTemporalCLIBuilds$$' .
	cd compat && $(GO) test -count=1 -timeout 30m ./...
	$(MAKE) test-compat-postgres

## test-compat-postgres: the whole compat suite again, each test on a fresh PostgreSQL
## database (SUNDIAL_TEST_POSTGRES; .ci/run sets it; under CI a missing server fails).
## COMPAT_POSTGRES_TESTS narrows it to a -run pattern.
COMPAT_POSTGRES_TESTS ?= .
test-compat-postgres:
	cd compat && COMPAT_STORE=postgres $(GO) test -count=1 -timeout 30m -run '$(COMPAT_POSTGRES_TESTS)' .

## test-python: the Python SDK's seed tests against Sundial (compat/python): builds the
## binary, makes or reuses the virtualenv compat/python/.venv, runs pytest.
test-python:
	bash compat/python/run-tests.sh

## build: the sundial binary in ./bin.
build:
	$(GO) build -o bin/sundial ./cmd/sundial

## fuzz: a short run of each fuzz target.
fuzz:
	$(GO) test ./internal/tasktoken -run '^$$' -fuzz FuzzDecode -fuzztime 30s
	$(GO) test ./internal/frontend -run '^$$' -fuzz '^FuzzRPC$$' -fuzztime 60s
	$(GO) test ./server/auth -run '^$$' -fuzz '^FuzzAuthorization$$' -fuzztime 30s

## bench: the same load against Sundial and Temporal's server, side by side, each on
## SQLite and on PostgreSQL; prints the table and rewrites BENCHMARKS.md. BENCH_FLAGS
## passes flags, e.g. make bench BENCH_FLAGS="-only sundial -scenarios activity-30".
## BENCH_POSTGRES names the PostgreSQL server (a role that may create databases;
## default: .ci/postgres.sh's, when it answers; without one the PostgreSQL rows are
## left out and the run says so).
bench:
	cd bench && BENCH_POSTGRES='$(BENCH_POSTGRES)' $(GO) run . $(BENCH_FLAGS)
