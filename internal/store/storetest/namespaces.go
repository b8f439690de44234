package storetest

import (
	"bytes"
	"fmt"
	"testing"

	"github.com/sundialdev/sundial/internal/store"
)

var namespaceTests = []namedTest{
	{"CreateAndGet", testNamespaceCreateAndGet},
	{"CreateCollisions", testNamespaceCreateCollisions},
	{"Missing", testNamespaceMissing},
	{"Update", testNamespaceUpdate},
	{"Rename", testNamespaceRename},
	{"ListPaging", testNamespaceListPaging},
}

func requireNamespace(t *testing.T, want, got *store.Namespace) {
	t.Helper()
	if got.ID != want.ID || got.Name != want.Name || !bytes.Equal(got.Data, want.Data) {
		t.Fatalf("namespace: got {%s %s %q}, want {%s %s %q}", got.ID, got.Name, got.Data, want.ID, want.Name, want.Data)
	}
}

func testNamespaceCreateAndGet(t *testing.T, s store.Store) {
	ctx := t.Context()
	ns := &store.Namespace{ID: "ns-1", Name: "default", Data: []byte("config v1")}
	requireNoError(t, s.CreateNamespace(ctx, ns), "creating namespace")

	byName, err := s.GetNamespaceByName(ctx, "default")
	requireNoError(t, err, "getting namespace by name")
	requireNamespace(t, ns, byName)

	byID, err := s.GetNamespaceByID(ctx, "ns-1")
	requireNoError(t, err, "getting namespace by id")
	requireNamespace(t, ns, byID)
}

func testNamespaceCreateCollisions(t *testing.T, s store.Store) {
	ctx := t.Context()
	first := &store.Namespace{ID: "ns-1", Name: "default", Data: []byte("first")}
	requireNoError(t, s.CreateNamespace(ctx, first), "creating namespace")

	err := s.CreateNamespace(ctx, &store.Namespace{ID: "ns-2", Name: "default", Data: []byte("x")})
	requireErrorIs(t, err, store.ErrAlreadyExists, "creating a namespace with a taken name")
	err = s.CreateNamespace(ctx, &store.Namespace{ID: "ns-1", Name: "other", Data: []byte("x")})
	requireErrorIs(t, err, store.ErrAlreadyExists, "creating a namespace with a taken id")

	got, err := s.GetNamespaceByName(ctx, "default")
	requireNoError(t, err, "getting namespace")
	requireNamespace(t, first, got)
	_, err = s.GetNamespaceByName(ctx, "other")
	requireErrorIs(t, err, store.ErrNotFound, "the rejected namespace must not exist")
	_, err = s.GetNamespaceByID(ctx, "ns-2")
	requireErrorIs(t, err, store.ErrNotFound, "the rejected namespace must not exist")
}

func testNamespaceMissing(t *testing.T, s store.Store) {
	ctx := t.Context()
	_, err := s.GetNamespaceByName(ctx, "nope")
	requireErrorIs(t, err, store.ErrNotFound, "getting a missing namespace by name")
	_, err = s.GetNamespaceByID(ctx, "nope")
	requireErrorIs(t, err, store.ErrNotFound, "getting a missing namespace by id")
	err = s.UpdateNamespace(ctx, &store.Namespace{ID: "nope", Name: "nope", Data: []byte("x")})
	requireErrorIs(t, err, store.ErrNotFound, "updating a missing namespace")
}

func testNamespaceUpdate(t *testing.T, s store.Store) {
	ctx := t.Context()
	ns := &store.Namespace{ID: "ns-1", Name: "default", Data: []byte("v1")}
	requireNoError(t, s.CreateNamespace(ctx, ns), "creating namespace")
	other := &store.Namespace{ID: "ns-2", Name: "other", Data: []byte("untouched")}
	requireNoError(t, s.CreateNamespace(ctx, other), "creating namespace")

	updated := &store.Namespace{ID: "ns-1", Name: "default", Data: []byte("v2, longer than before")}
	requireNoError(t, s.UpdateNamespace(ctx, updated), "updating namespace")

	got, err := s.GetNamespaceByID(ctx, "ns-1")
	requireNoError(t, err, "getting namespace")
	requireNamespace(t, updated, got)
	got, err = s.GetNamespaceByName(ctx, "other")
	requireNoError(t, err, "getting namespace")
	requireNamespace(t, other, got)
}

