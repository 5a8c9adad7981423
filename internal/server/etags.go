package server

// Versions of objects: the strong ETags of single-object responses and the
// etag fields of the bodies (openapi.yaml, Conventions). An object's ETag
// is etagOf its representation with the version fields themselves (etag,
// mapping_etag) and the write-only extras (notices, validation) cleared, so
// the header of a GET, the etag in its body and the etag of the same object
// in a list are one value.

import (
	"github.com/oapi-codegen/nullable"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// ruleETag is the version of a rule.
func ruleETag(r api.Rule) string {
	r.Etag, r.Notices, r.Validation = "", nil, nil
	return etagOf(r)
}

// policyETag is the version of a full policy; it covers the rules (their
// contents, not their etag fields, which are derived from them).
func policyETag(p api.Policy) string {
	p.Etag, p.Notices = "", nil
	rules := make([]api.Rule, len(p.Rules))
	for i, r := range p.Rules {
		r.Etag, r.Notices, r.Validation = "", nil, nil
		rules[i] = r
	}
	p.Rules = rules
	return etagOf(p)
}

// permissionSetETag is the version of a permission set.
func permissionSetETag(ps api.PermissionSet) string {
	ps.Etag = ""
	return etagOf(ps)
}

// mappingList is the representation of GET /v1/aws/roles/{id}/roles for
// the mapped roles refs (ordered by name, then id), with its etag.
func mappingList(refs []api.RoleRef) api.RoleRefList {
	if refs == nil {
		refs = []api.RoleRef{}
	}
	m := api.RoleRefList{Data: refs, HasMore: false, NextCursor: nullable.NewNullNullable[string]()}
	m.Etag = etagOf(m)
	return m
}

// awsRoleETag is the ETag header of GET /v1/aws/roles/{id}; mapping_etag
// is derived from roles[] and not hashed again.
func awsRoleETag(role api.AwsRole) string {
	role.MappingEtag = ""
	return etagOf(role)
}
