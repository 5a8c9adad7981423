// Package api holds the JITSudo API contract: the OpenAPI 3 document
// (openapi.yaml, embedded as Spec) and the Go models and server interface
// generated from it by oapi-codegen (api.gen.go, `make generate`).
//
// The client and jitsudo-local both use these types, and the contract tests
// validate real responses against Spec, so neither side can drift from the
// document.
package api

import _ "embed"

// Spec is the OpenAPI 3 document of the API, as YAML.
//
//go:embed openapi.yaml
var Spec []byte
