package server

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jitsudo-community/terraform-provider-jitsudo/internal/api"
)

// The permission set aggregate of the store: the tenant's AWS permission
// sets, written in bulk. Their bodies are checked before (permission_sets.go).

const permissionSetColumns = `id, name, account_id, metadata, rank, description, session_duration, relay_state, last_synced_at`

func scanPermissionSet(sc rowScanner) (api.PermissionSet, error) {
	var (
		ps                                                api.PermissionSet
		metadata, synced                                  string
		account, description, sessionDuration, relayState sql.NullString
		rank                                              sql.NullInt64
	)
	if err := sc.Scan(&ps.Id, &ps.Name, &account, &metadata, &rank, &description, &sessionDuration, &relayState, &synced); err != nil {
		return ps, err
	}
	ps.AccountId = fromNullString(account)
	ps.Rank = fromNullInt64(rank)
	ps.Description = fromNullString(description)
	ps.SessionDuration = fromNullString(sessionDuration)
	ps.RelayState = fromNullString(relayState)
	ps.LastSyncedAt = parseTime(synced)
	md, err := decodeMetadata([]byte(metadata))
	if err != nil {
		return ps, fmt.Errorf("permission set %s: stored metadata: %w", ps.Id, err)
	}
	ps.Metadata = md
	ps.Etag = permissionSetETag(ps)
	return ps, nil
}

// permissionSetETags returns the current ETag of each of ids of tenant
// that exists.
func permissionSetETags(ctx context.Context, tx *sql.Tx, tenant string, ids []string) (map[string]string, error) {
	const chunk = 500 // well below SQLite's limit of bound parameters
	out := make(map[string]string, len(ids))
	for start := 0; start < len(ids); start += chunk {
		part := ids[start:min(start+chunk, len(ids))]
		args := make([]any, 0, len(part)+1)
		args = append(args, tenant)
		for _, id := range part {
			args = append(args, id)
		}
		marks := strings.TrimSuffix(strings.Repeat("?,", len(part)), ",")
		rows, err := tx.QueryContext(ctx, `SELECT `+permissionSetColumns+` FROM permission_sets
			WHERE tenant_id = ? AND id IN (`+marks+`)`, args...)
		if err != nil {
			return nil, fmt.Errorf("read permission sets: %w", err)
		}
		for rows.Next() {
			ps, err := scanPermissionSet(rows)
			if err != nil {
				rows.Close()
				return nil, fmt.Errorf("read permission sets: %w", err)
			}
			out[ps.Id] = ps.Etag
		}
		err = rows.Err()
		rows.Close()
		if err != nil {
			return nil, fmt.Errorf("read permission sets: %w", err)
		}
	}
	return out, nil
}

// decodeMetadata decodes a JSON object keeping numbers as json.Number, so
// that they are written back exactly as they were sent.
func decodeMetadata(raw []byte) (map[string]any, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	md := map[string]any{}
	if err := dec.Decode(&md); err != nil {
		return nil, err
	}
	if md == nil {
		md = map[string]any{}
	}
	return md, nil
}

// PermissionSetByID reads one permission set of tenant; a missing one is
// a 404.
func (store) PermissionSetByID(ctx context.Context, tx *sql.Tx, tenant, id string) (api.PermissionSet, error) {
	ps, err := scanPermissionSet(tx.QueryRowContext(ctx,
		`SELECT `+permissionSetColumns+` FROM permission_sets WHERE tenant_id = ? AND id = ?`, tenant, id))
	if errors.Is(err, sql.ErrNoRows) {
		return ps, errNotFound("permission set", id)
	}
	if err != nil {
		return ps, fmt.Errorf("read permission set %s: %w", id, err)
	}
	return ps, nil
}

