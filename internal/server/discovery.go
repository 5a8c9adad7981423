package server

// Discovery: the AWS roles and internal roles of jitsudo-local come from a
// JSON file that stands in for the AWS directories a real broker scans
// (Options.RolesFile, -roles). Format (see cmd/jitsudo-local/README.md):
//
//	{
//	  "roles": [
//	    {"id": "<uuid, optional>", "name": "sre", "description": "..."}
//	  ],
//	  "sources": [
//	    {"id": "<uuid, optional>", "name": "aws-prod", "aws_roles": [
//	      {"id": "<uuid, optional>", "name": "Admin",
//	       "arn": "arn:aws:iam::123456789012:role/Admin", "description": "..."}
//	    ]}
//	  ]
//	}
//
// Omitted ids are derived (UUID v5): an internal role's from the tenant and
// its name, a source's from its name, an AWS role's from the tenant and its
// ARN, so they are stable across scans and restarts and differ between
// tenants. An AWS role's name defaults to the last segment of its ARN.
//
// A scan applies the file to one tenant in one transaction: internal roles
// and AWS roles are inserted or updated (`updated` changes only when
// something did); AWS roles of the tenant that are no longer in the file
// become MISSING and keep their mappings, and become OK again when they
// reappear; internal roles no longer in the file are deleted together with
// their mappings.

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/google/uuid"
)

// rolesFile is the discovery source.
type rolesFile struct {
	Roles   []fileRole   `json:"roles"`
	Sources []fileSource `json:"sources"`
}

type fileRole struct {
	ID          string  `json:"id,omitempty"`
	Name        string  `json:"name"`
	Description *string `json:"description,omitempty"`
}

type fileSource struct {
	ID       string        `json:"id,omitempty"`
	Name     string        `json:"name"`
	AwsRoles []fileAwsRole `json:"aws_roles"`
}

type fileAwsRole struct {
	ID          string  `json:"id,omitempty"`
	Name        string  `json:"name,omitempty"`
	ARN         string  `json:"arn"`
	Description *string `json:"description,omitempty"`
}

// iamRoleARN matches IAM role ARNs in any partition, with optional paths.
var iamRoleARN = regexp.MustCompile(`^arn:aws(-[a-z]+)*:iam::[0-9]{12}:role/([\w+=,.@-]+/)*[\w+=,.@-]{1,64}$`)

// discoveryNamespace is the UUID v5 namespace of derived ids.
var discoveryNamespace = uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/jitsudo-community/terraform-provider-jitsudo/jitsudo-local/discovery"))

func derivedID(parts ...string) string {
	return uuid.NewSHA1(discoveryNamespace, []byte(strings.Join(parts, "\x00"))).String()
}

// loadRolesFile reads and validates the discovery file at path. Every
// problem is reported, each naming its entry (`sources[1].aws_roles[2].arn`).
func loadRolesFile(path string) (*rolesFile, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("roles file: %w", err)
	}
	f, err := parseRolesFile(data)
	if err != nil {
		return nil, fmt.Errorf("roles file %s: %w", path, err)
	}
	return f, nil
}

// parseRolesFile decodes and validates a discovery file strictly.
func parseRolesFile(data []byte) (*rolesFile, error) {
	f, err := decodeRolesFile(data)
	if err != nil {
		return nil, err
	}
	c := &rolesFileCheck{seen: map[string]map[string]string{}}
	c.roles(f.Roles)
	for i := range f.Sources {
		c.source(fmt.Sprintf("sources[%d]", i), &f.Sources[i])
	}
	if len(c.problems) > 0 {
		return nil, fmt.Errorf("%d problem(s): %s", len(c.problems), strings.Join(c.problems, "; "))
	}
	for i := range f.Sources {
		if f.Sources[i].ID == "" {
			f.Sources[i].ID = derivedID("source", f.Sources[i].Name)
		}
	}
	return f, nil
}

// decodeRolesFile decodes a discovery file, refusing unknown fields and
// trailing data.
func decodeRolesFile(data []byte) (*rolesFile, error) {
	var f rolesFile
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return nil, fmt.Errorf("not valid JSON at byte %d: %w", syn.Offset, err)
		case errors.As(err, &typ):
			return nil, fmt.Errorf("%s: expected %s, got JSON %s", typ.Field, typ.Type, typ.Value)
		case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
			return nil, errors.New("the JSON ends too early (an unclosed object or array?)")
		case unknownFieldOf(err) != "":
			return nil, fmt.Errorf("%s (known fields: roles[].id/name/description, sources[].id/name/aws_roles, aws_roles[].id/name/arn/description)", strings.TrimPrefix(err.Error(), "json: "))
		}
		return nil, err
	}
	if dec.More() {
		return nil, errors.New("unexpected data after the JSON object")
	}
	return &f, nil
}

// rolesFileCheck collects the problems of a discovery file; seen maps a
// kind of value (role id, source name, ARN, ...) to the latest location of
// each value seen so far.
type rolesFileCheck struct {
	problems []string
	seen     map[string]map[string]string
}

