// Computes the Rust reference verdicts for the differential test of
// internal/cedar (TestDifferentialAgainstCedarWasm in ../difftest_test.go).
//
// Usage: node verdicts.mjs [CORPUS.json | -] [--default-schema FILE]
//
// The corpus (default: stdin) is either an array of cases or an object with
// a "cases" array; each case is {id, category, policy, schema, note?}, where
// schema is "default" (the text of FILE, by default ../default.cedarschema)
// or the text of a Cedar schema in the human-readable format.
//
// Output, on stdout, is one JSON document:
//
//	{"cedarVersion": "4.12.0", "results": [{id, parses, valid, errors, warnings, errorOffset?}, ...]}
//
// in corpus order, where
//   - parses: the policy text is exactly one static policy. This is cedar's
//     Policy::from_str (policyToJson on a string): two policies fail with
//     "unexpected token", a template with "expected a static policy, got a
//     template", an empty text with "unexpected end of input".
//     (policySetTextToParts, by contrast, accepts any number of policies and
//     sorts templates into a list of their own.)
//   - valid: the policy parses, the schema parses, and strict validation
//     (cedar's default mode, the one cedar-go's validate.WithStrict mirrors)
//     reports no validation error. Validation warnings (lints such as
//     "policy is impossible") do not make a policy invalid; they are listed
//     in warnings for information.
//   - errors: the parse, schema or validation error messages (with cedar's
//     help text in parentheses), empty when valid.
//   - errorOffset: only when the policy does not parse, the start of the
//     first source location of the first parse error, a byte offset into
//     the policy text (UTF-8), or null when cedar reports no location.
//
// The @cedar-policy/cedar-wasm version is pinned exactly in package.json;
// install it with scripts/install-difftest.sh. Its Node.js entry point is
// the CommonJS module @cedar-policy/cedar-wasm/nodejs, which loads the wasm
// synchronously; the package's default entry is an ESM build for bundlers
// that imports the .wasm file directly, which Node.js refuses
// (ERR_UNKNOWN_FILE_EXTENSION).

import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import cedar from '@cedar-policy/cedar-wasm/nodejs';

function usage(msg) {
  process.stderr.write(`verdicts.mjs: ${msg}\nusage: node verdicts.mjs [CORPUS.json | -] [--default-schema FILE]\n`);
  process.exit(2);
}

const here = dirname(fileURLToPath(import.meta.url));
let corpusPath = '-';
let defaultSchemaPath = join(here, '..', 'default.cedarschema');
const args = process.argv.slice(2);
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--default-schema') {
    if (i + 1 >= args.length) usage('--default-schema needs a file');
    defaultSchemaPath = args[++i];
  } else if (args[i].startsWith('--')) {
    usage(`unknown option ${args[i]}`);
  } else {
    corpusPath = args[i];
  }
}

const corpus = JSON.parse(readFileSync(corpusPath === '-' ? 0 : corpusPath, 'utf8'));
const cases = Array.isArray(corpus) ? corpus : corpus.cases;
if (!Array.isArray(cases)) usage('the corpus is neither an array nor an object with a "cases" array');
const defaultSchema = readFileSync(defaultSchemaPath, 'utf8');

// describe renders a cedar DetailedError as one line.
function describe(e) {
  let s = e.message;
  if (e.help) s += ` (help: ${e.help})`;
  return s;
}

// Parse every case on its own; then validate the cases that parse, one
// cedar validate call per distinct schema (parsing a schema is the costly
// part), each policy under its own id.
const results = cases.map((c) => {
  const out = { id: c.id, parses: false, valid: false, errors: [], warnings: [] };
  const parsed = cedar.policyToJson(c.policy);
  if (parsed.type !== 'success') {
    out.errors = parsed.errors.map(describe);
    const loc = parsed.errors[0]?.sourceLocations?.[0];
    out.errorOffset = loc ? loc.start : null;
  } else {
    out.parses = true;
  }
  return out;
});

const bySchema = new Map(); // schema text -> indexes of the cases that parse
cases.forEach((c, i) => {
  if (!results[i].parses) return;
  const schema = c.schema === 'default' ? defaultSchema : c.schema;
  if (!bySchema.has(schema)) bySchema.set(schema, []);
  bySchema.get(schema).push(i);
});

// Strips the "for policy `c12`, " prefix that names our batch ids.
const policyPrefix = /for policy `c\d+`[,:] /g;

for (const [schema, indexes] of bySchema) {
  const staticPolicies = {};
  for (const i of indexes) staticPolicies[`c${i}`] = cases[i].policy;
  const answer = cedar.validate({ validationSettings: { mode: 'strict' }, schema, policies: { staticPolicies } });
  if (answer.type !== 'success') {
    // The schema does not parse or resolve: no case of it is valid.
    const errors = answer.errors.map(describe);
    const warnings = (answer.warnings || []).map(describe);
    for (const i of indexes) Object.assign(results[i], { errors, warnings });
    continue;
  }
  const other = answer.otherWarnings.map(describe);
  for (const i of indexes) results[i].warnings.push(...other);
  for (const [list, field] of [[answer.validationErrors, 'errors'], [answer.validationWarnings, 'warnings']]) {
    for (const v of list) {
      const i = Number(v.policyId.slice(1));
      if (!v.policyId.startsWith('c') || !indexes.includes(i)) {
        throw new Error(`cedar reported an unknown policy id ${v.policyId}`);
      }
      results[i][field].push(describe(v.error).replace(policyPrefix, ''));
    }
  }
  for (const i of indexes) results[i].valid = results[i].errors.length === 0;
}

process.stdout.write(JSON.stringify({ cedarVersion: cedar.getCedarVersion(), results }, null, 1) + '\n');
