package cedar

// Access decisions: a Cedar request evaluated against a policy set and
// entities with cedar-go, the evaluator the JITSudo broker uses. The
// provider's cedar_is_authorized function and jitsudo_authorization data
// source only translate their arguments to and from these types.

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	cedargo "github.com/cedar-policy/cedar-go"
	"github.com/cedar-policy/cedar-go/types"
	"github.com/cedar-policy/cedar-go/x/exp/schema/validate"
)

// Arguments named by an InputError.
const (
	ArgPolicies = "policies"
	ArgRequest  = "request"
	ArgEntities = "entities"
	ArgSchema   = "schema"
)

// Decisions of an Authorization.
const (
	DecisionAllow = "allow"
	DecisionDeny  = "deny"
)

// InputError is bad input to an access decision: Arg is the argument at
// fault (ArgPolicies, ArgRequest, ArgEntities or ArgSchema), Path where in
// it ("principal", "[2].uid", "" for the whole argument), Message why.
type InputError struct {
	Arg     string
	Path    string
	Message string
}

// Error implements error.
func (e *InputError) Error() string {
	if e.Path == "" {
		return e.Arg + ": " + e.Message
	}
	return e.Arg + " " + e.Path + ": " + e.Message
}

func inputErrorf(arg, path, format string, args ...any) *InputError {
	return &InputError{Arg: arg, Path: path, Message: fmt.Sprintf(format, args...)}
}

// AuthorizationError is a policy whose evaluation failed, e.g. on a missing
// attribute; Cedar skips such a policy.
type AuthorizationError struct {
	Policy  string
	Message string
}

// Authorization is the answer to a request: Decision is DecisionAllow or
// DecisionDeny; Reasons are the ids of the determining policies (the
// satisfied forbid policies of a deny, else the satisfied permit policies
// of an allow; none for a deny because nothing permits), in policy-set
// order; Errors are the policies whose evaluation failed, in policy-set
// order. Neither list is nil.
type Authorization struct {
	Decision string
	Reasons  []string
	Errors   []AuthorizationError
}

// PolicySet is a set of static Cedar policies with an id each, in their
// order of definition.
type PolicySet struct {
	set *cedargo.PolicySet
	ids []string // in order of definition
}

// Statement is one policy of NewPolicySet: its id and its Cedar text.
type Statement struct {
	ID   string
	Text string
}

// ParsePolicySet parses text, any number of Cedar policies (as accepted by
// [SplitPolicySet]), into a PolicySet. A policy's id is its @id annotation,
// else "policyN" for the N-th policy (from 0), the ids Cedar gives policies
// parsed from one text. Syntax errors are *SyntaxError; two policies with
// the same id are an *InputError.
func ParsePolicySet(text string) (*PolicySet, error) {
	list, err := parseList(text)
	if err != nil {
		return nil, err
	}
	ps := &PolicySet{set: cedargo.NewPolicySet(), ids: make([]string, 0, len(list))}
	for i, p := range list {
		id := fmt.Sprintf("policy%d", i)
		if a, ok := p.Annotations()["id"]; ok {
			id = string(a)
		}
		if !ps.set.Add(cedargo.PolicyID(id), p) {
			return nil, inputErrorf(ArgPolicies, "", "two policies have the id %q (policy %d of the text is the second); give each policy its own @id annotation", id, i)
		}
		ps.ids = append(ps.ids, id)
	}
	return ps, nil
}

// NewPolicySet makes a PolicySet of statements, each of which must hold
// exactly one policy (see [ParseOne]), under the statement's ID. A bad
// statement is an *InputError of ArgPolicies naming its id.
func NewPolicySet(statements []Statement) (*PolicySet, error) {
	ps := &PolicySet{set: cedargo.NewPolicySet(), ids: make([]string, 0, len(statements))}
	for _, s := range statements {
		p, err := ParseOne(s.Text)
		if err != nil {
			return nil, inputErrorf(ArgPolicies, s.ID, "%v", err)
		}
		if !ps.set.Add(cedargo.PolicyID(s.ID), p) {
			return nil, inputErrorf(ArgPolicies, s.ID, "the id is used twice")
		}
		ps.ids = append(ps.ids, s.ID)
	}
	return ps, nil
}

