// Computes the Rust reference decisions for the differential test of access
// decisions in internal/cedar (TestDifferentialAuthorize in
// ../authorize_difftest_test.go).
//
// Usage: node authorize.mjs [CASES.json | -]
//
// The input (default: stdin) is {"cases": [...]}, each case
// {id, policies, request, entities, schema?}: policies is a list of Cedar
// texts of one policy each; request is {principal, action, resource,
// context} with the entity references as {type, id}; entities is a list in
// Cedar's JSON entity format; schema, if any, the text of a Cedar schema
// against which the request is validated (validateRequest) and the
// entities are parsed and validated.
//
// A policy's id is its @id annotation, else "policyN" for the N-th policy
// (from 0): the ids internal/cedar gives the policies of one text. The
// policies are handed to cedar-wasm's isAuthorized as a map from these ids
// to their texts.
//
// Output, on stdout, is one JSON document
//
//	{"cedarVersion": "4.12.0", "results": [{id, decision, reasons, errors, failure?}, ...]}
//
// in input order: decision is "allow" or "deny", reasons the determining
// policy ids (sorted), errors the ids of the policies whose evaluation
// failed (sorted), failure the messages of a call that failed (bad input).

import { readFileSync } from 'node:fs';
import cedar from '@cedar-policy/cedar-wasm/nodejs';

const args = process.argv.slice(2);
if (args.length > 1 || (args[0] ?? '').startsWith('--')) {
  process.stderr.write('usage: node authorize.mjs [CASES.json | -]\n');
  process.exit(2);
}
const input = JSON.parse(readFileSync(!args[0] || args[0] === '-' ? 0 : args[0], 'utf8'));
if (!Array.isArray(input.cases)) {
  process.stderr.write('authorize.mjs: the input has no "cases" array\n');
  process.exit(2);
}

function describe(e) {
  return e.help ? `${e.message} (help: ${e.help})` : e.message;
}

// policyID is the id of policy i with text: its @id annotation or policyN.
function policyID(text, i) {
  const ans = cedar.policyToJson(text);
  if (ans.type !== 'success') {
    throw new Error(`policy ${i} does not parse: ${ans.errors.map(describe).join('; ')}`);
  }
  const id = ans.json.annotations?.id;
  return id === undefined || id === null ? `policy${i}` : id;
}

const results = input.cases.map((c) => {
  const staticPolicies = {};
  c.policies.forEach((text, i) => {
    staticPolicies[policyID(text, i)] = text;
  });
  const call = {
    principal: c.request.principal,
    action: c.request.action,
    resource: c.request.resource,
    context: c.request.context ?? {},
    policies: { staticPolicies },
    entities: c.entities ?? [],
  };
  if (c.schema) {
    call.schema = c.schema;
    call.validateRequest = true;
  }
  const ans = cedar.isAuthorized(call);
  if (ans.type !== 'success') {
    return { id: c.id, decision: '', reasons: [], errors: [], failure: ans.errors.map(describe) };
  }
  const d = ans.response.diagnostics;
  return {
    id: c.id,
    decision: ans.response.decision,
    reasons: [...d.reason].sort(),
    errors: d.errors.map((e) => e.policyId).sort(),
  };
});

process.stdout.write(JSON.stringify({ cedarVersion: cedar.getCedarVersion(), results }));