func (c *rolesFileCheck) bad(format string, args ...any) {
	c.problems = append(c.problems, fmt.Sprintf(format, args...))
}

// seenAt records that the value of kind is at loc and returns the
// location where it was seen before (the latest), if it was.
func (c *rolesFileCheck) seenAt(kind, value, loc string) (string, bool) {
	if c.seen[kind] == nil {
		c.seen[kind] = map[string]string{}
	}
	prev, dup := c.seen[kind][value]
	c.seen[kind][value] = loc
	return prev, dup
}

// id checks an optional id and returns it canonical ("" when absent or
// invalid).
func (c *rolesFileCheck) id(kind, loc, id string) string {
	if id == "" {
		return ""
	}
	canon, ok := canonicalUUID(id)
	if !ok {
		c.bad("%s.id: %q is not a UUID (omit it to derive one)", loc, id)
		return ""
	}
	if prev, dup := c.seenAt(kind, canon, loc); dup {
		c.bad("%s.id: %s is also the id of %s", loc, canon, prev)
	}
	return canon
}

func (c *rolesFileCheck) text(loc, field, s string, maxLen int, required bool) {
	switch {
	case s == "" && required:
		c.bad("%s.%s is required", loc, field)
	case strings.TrimSpace(s) != s:
		c.bad("%s.%s %q has leading or trailing spaces", loc, field, s)
	case utf8.RuneCountInString(s) > maxLen:
		c.bad("%s.%s is longer than %d characters", loc, field, maxLen)
	}
}

// name checks a required unique name of kind.
func (c *rolesFileCheck) name(kind, loc, name string) {
	c.text(loc, "name", name, 128, true)
	if prev, dup := c.seenAt(kind, name, loc); dup && name != "" {
		c.bad("%s.name: %q is also the name of %s", loc, name, prev)
	}
}

func (c *rolesFileCheck) roles(roles []fileRole) {
	for i := range roles {
		r := &roles[i]
		loc := fmt.Sprintf("roles[%d]", i)
		r.ID = c.id("role id", loc, r.ID)
		c.name("role name", loc, r.Name)
		if r.Description != nil {
			c.text(loc, "description", *r.Description, 1024, false)
		}
	}
}

func (c *rolesFileCheck) source(loc string, src *fileSource) {
	src.ID = c.id("source id", loc, src.ID)
	c.name("source name", loc, src.Name)
	for j := range src.AwsRoles {
		c.awsRole(fmt.Sprintf("%s.aws_roles[%d]", loc, j), &src.AwsRoles[j])
	}
}

// awsRole checks one AWS role; its name defaults to the last segment of a
// valid ARN.
func (c *rolesFileCheck) awsRole(loc string, ar *fileAwsRole) {
	ar.ID = c.id("AWS role id", loc, ar.ID)
	switch {
	case ar.ARN == "":
		c.bad("%s.arn is required", loc)
	case !iamRoleARN.MatchString(ar.ARN):
		c.bad("%s.arn: %q is not an IAM role ARN such as arn:aws:iam::123456789012:role/Admin", loc, ar.ARN)
	default:
		if prev, dup := c.seenAt("ARN", ar.ARN, loc); dup {
			c.bad("%s.arn: %s is also the ARN of %s", loc, ar.ARN, prev)
		}
	}
	if ar.Name == "" && iamRoleARN.MatchString(ar.ARN) {
		ar.Name = ar.ARN[strings.LastIndex(ar.ARN, "/")+1:]
	}
	// An empty name is reported only with a valid ARN (it is derived from it).
	c.text(loc, "name", ar.Name, 256, iamRoleARN.MatchString(ar.ARN))
	if ar.Description != nil {
		c.text(loc, "description", *ar.Description, 1024, false)
	}
}

// discoverySource reads the configured discovery file again; nil when no
// file is configured.
func (s *Server) discoverySource() (*rolesFile, error) {
	if s.opts.RolesFile == "" {
		return nil, nil
	}
	return loadRolesFile(s.opts.RolesFile)
}

// syncTenant applies f to tenant within tx (see the top of this file). A
// nil f (no discovery source) changes nothing.
func (s *Server) syncTenant(ctx context.Context, tx *sql.Tx, tenant string, f *rolesFile) error {
	if f == nil {
		return nil
	}
	now := s.nowString()
	if err := s.syncRoles(ctx, tx, tenant, f.Roles, now); err != nil {
		return fmt.Errorf("scan roles: %w", err)
	}
	if err := s.syncAwsRoles(ctx, tx, tenant, f.Sources, now); err != nil {
		return fmt.Errorf("scan AWS roles: %w", err)
	}
	return nil
}

