package sundial_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// moduleIdents are the identifiers each package of the module declares at package
// level, keyed by package name (several directories may share one), with "T.M" for
// the methods and fields of each type T.
type moduleIdents map[string]map[string]bool

// docComment is one comment of the module with where it is.
type docComment struct {
	pkg  string
	pos  token.Position
	text string
}

// TestDocCommentsNameExistingIdentifiers fails on any doc comment that names an
// identifier of one of the module's packages (pkg.Name, pkg.Type.Method, or a doc
// link in square brackets) that does not exist, so that docs cannot drift from the
// API.
func TestDocCommentsNameExistingIdentifiers(t *testing.T) {
	idents, comments := readModule(t, ".")
	qualified := regexp.MustCompile(`\b([a-z][a-z0-9]*)\.([A-Z][A-Za-z0-9_]*)(?:\.([A-Z][A-Za-z0-9_]*))?`)
	// A bracket right after an identifier is a type argument (Signal[T]), not a link.
	link := regexp.MustCompile(`(?:^|[^A-Za-z0-9_\]])\[([A-Za-z][A-Za-z0-9_]*(?:\.[A-Za-z][A-Za-z0-9_]*){0,2})\]`)
	checked := 0
	for _, c := range comments {
		for _, m := range qualified.FindAllStringSubmatch(c.text, -1) {
			names, ok := idents[m[1]]
			if !ok {
				continue // another module's package, or a variable
			}
			checked++
			if !names[m[2]] {
				t.Errorf("%s: the comment names %s.%s, which package %s does not declare", c.pos, m[1], m[2], m[1])
				continue
			}
			if m[3] != "" && names[m[2]+".methods"] && !names[m[2]+"."+m[3]] {
				t.Errorf("%s: the comment names %s.%s.%s; %s has no method or field %s", c.pos, m[1], m[2], m[3], m[2], m[3])
			}
		}
		for _, m := range link.FindAllStringSubmatch(proseOf(c.text), -1) {
			parts := strings.Split(m[1], ".")
			pkg, rest := c.pkg, parts
			if _, isPkg := idents[parts[0]]; isPkg && len(parts) > 1 && !idents[c.pkg][parts[0]] {
				pkg, rest = parts[0], parts[1:]
			}
			if !ast.IsExported(rest[0]) {
				continue
			}
			checked++
			name := strings.Join(rest, ".")
			if !idents[pkg][name] {
				t.Errorf("%s: the doc link [%s] names nothing package %s declares", c.pos, m[1], pkg)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked only %d references; is the test reading the module?", checked)
	}
}

// proseOf is text without its indented (code block) lines, where square brackets are
// code rather than doc links.
func proseOf(text string) string {
	var prose []string
	for _, line := range strings.Split(text, "\n") {
		if !strings.HasPrefix(line, "\t") && !strings.HasPrefix(line, " ") {
			prose = append(prose, line)
		}
	}
	return strings.Join(prose, "\n")
}

// readModule parses every package of the module rooted at root (without the
// separate modules under it) and returns its identifiers and comments.
func readModule(t *testing.T, root string) (moduleIdents, []docComment) {
	t.Helper()
	idents := moduleIdents{}
	var comments []docComment
	fset := token.NewFileSet()
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != root && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata" || isModuleRoot(path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, parser.ParseComments)
		if err != nil {
			return err
		}
		pkg := strings.TrimSuffix(f.Name.Name, "_test")
		if idents[pkg] == nil {
			idents[pkg] = map[string]bool{}
		}
		if !strings.HasSuffix(path, "_test.go") {
			collectIdents(f, idents[pkg])
		}
		for _, group := range docGroups(f) {
			comments = append(comments, docComment{pkg: pkg, pos: fset.Position(group.Pos()), text: group.Text()})
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return idents, comments
}

// docGroups are the doc comments of f: the package's, and those of declarations,
// specs and fields.
func docGroups(f *ast.File) []*ast.CommentGroup {
	groups := []*ast.CommentGroup{f.Doc}
	ast.Inspect(f, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.FuncDecl:
			groups = append(groups, n.Doc)
			return false // comments inside bodies are not docs
		case *ast.GenDecl:
			groups = append(groups, n.Doc)
		case *ast.TypeSpec:
			groups = append(groups, n.Doc, n.Comment)
		case *ast.ValueSpec:
			groups = append(groups, n.Doc, n.Comment)
		case *ast.Field:
			groups = append(groups, n.Doc, n.Comment)
		}
		return true
	})
	out := groups[:0]
	for _, g := range groups {
		if g != nil {
			out = append(out, g)
		}
	}
	return out
}

func isModuleRoot(dir string) bool {
	_, err := os.Stat(filepath.Join(dir, "go.mod"))
	return err == nil
}

// collectIdents adds f's package-level names, and the methods and fields of its
// types as "Type.Name", to names.
func collectIdents(f *ast.File, names map[string]bool) {
	for _, decl := range f.Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if d.Recv == nil {
				names[d.Name.Name] = true
				continue
			}
			if recv := receiverName(d.Recv.List[0].Type); recv != "" {
				names[recv+"."+d.Name.Name] = true
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				switch s := spec.(type) {
				case *ast.TypeSpec:
					names[s.Name.Name] = true
					collectMembers(s, names)
				case *ast.ValueSpec:
					for _, n := range s.Names {
						names[n.Name] = true
					}
				}
			}
		}
	}
}

