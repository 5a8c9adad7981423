package server

// Member names are case-sensitive. encoding/json matches a member name to a
// struct field case-insensitively ("NAME" and "principal_scope_tyPe" fill
// name and principal_scope_type), which the contract's
// additionalProperties: false does not allow, and which the handlers'
// checks of the raw members (absent vs null) would not see. checkExactKeys
// refuses such names as unknown fields.

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
)

var rawMessageType = reflect.TypeFor[json.RawMessage]()

// checkExactKeys records an unknown_field finding for every member name of
// the JSON data (already decoded into a value of type t without error)
// that is not exactly the name of a field of t, recursively; loc is data's
// location.
func checkExactKeys(v *validation, data []byte, t reflect.Type, loc string) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t == rawMessageType || reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]()) {
		return // decoded by its own rules (or kept raw and checked later)
	}
	data = bytes.TrimSpace(data)
	switch t.Kind() {
	case reflect.Struct:
		var members map[string]json.RawMessage
		if json.Unmarshal(data, &members) != nil {
			return
		}
		fields := jsonFields(t)
		for name, val := range members {
			ft, ok := fields[name]
			if !ok {
				where := memberLocation(loc, name)
				v.add(where, "unknown_field", "unknown field %q; member names are case-sensitive%s", name, didYouMean(fields, name))
				continue
			}
			checkExactKeys(v, val, ft, memberLocation(loc, name))
		}
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(data, &items) != nil {
			return
		}
		for i, it := range items {
			checkExactKeys(v, it, t.Elem(), loc+"["+strconv.Itoa(i)+"]")
		}
	case reflect.Map:
		var members map[string]json.RawMessage
		if t.Key().Kind() != reflect.String || json.Unmarshal(data, &members) != nil {
			return
		}
		for name, val := range members {
			checkExactKeys(v, val, t.Elem(), loc+"["+jsonQuote(name)+"]")
		}
	}
}

// memberLocation is the location of member name of the object at loc.
func memberLocation(loc, name string) string {
	switch {
	case !isIdentifier(name):
		return loc + "[" + jsonQuote(name) + "]"
	case loc == "":
		return name
	}
	return loc + "." + name
}

// didYouMean suggests the field name matches case-insensitively.
func didYouMean(fields map[string]reflect.Type, name string) string {
	for f := range fields {
		if strings.EqualFold(f, name) {
			return "; did you mean " + strconv.Quote(f) + "?"
		}
	}
	return ""
}

// jsonFields maps the JSON member names of struct type t (embedded structs'
// fields promoted, outer fields winning) to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	var embedded []reflect.StructField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		if f.Anonymous && name == "" {
			embedded = append(embedded, f)
			continue
		}
		if !f.IsExported() {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	for _, f := range embedded {
		et := f.Type
		for et.Kind() == reflect.Pointer {
			et = et.Elem()
		}
		if et.Kind() != reflect.Struct {
			continue
		}
		for name, ft := range jsonFields(et) {
			if _, ok := out[name]; !ok {
				out[name] = ft
			}
		}
	}
	return out
}