func testNamespaceRename(t *testing.T, s store.Store) {
	ctx := t.Context()
	requireNoError(t, s.CreateNamespace(ctx, &store.Namespace{ID: "ns-1", Name: "orders", Data: []byte("v1")}), "creating namespace")
	requireNoError(t, s.CreateNamespace(ctx, &store.Namespace{ID: "ns-2", Name: "billing", Data: []byte("v1")}), "creating namespace")

	err := s.UpdateNamespace(ctx, &store.Namespace{ID: "ns-1", Name: "billing", Data: []byte("v2")})
	requireErrorIs(t, err, store.ErrAlreadyExists, "renaming onto a taken name")
	got, err := s.GetNamespaceByID(ctx, "ns-1")
	requireNoError(t, err, "getting namespace")
	requireNamespace(t, &store.Namespace{ID: "ns-1", Name: "orders", Data: []byte("v1")}, got)

	renamed := &store.Namespace{ID: "ns-1", Name: "orders-deleted-ns-1", Data: []byte("v2")}
	requireNoError(t, s.UpdateNamespace(ctx, renamed), "renaming namespace")
	got, err = s.GetNamespaceByName(ctx, "orders-deleted-ns-1")
	requireNoError(t, err, "getting the renamed namespace")
	requireNamespace(t, renamed, got)
	_, err = s.GetNamespaceByName(ctx, "orders")
	requireErrorIs(t, err, store.ErrNotFound, "the old name is free")
	requireNoError(t, s.CreateNamespace(ctx, &store.Namespace{ID: "ns-3", Name: "orders", Data: []byte("new")}), "reusing the old name")
}

func testNamespaceListPaging(t *testing.T, s store.Store) {
	ctx := t.Context()
	// Created out of order; listed by name.
	names := []string{"delta", "alpha", "echo", "charlie", "bravo"}
	for i, name := range names {
		ns := &store.Namespace{ID: fmt.Sprintf("id-%d", i), Name: name, Data: []byte(name)}
		requireNoError(t, s.CreateNamespace(ctx, ns), "creating namespace")
	}
	want := []string{"alpha", "bravo", "charlie", "delta", "echo"}

	var got []string
	after := ""
	for page := 0; ; page++ {
		if page > len(want) {
			t.Fatalf("paging did not end; got %v so far", got)
		}
		list, err := s.ListNamespaces(ctx, after, 2)
		requireNoError(t, err, "listing namespaces")
		if len(list) > 2 {
			t.Fatalf("page of %d namespaces exceeds limit 2", len(list))
		}
		if len(list) == 0 {
			break
		}
		for _, ns := range list {
			if !bytes.Equal(ns.Data, []byte(ns.Name)) {
				t.Fatalf("namespace %s has data %q", ns.Name, ns.Data)
			}
			got = append(got, ns.Name)
		}
		after = list[len(list)-1].Name
	}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("listed %v, want %v", got, want)
	}

	all, err := s.ListNamespaces(ctx, "", 100)
	requireNoError(t, err, "listing namespaces")
	if len(all) != len(want) {
		t.Fatalf("listing with a large limit returned %d namespaces, want %d", len(all), len(want))
	}
	rest, err := s.ListNamespaces(ctx, "bz", 100)
	requireNoError(t, err, "listing namespaces")
	if len(rest) != 3 || rest[0].Name != "charlie" {
		t.Fatalf("listing after %q returned %d namespaces starting %v", "bz", len(rest), rest)
	}
}