// IDs returns the policies' ids in order of definition.
func (ps *PolicySet) IDs() []string { return slices.Clone(ps.ids) }

// Query is a Cedar request with the entities it is evaluated against.
type Query struct {
	req      cedargo.Request
	entities types.EntityMap
}

// NewQuery checks and converts a request and its entities, given as
// JSON-shaped Go values (as encoding/json decodes them into any, numbers
// as float64 or json.Number).
//
// request is an object with principal, action and resource, each an entity
// reference written `Type::"id"` or as an object {type, id} (or Cedar's
// {"__entity": {type, id}}), and an optional context, an object of Cedar
// values in Cedar's JSON value format. entities is a list (or nil) of
// entities in Cedar's JSON entity format, {uid, attrs, parents}, where uid
// and the parents may also be written `Type::"id"`, and attrs and parents
// may be left out.
//
// With a schema s, the request and the entities are validated against it,
// and the schema's action entities (with their action groups) are added to
// the entities, as Cedar does. Bad input is an *InputError.
func NewQuery(request, entities any, s *Schema) (*Query, error) {
	req, err := parseRequest(request)
	if err != nil {
		return nil, err
	}
	ents, order, err := parseEntities(entities)
	if err != nil {
		return nil, err
	}
	if s != nil {
		v := validate.New(s.resolved, validate.WithStrict())
		if err := v.Request(req); err != nil {
			return nil, inputErrorf(ArgRequest, "", "does not match the schema: %v", err)
		}
		for i, uid := range order {
			if err := v.Entity(ents[uid]); err != nil {
				return nil, inputErrorf(ArgEntities, fmt.Sprintf("[%d]", i), "%s does not match the schema: %v", uid, err)
			}
		}
		for uid, a := range s.resolved.Actions {
			if _, ok := ents[uid]; !ok {
				ents[uid] = a.Entity
			}
		}
	}
	return &Query{req: req, entities: ents}, nil
}

// Authorize evaluates q against the policy set, as Cedar does: deny if a
// forbid policy is satisfied, else allow if a permit policy is, else deny.
func (ps *PolicySet) Authorize(q *Query) Authorization {
	decision, diag := cedargo.Authorize(ps.set, q.entities, q.req)
	pos := make(map[string]int, len(ps.ids))
	for i, id := range ps.ids {
		pos[id] = i
	}
	a := Authorization{Decision: DecisionDeny, Reasons: []string{}, Errors: []AuthorizationError{}}
	if decision == cedargo.Allow {
		a.Decision = DecisionAllow
	}
	for _, r := range diag.Reasons {
		a.Reasons = append(a.Reasons, string(r.PolicyID))
	}
	slices.SortFunc(a.Reasons, func(x, y string) int { return cmp.Compare(pos[x], pos[y]) })
	for _, e := range diag.Errors {
		a.Errors = append(a.Errors, AuthorizationError{Policy: string(e.PolicyID), Message: e.Message})
	}
	slices.SortFunc(a.Errors, func(x, y AuthorizationError) int { return cmp.Compare(pos[x.Policy], pos[y.Policy]) })
	return a
}

// AuthorizeFirstApplicable evaluates q against sets in order, each on its
// own (see [PolicySet.Authorize]), and returns the index of the first set
// that applies, meaning that one of its policies is satisfied, with that
// set's authorization (its Errors include those of the sets before it).
// When no set applies the index is -1 and the decision is deny.
//
// This is how the JITSudo broker evaluates a tenant's enabled policies:
// the policies in priority order, the first one with a satisfied rule
// decides.
func AuthorizeFirstApplicable(sets []*PolicySet, q *Query) (int, Authorization) {
	errs := []AuthorizationError{}
	for i, ps := range sets {
		a := ps.Authorize(q)
		errs = append(errs, a.Errors...)
		if len(a.Reasons) > 0 {
			a.Errors = errs
			return i, a
		}
	}
	return -1, Authorization{Decision: DecisionDeny, Reasons: []string{}, Errors: errs}
}

