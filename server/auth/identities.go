package auth

import (
	"crypto/x509"
	"fmt"
)

// identityFile is the mTLS identity file's JSON form.
type identityFile struct {
	Identities []struct {
		CommonName  string   `json:"commonName"`
		SAN         string   `json:"san"`
		Permissions []string `json:"permissions"`
	} `json:"identities"`
}

// identityMap maps verified client-certificate subjects to permissions.
type identityMap struct {
	byCommonName map[string]Permissions
	bySAN        map[string]Permissions
}

// parseIdentities reads an identity file.
func parseIdentities(data []byte) (identityMap, error) {
	var f identityFile
	if err := decodeStrictJSON(data, &f); err != nil {
		return identityMap{}, err
	}
	m := identityMap{byCommonName: map[string]Permissions{}, bySAN: map[string]Permissions{}}
	for i, id := range f.Identities {
		if (id.CommonName == "") == (id.SAN == "") {
			return identityMap{}, fmt.Errorf("identity %d: set exactly one of commonName and san", i)
		}
		perms, err := ParsePermissions(id.Permissions)
		if err != nil {
			return identityMap{}, fmt.Errorf("identity %d: %w", i, err)
		}
		target, key := m.byCommonName, id.CommonName
		if id.SAN != "" {
			target, key = m.bySAN, id.SAN
		}
		if _, dup := target[key]; dup {
			return identityMap{}, fmt.Errorf("identity %d: %q appears twice", i, key)
		}
		target[key] = perms
	}
	return m, nil
}

// lookup returns the union of the permissions of every entry that matches
// cert: its subject common name, or any of its DNS, URI, email or IP
// subject alternative names. ok is false when nothing matches.
func (m identityMap) lookup(cert *x509.Certificate) (perms Permissions, subject string, ok bool) {
	match := func(p Permissions, name string) {
		perms.union(p)
		if !ok {
			subject = name
		}
		ok = true
	}
	if p, found := m.byCommonName[cert.Subject.CommonName]; found && cert.Subject.CommonName != "" {
		match(p, "CN="+cert.Subject.CommonName)
	}
	var sans []string
	sans = append(sans, cert.DNSNames...)
	sans = append(sans, cert.EmailAddresses...)
	for _, ip := range cert.IPAddresses {
		sans = append(sans, ip.String())
	}
	for _, u := range cert.URIs {
		sans = append(sans, u.String())
	}
	for _, san := range sans {
		if p, found := m.bySAN[san]; found {
			match(p, "SAN="+san)
		}
	}
	return perms, subject, ok
}