// UpsertPermissionSets inserts or replaces items (metadata[i] is the
// stored metadata of items[i]), all synced at now, after checking their
// if_match and if_none_match: a 412 listing every failing item writes
// nothing.
func (store) UpsertPermissionSets(ctx context.Context, tx *sql.Tx, tenant string, items []permissionSetInputBody, metadata []string, now string) error {
	if err := checkUpsertPreconditions(ctx, tx, tenant, items); err != nil {
		return err
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO permission_sets
		(tenant_id, id, name, account_id, metadata, rank, description, session_duration, relay_state, last_synced_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (tenant_id, id) DO UPDATE SET name = excluded.name, account_id = excluded.account_id,
			metadata = excluded.metadata, rank = excluded.rank, description = excluded.description,
			session_duration = excluded.session_duration, relay_state = excluded.relay_state,
			last_synced_at = excluded.last_synced_at`)
	if err != nil {
		return fmt.Errorf("upsert permission sets: %w", err)
	}
	defer stmt.Close()
	for i, in := range items {
		if _, err := stmt.ExecContext(ctx, tenant, in.Id, in.Name, nullableArg(in.AccountId), metadata[i],
			nullableArg(in.Rank), nullableArg(in.Description), nullableArg(in.SessionDuration), nullableArg(in.RelayState), now); err != nil {
			return fmt.Errorf("upsert permission set %s: %w", in.Id, err)
		}
	}
	return nil
}

// checkUpsertPreconditions checks the if_match and if_none_match of the
// items of a bulk upsert against the stored sets: a 412 listing every
// failing item, or nil.
func checkUpsertPreconditions(ctx context.Context, tx *sql.Tx, tenant string, items []permissionSetInputBody) error {
	var ids []string
	for _, in := range items {
		if in.IfMatch != nil || in.IfNoneMatch != nil {
			ids = append(ids, in.Id)
		}
	}
	if len(ids) == 0 {
		return nil
	}
	current, err := permissionSetETags(ctx, tx, tenant, ids)
	if err != nil {
		return err
	}
	v := &validation{}
	for i, in := range items {
		cur, exists := current[in.Id]
		prefix := fmt.Sprintf("resources[%d]", i)
		switch {
		case in.IfMatch != nil && !exists:
			v.add(prefix+".if_match", api.CodePreconditionFailed, "permission set %s does not exist (if_match %s)", in.Id, *in.IfMatch)
		case in.IfMatch != nil && !etagMatches(*in.IfMatch, cur):
			v.add(prefix+".if_match", api.CodePreconditionFailed, "permission set %s has another current ETag %s (if_match %s)", in.Id, cur, *in.IfMatch)
		case in.IfNoneMatch != nil && exists:
			v.add(prefix+".if_none_match", api.CodePreconditionFailed, "permission set %s already exists (current ETag %s; if_none_match *)", in.Id, cur)
		}
	}
	return v.preconditionErr()
}

// PermissionSetsPage is one page of ListPermissionSets (permissionSetsQuery)
// with next_cursor.
func (store) PermissionSetsPage(ctx context.Context, tx *sql.Tx, tenant string, params api.ListPermissionSetsParams, key *pageKey, limit int) (api.PermissionSetList, error) {
	q, args := permissionSetsQuery(tenant, params, key, limit)
	data, hasMore, err := queryPage(ctx, tx, "permission sets", limit, scanPermissionSet, q, args...)
	if err != nil {
		return api.PermissionSetList{}, err
	}
	var last pageKey
	if n := len(data); n > 0 {
		last = pageKey{List: "permission-sets", ID: data[n-1].Id}
	}
	return api.PermissionSetList{Data: data, HasMore: hasMore, NextCursor: nextPageCursor(hasMore, last)}, nil
}

// permissionSetsQuery is the SELECT of one page of ListPermissionSets,
// with limit+1 rows to tell whether there are more.
func permissionSetsQuery(tenant string, params api.ListPermissionSetsParams, key *pageKey, limit int) (string, []any) {
	q := `SELECT ` + permissionSetColumns + ` FROM permission_sets WHERE tenant_id = ?`
	args := []any{tenant}
	if params.AccountId != nil {
		q += ` AND account_id = ?`
		args = append(args, *params.AccountId)
	}
	if key != nil {
		q += ` AND id > ?`
		args = append(args, key.ID)
	}
	q += ` ORDER BY id LIMIT ?`
	return q, append(args, limit+1)
}

// DeletePermissionSet deletes one permission set of tenant after checking
// If-Match against its etag (404 first, then 412).
func (st store) DeletePermissionSet(ctx context.Context, tx *sql.Tx, tenant, id string, ifMatch *string) error {
	cur, err := st.PermissionSetByID(ctx, tx, tenant, id)
	if err != nil {
		return err
	}
	if err := checkIfMatch(ifMatch, cur.Etag); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM permission_sets WHERE tenant_id = ? AND id = ?`, tenant, id); err != nil {
		return fmt.Errorf("delete permission set %s: %w", id, err)
	}
	return nil
}

// DeletePermissionSets deletes each listed id once, after checking the
// if_match preconditions (a 412 deletes nothing); ids that were not there
// are the result's missing.
func (store) DeletePermissionSets(ctx context.Context, tx *sql.Tx, tenant string, ids []string, ifMatch map[string]string) (api.DeleteResult, error) {
	out := api.DeleteResult{Missing: []string{}}
	if err := checkDeletePreconditions(ctx, tx, tenant, ids, ifMatch); err != nil {
		return out, err
	}
	stmt, err := tx.PrepareContext(ctx, `DELETE FROM permission_sets WHERE tenant_id = ? AND id = ?`)
	if err != nil {
		return out, fmt.Errorf("delete permission sets: %w", err)
	}
	defer stmt.Close()
	seen := make(map[string]bool, len(ids))
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		res, err := stmt.ExecContext(ctx, tenant, id)
		if err != nil {
			return out, fmt.Errorf("delete permission set %s: %w", id, err)
		}
		n, err := res.RowsAffected()
		if err != nil {
			return out, fmt.Errorf("delete permission set %s: %w", id, err)
		}
		if n == 0 {
			out.Missing = append(out.Missing, id)
		}
		out.Deleted += int(n)
	}
	return out, nil
}

// checkDeletePreconditions checks the if_match of a bulk delete: a 412
// listing every listed set (once, in request order) that exists with
// another ETag, or nil. Sets that do not exist pass.
func checkDeletePreconditions(ctx context.Context, tx *sql.Tx, tenant string, ids []string, ifMatch map[string]string) error {
	if len(ifMatch) == 0 {
		return nil
	}
	var checked []string
	seen := make(map[string]bool, len(ifMatch))
	for _, id := range ids {
		if _, ok := ifMatch[id]; ok && !seen[id] {
			seen[id] = true
			checked = append(checked, id)
		}
	}
	current, err := permissionSetETags(ctx, tx, tenant, checked)
	if err != nil {
		return err
	}
	v := &validation{}
	for _, id := range checked {
		if cur, exists := current[id]; exists && !etagMatches(ifMatch[id], cur) {
			v.add(ifMatchLocation(id), api.CodePreconditionFailed, "permission set %s has another current ETag %s (if_match %s)", id, cur, ifMatch[id])
		}
	}
	return v.preconditionErr()
}