// ParseEntityRef parses an entity reference written `Type::"id"`, such as
// `User::"alice"` or `Jitsudo::Action::"approve"`.
func ParseEntityRef(s string) (types.EntityUID, error) {
	var uid types.EntityUID
	if err := uid.UnmarshalCedar([]byte(strings.TrimSpace(s))); err != nil {
		return uid, fmt.Errorf("%q is not an entity reference: write it Type::\"id\", e.g. User::\"alice\"", s)
	}
	return uid, nil
}

// requestKeys are the members of a request.
var requestKeys = []string{"principal", "action", "resource", "context"}

func parseRequest(request any) (cedargo.Request, error) {
	var req cedargo.Request
	m, ok := request.(map[string]any)
	if !ok {
		return req, inputErrorf(ArgRequest, "", "must be an object { principal, action, resource, context }, got %s", jsonKind(request))
	}
	for k := range m {
		if !slices.Contains(requestKeys, k) {
			return req, inputErrorf(ArgRequest, k, "unknown member; a request has principal, action, resource and context")
		}
	}
	for _, f := range []struct {
		name string
		dst  *types.EntityUID
	}{{"principal", &req.Principal}, {"action", &req.Action}, {"resource", &req.Resource}} {
		v, ok := m[f.name]
		if !ok || v == nil {
			return req, inputErrorf(ArgRequest, f.name, "is missing: give an entity reference such as User::\"alice\"")
		}
		uid, err := entityRef(v)
		if err != nil {
			return req, inputErrorf(ArgRequest, f.name, "%v", err)
		}
		*f.dst = uid
	}
	req.Context = types.Record{}
	if c, ok := m["context"]; ok && c != nil {
		if _, ok := c.(map[string]any); !ok {
			return req, inputErrorf(ArgRequest, "context", "must be an object (a Cedar record), got %s", jsonKind(c))
		}
		if err := cedarValue(c, "context", &req.Context); err != nil {
			return req, inputErrorf(ArgRequest, "context", "%v", err)
		}
	}
	return req, nil
}

// entityRef reads a reference `Type::"id"`, {type, id} or {"__entity":
// {type, id}}.
func entityRef(v any) (types.EntityUID, error) {
	switch r := v.(type) {
	case string:
		return ParseEntityRef(r)
	case map[string]any:
		if e, ok := r["__entity"]; ok && len(r) == 1 {
			return entityRef(e)
		}
		t, tok := r["type"].(string)
		id, iok := r["id"].(string)
		if !tok || !iok || len(r) != 2 {
			return types.EntityUID{}, errors.New(`an entity reference object has exactly the string members "type" and "id"`)
		}
		if !IsValidEntityType(t) {
			return types.EntityUID{}, fmt.Errorf("%q is not a Cedar entity type name", t)
		}
		return types.NewEntityUID(types.EntityType(t), types.String(id)), nil
	default:
		return types.EntityUID{}, fmt.Errorf("an entity reference is a string Type::\"id\" or an object { type, id }, got %s", jsonKind(v))
	}
}

// entityKeys are the members of an entity.
var entityKeys = []string{"uid", "attrs", "parents", "tags"}

