package client

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// TestCallsTakeContextFirst keeps the client's calls consistent: every exported
// function or method that takes a context.Context takes it as its first parameter,
// and every typed call (a generic function acting on a client or a run) takes one.
func TestCallsTakeContextFirst(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	checked := 0
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range f.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || !fn.Name.IsExported() {
				continue
			}
			checked++
			params := paramTypes(fn.Type.Params)
			for i, p := range params {
				if p == "context.Context" && i != 0 {
					t.Errorf("%s: %s takes its context.Context as parameter %d, not first", fset.Position(fn.Pos()), fn.Name.Name, i+1)
				}
			}
			actsOnTarget := false
			for _, p := range params {
				if p == "*Client" || p == "WorkflowRun" {
					actsOnTarget = true
				}
			}
			if fn.Recv == nil && fn.Type.TypeParams != nil && actsOnTarget && (len(params) == 0 || params[0] != "context.Context") {
				t.Errorf("%s: typed call %s does not take a context.Context first", fset.Position(fn.Pos()), fn.Name.Name)
			}
		}
	}
	if checked < 20 {
		t.Fatalf("checked only %d exported functions; is the test reading the package?", checked)
	}
}

func paramTypes(fields *ast.FieldList) []string {
	var out []string
	for _, field := range fields.List {
		text := exprString(field.Type)
		n := max(len(field.Names), 1)
		for range n {
			out = append(out, text)
		}
	}
	return out
}

func exprString(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return exprString(e.X) + "." + e.Sel.Name
	case *ast.StarExpr:
		return "*" + exprString(e.X)
	default:
		return ""
	}
}