// collectMembers records the fields of a struct type and the methods of an
// interface type; "T.methods" marks types whose members are known (not aliases).
func collectMembers(s *ast.TypeSpec, names map[string]bool) {
	var fields *ast.FieldList
	switch typ := s.Type.(type) {
	case *ast.StructType:
		fields = typ.Fields
	case *ast.InterfaceType:
		fields = typ.Methods
	}
	if s.Assign == token.NoPos {
		names[s.Name.Name+".methods"] = true
	}
	if fields == nil {
		return
	}
	for _, field := range fields.List {
		for _, n := range field.Names {
			names[s.Name.Name+"."+n.Name] = true
		}
		if len(field.Names) == 0 { // embedded
			if name := receiverName(field.Type); name != "" {
				names[s.Name.Name+"."+name[strings.LastIndex(name, ".")+1:]] = true
			}
		}
	}
}

func receiverName(e ast.Expr) string {
	switch e := e.(type) {
	case *ast.StarExpr:
		return receiverName(e.X)
	case *ast.IndexExpr:
		return receiverName(e.X)
	case *ast.IndexListExpr:
		return receiverName(e.X)
	case *ast.Ident:
		return e.Name
	case *ast.SelectorExpr:
		return e.Sel.Name
	}
	return ""
}

// TestReadmeLinksStayInTheRepository fails on a README link or path that points
// outside the repository or at a file that does not exist.
func TestReadmeLinksStayInTheRepository(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	if err != nil {
		t.Fatal(err)
	}
	links := regexp.MustCompile(`\]\(([^)]+)\)|` + "`" + `(\.\./[^` + "`" + `\s]+)` + "`")
	for _, m := range links.FindAllStringSubmatch(string(readme), -1) {
		target := m[1] + m[2]
		if strings.Contains(target, "://") || strings.HasPrefix(target, "#") {
			continue
		}
		target = strings.SplitN(target, "#", 2)[0]
		if strings.HasPrefix(filepath.Clean(target), "..") {
			t.Errorf("README.md links to %s, outside the repository", target)
			continue
		}
		if _, err := os.Stat(target); err != nil {
			t.Errorf("README.md links to %s: %v", target, err)
		}
	}
}

// TestPublicTypesAreDeclaredInPublicPackages fails on a public package's type that is
// an alias of an internal package's type: go doc and pkg.go.dev show an alias without
// its methods or fields, so each public type is declared where users read about it.
func TestPublicTypesAreDeclaredInPublicPackages(t *testing.T) {
	fset := token.NewFileSet()
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "internal" || d.Name() == "testdata" || isModuleRoot(path)) {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		internal := map[string]bool{}
		for _, imp := range f.Imports {
			importPath := strings.Trim(imp.Path.Value, `"`)
			if !strings.Contains(importPath, "/internal/") {
				continue
			}
			name := importPath[strings.LastIndex(importPath, "/")+1:]
			if imp.Name != nil {
				name = imp.Name.Name
			}
			internal[name] = true
		}
		ast.Inspect(f, func(n ast.Node) bool {
			spec, ok := n.(*ast.TypeSpec)
			if !ok || spec.Assign == token.NoPos || !spec.Name.IsExported() {
				return true
			}
			target := spec.Type
			if index, ok := target.(*ast.IndexExpr); ok {
				target = index.X
			}
			if index, ok := target.(*ast.IndexListExpr); ok {
				target = index.X
			}
			if sel, ok := target.(*ast.SelectorExpr); ok {
				if pkg, ok := sel.X.(*ast.Ident); ok && internal[pkg.Name] {
					t.Errorf("%s: %s is an alias of the internal %s.%s; declare it here so go doc shows it", fset.Position(spec.Pos()), spec.Name.Name, pkg.Name, sel.Sel.Name)
				}
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