// parseEntities returns the entities and their uids in the order given.
func parseEntities(entities any) (types.EntityMap, []types.EntityUID, error) {
	ents := types.EntityMap{}
	if entities == nil {
		return ents, nil, nil
	}
	list, ok := entities.([]any)
	if !ok {
		return nil, nil, inputErrorf(ArgEntities, "", "must be a list of entities { uid, attrs, parents }, got %s", jsonKind(entities))
	}
	order := make([]types.EntityUID, 0, len(list))
	for i, item := range list {
		at := fmt.Sprintf("[%d]", i)
		m, ok := item.(map[string]any)
		if !ok {
			return nil, nil, inputErrorf(ArgEntities, at, "an entity is an object { uid, attrs, parents }, got %s", jsonKind(item))
		}
		for k := range m {
			if !slices.Contains(entityKeys, k) {
				return nil, nil, inputErrorf(ArgEntities, at+"."+k, "unknown member; an entity has uid, attrs, parents and tags")
			}
		}
		if m["uid"] == nil {
			return nil, nil, inputErrorf(ArgEntities, at+".uid", "is missing: give the entity's reference, e.g. User::\"alice\"")
		}
		uid, err := entityRef(m["uid"])
		if err != nil {
			return nil, nil, inputErrorf(ArgEntities, at+".uid", "%v", err)
		}
		if _, dup := ents[uid]; dup {
			return nil, nil, inputErrorf(ArgEntities, at+".uid", "%s is listed twice", uid)
		}
		e := types.Entity{UID: uid, Attributes: types.Record{}, Tags: types.Record{}}
		var parents []types.EntityUID
		if ps := m["parents"]; ps != nil {
			pl, ok := ps.([]any)
			if !ok {
				return nil, nil, inputErrorf(ArgEntities, at+".parents", "must be a list of entity references, got %s", jsonKind(ps))
			}
			for j, p := range pl {
				puid, err := entityRef(p)
				if err != nil {
					return nil, nil, inputErrorf(ArgEntities, fmt.Sprintf("%s.parents[%d]", at, j), "%v", err)
				}
				parents = append(parents, puid)
			}
		}
		e.Parents = types.NewEntityUIDSet(parents...)
		for _, f := range []struct {
			name string
			dst  *types.Record
		}{{"attrs", &e.Attributes}, {"tags", &e.Tags}} {
			v := m[f.name]
			if v == nil {
				continue
			}
			if _, ok := v.(map[string]any); !ok {
				return nil, nil, inputErrorf(ArgEntities, at+"."+f.name, "must be an object (a Cedar record), got %s", jsonKind(v))
			}
			if err := cedarValue(v, f.name, f.dst); err != nil {
				return nil, nil, inputErrorf(ArgEntities, at+"."+f.name, "%v", err)
			}
		}
		ents[uid] = e
		order = append(order, uid)
	}
	return ents, order, nil
}

// cedarValue decodes v, a JSON-shaped value, with cedar-go's schemaless
// JSON decoding (Rust Cedar's), after checking for what has no Cedar value:
// a null, or a number that is not a Long, named by its path.
func cedarValue(v any, name string, dst *types.Record) error {
	if err := checkValues(v, name); err != nil {
		return err
	}
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if err := json.Unmarshal(b, dst); err != nil {
		return errors.New(strings.TrimPrefix(err.Error(), "json: "))
	}
	return nil
}

// checkValues finds the first null or non-Long number inside v.
func checkValues(v any, at string) error {
	switch x := v.(type) {
	case nil:
		return fmt.Errorf("%s is null, which is not a Cedar value; leave the attribute out instead", at)
	case float64, json.Number:
		if _, err := strconv.ParseInt(fmt.Sprint(x), 10, 64); err != nil {
			return fmt.Errorf("%s is %v, which is not a Cedar Long (a whole number from -2^63 to 2^63-1); "+
				"write fractions as decimal(\"1.5\"): { __extn = { fn = \"decimal\", arg = \"1.5\" } }", at, x)
		}
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			if err := checkValues(x[k], at+"."+k); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range x {
			if err := checkValues(e, fmt.Sprintf("%s[%d]", at, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

// jsonKind names the JSON kind of v for messages.
func jsonKind(v any) string {
	switch v.(type) {
	case nil:
		return "null"
	case string:
		return "a string"
	case bool:
		return "a bool"
	case float64, json.Number:
		return "a number"
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	default:
		return fmt.Sprintf("%T", v)
	}
}
