// This directory holds a Node.js project (the Web UI browser checks), not Go
// code. The module boundary keeps `go vet ./...` and `go test ./...` in compat/
// from walking node_modules.
module github.com/sundialdev/sundial/compat/webui

go 1.26.8