// syncRoles inserts or updates the internal roles of the file and deletes the
// tenant's roles that are no longer in it.
func (s *Server) syncRoles(ctx context.Context, tx *sql.Tx, tenant string, roles []fileRole, now string) error {
	existing, err := s.store.RoleRows(ctx, tx, tenant)
	if err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, r := range roles {
		id := r.ID
		if id == "" {
			id = derivedID("role", tenant, r.Name)
		}
		keep[id] = true
		want := roleRow{name: r.Name, desc: toNullString(r.Description)}
		old, ok := existing[id]
		if ok && old == want {
			continue
		}
		if err := s.store.PutRole(ctx, tx, tenant, id, want, ok); err != nil {
			return err
		}
	}
	for id := range existing {
		// A role gone from the directory goes with its mappings.
		if !keep[id] {
			if err := s.store.DeleteRole(ctx, tx, tenant, id, now); err != nil {
				return err
			}
		}
	}
	return nil
}

// wantedAwsRole is an AWS role of the file with its id and source resolved.
type wantedAwsRole struct {
	id, source string
	role       fileAwsRole
}

// wantedAwsRoles lists the file's AWS roles for tenant, in file order.
func wantedAwsRoles(tenant string, sources []fileSource) []wantedAwsRole {
	var want []wantedAwsRole
	for _, src := range sources {
		for _, ar := range src.AwsRoles {
			id := ar.ID
			if id == "" {
				id = derivedID("aws-role", tenant, ar.ARN)
			}
			want = append(want, wantedAwsRole{id: id, source: src.ID, role: ar})
		}
	}
	return want
}

// syncAwsRoles inserts or updates the AWS roles of the file, drops stored
// roles whose ARN the file now gives another id, and marks the rest MISSING.
func (s *Server) syncAwsRoles(ctx context.Context, tx *sql.Tx, tenant string, sources []fileSource, now string) error {
	existing, err := s.store.AwsRoleRows(ctx, tx, tenant)
	if err != nil {
		return err
	}
	want := wantedAwsRoles(tenant, sources)
	if err := s.dropRenamedAwsRoles(ctx, tx, tenant, existing, want); err != nil {
		return err
	}
	present := map[string]bool{}
	for _, wr := range want {
		present[wr.id] = true
		row := awsRoleRow{name: wr.role.Name, arn: wr.role.ARN, desc: toNullString(wr.role.Description), source: wr.source, status: "OK"}
		old, ok := existing[wr.id]
		if ok && old == row {
			continue
		}
		if err := s.store.PutAwsRole(ctx, tx, tenant, wr.id, row, ok, now); err != nil {
			return fmt.Errorf("%s: %w", wr.role.ARN, err)
		}
	}
	return s.markMissing(ctx, tx, tenant, existing, present, now)
}

// dropRenamedAwsRoles deletes (with their mappings) the stored roles whose
// ARN the file now gives another (explicit) id, and removes them from
// existing: the ARN is unique per tenant.
func (s *Server) dropRenamedAwsRoles(ctx context.Context, tx *sql.Tx, tenant string, existing map[string]awsRoleRow, want []wantedAwsRole) error {
	idOfARN := map[string]string{}
	for _, wr := range want {
		idOfARN[wr.role.ARN] = wr.id
	}
	for id, old := range existing {
		if newID, ok := idOfARN[old.arn]; ok && newID != id {
			s.log.Warn("roles file: AWS role changed its id; the old one and its mappings are dropped",
				"tenant", tenant, "arn", old.arn, "old_id", id, "new_id", newID)
			if err := s.store.DeleteAwsRole(ctx, tx, tenant, id); err != nil {
				return err
			}
			delete(existing, id)
		}
	}
	return nil
}

// markMissing sets the stored AWS roles that are not present (and not
// MISSING yet) to MISSING; they keep their mappings.
func (s *Server) markMissing(ctx context.Context, tx *sql.Tx, tenant string, existing map[string]awsRoleRow, present map[string]bool, now string) error {
	var vanished []string
	for id, old := range existing {
		if !present[id] && old.status != "MISSING" {
			vanished = append(vanished, id)
		}
	}
	sort.Strings(vanished)
	for _, id := range vanished {
		if err := s.store.MarkAwsRoleMissing(ctx, tx, tenant, id, now); err != nil {
			return err
		}
	}
	return nil
}

// toNullString converts an optional string to a column value.
func toNullString(p *string) sql.NullString {
	if p == nil {
		return sql.NullString{}
	}
	return sql.NullString{String: *p, Valid: true}
}

// syncAllTenants applies the discovery file to every tenant, each in its
// own transaction.
func (s *Server) syncAllTenants(ctx context.Context, f *rolesFile) error {
	if f == nil {
		return nil
	}
	var tenants []string
	err := s.inTx(ctx, func(tx *sql.Tx) (err error) {
		tenants, err = s.store.TenantIDs(ctx, tx)
		return err
	})
	if err != nil {
		return err
	}
	for _, t := range tenants {
		if err := s.inTx(ctx, func(tx *sql.Tx) error { return s.syncTenant(ctx, tx, t, f) }); err != nil {
			return fmt.Errorf("discovery for tenant %s: %w", t, err)
		}
	}
	return nil
}
