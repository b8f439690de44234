# Sundial's tasks. `make test` is what CI runs (.ci/run).
GO ?= go

.PHONY: test test-root test-compat check build fuzz bench

## test: formatting and vet checks, the root module's tests (race detector on), then compat.
test: check test-root test-compat

## check: gofmt and go vet over both modules.
check:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt would change:"; echo "$$unformatted"; exit 1; fi
	$(GO) vet ./...
	cd compat && $(GO) vet ./...

## test-root: the engine, the SDK and everything else in the root module.
test-root:
	$(GO) test -race -count=1 ./...

## test-compat: the official Temporal Go SDK (and the crash test) against Sundial.
test-compat:
	cd compat && $(GO) test -count=1 -timeout 30m ./...

## build: the sundial binary in ./bin.
build:
	$(GO) build -o bin/sundial ./cmd/sundial

## fuzz: a short run of each fuzz target.
fuzz:
	$(GO) test ./internal/tasktoken -run '^$$' -fuzz FuzzDecode -fuzztime 30s

## bench: the same load against Sundial and Temporal's server, side by side (under
## 15 minutes); prints the table and rewrites BENCHMARKS.md. BENCH_FLAGS passes
## flags, e.g. make bench BENCH_FLAGS="-only sundial -scenarios activity-30".
bench:
	cd bench && $(GO) run . $(BENCH_FLAGS)
