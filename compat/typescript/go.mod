// This directory holds a Node.js project, not Go code. The module boundary keeps
// `go vet ./...` and `go test ./...` in compat/ from walking node_modules, where
// some npm packages ship stray .go files.
module github.com/sundialdev/sundial/compat/typescript

go 1.26.8
