package auth

import (
	"fmt"
	"sort"
	"strings"
)

// SystemNamespace is the permission scope that stands for the whole server, as
// in Temporal's default claim format: "temporal-system:admin" makes a system
// administrator, and a system role also applies in every namespace.
const SystemNamespace = "temporal-system"

// Role is a set of capabilities within a namespace (or, for the system scope,
// within the whole server). The zero Role grants nothing.
type Role uint8

// The four roles. Each grants its own capability plus those listed: write and
// worker include read; admin includes read, write and worker.
const (
	RoleRead Role = 1 << iota
	RoleWrite
	RoleWorker
	RoleAdmin
)

// grants is every capability a role's holder has.
func (r Role) grants() Role {
	g := r
	if r&(RoleWrite|RoleWorker) != 0 {
		g |= RoleRead
	}
	if r&RoleAdmin != 0 {
		g |= RoleRead | RoleWrite | RoleWorker
	}
	return g
}

// String names the role as permissions spell it ("read", "write", "worker",
// "admin"), joined with "+" when several are set.
func (r Role) String() string {
	var names []string
	for _, c := range []struct {
		role Role
		name string
	}{{RoleRead, "read"}, {RoleWrite, "write"}, {RoleWorker, "worker"}, {RoleAdmin, "admin"}} {
		if r&c.role != 0 {
			names = append(names, c.name)
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, "+")
}

// parseRole reads a role name, in any letter case (as Temporal does).
func parseRole(name string) (Role, bool) {
	switch strings.ToLower(name) {
	case "read":
		return RoleRead, true
	case "write":
		return RoleWrite, true
	case "worker":
		return RoleWorker, true
	case "admin":
		return RoleAdmin, true
	}
	return 0, false
}

// Permissions is what an authenticated caller may do: roles in the system
// scope (which apply everywhere) and roles per namespace.
type Permissions struct {
	System     Role
	Namespaces map[string]Role
}

// Has reports whether the permissions grant role in namespace.
func (p Permissions) Has(namespace string, role Role) bool {
	return (p.System.grants()|p.Namespaces[namespace].grants())&role == role
}

// HasSystem reports whether the system scope grants role.
func (p Permissions) HasSystem(role Role) bool {
	return p.System.grants()&role == role
}

// Empty reports whether the permissions grant nothing at all.
func (p Permissions) Empty() bool {
	if p.System != 0 {
		return false
	}
	for _, r := range p.Namespaces {
		if r != 0 {
			return false
		}
	}
	return true
}

// add merges one permission into p.
func (p *Permissions) add(namespace string, role Role) {
	if namespace == SystemNamespace {
		p.System |= role
		return
	}
	if p.Namespaces == nil {
		p.Namespaces = make(map[string]Role)
	}
	p.Namespaces[namespace] |= role
}

// union merges q into p.
func (p *Permissions) union(q Permissions) {
	p.System |= q.System
	for ns, r := range q.Namespaces {
		p.add(ns, r)
	}
}

// String lists the permissions in the "<namespace>:<role>" form, sorted.
func (p Permissions) String() string {
	var out []string
	if p.System != 0 {
		out = append(out, SystemNamespace+":"+p.System.String())
	}
	for ns, r := range p.Namespaces {
		out = append(out, ns+":"+r.String())
	}
	sort.Strings(out)
	return strings.Join(out, ",")
}

// splitPermission splits "<namespace>:<role>" at its first colon.
func splitPermission(s string) (namespace string, role Role, err error) {
	ns, name, ok := strings.Cut(s, ":")
	if !ok || ns == "" {
		return "", 0, fmt.Errorf("permission %q is not <namespace>:<role>", s)
	}
	r, ok := parseRole(name)
	if !ok {
		return "", 0, fmt.Errorf("permission %q: role %q is not read, write, worker or admin", s, name)
	}
	return ns, r, nil
}

// ParsePermissions reads a list of "<namespace>:<role>" strings strictly, as
// configuration files must be: every entry must name a namespace and a known
// role.
func ParsePermissions(list []string) (Permissions, error) {
	var p Permissions
	for _, s := range list {
		ns, r, err := splitPermission(s)
		if err != nil {
			return Permissions{}, err
		}
		p.add(ns, r)
	}
	return p, nil
}

// claimPermissions reads a token's permissions claim leniently, as Temporal's
// default claim mapper does: entries that are not strings or not in the
// "<namespace>:<role>" form, or that name an unknown role, grant nothing.
func claimPermissions(list []any) Permissions {
	var p Permissions
	for _, v := range list {
		s, ok := v.(string)
		if !ok {
			continue
		}
		if ns, r, err := splitPermission(s); err == nil {
			p.add(ns, r)
		}
	}
	return p
}
