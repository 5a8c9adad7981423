#!/usr/bin/env bash
# `make api-tour`: builds jitsudo-local, starts it on a free port with a
# fresh SQLite database under .local/api-tour/, walks through the JITSudo
# API with curl, printing every request and response, and stops the server.
#
# Needs Go and curl; uses jq to pretty-print when it is installed.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

# shellcheck source=scripts/local-server.sh
source scripts/local-server.sh

command -v go >/dev/null || { echo "api-tour: go is not installed" >&2; exit 1; }
command -v curl >/dev/null || { echo "api-tour: curl is not installed" >&2; exit 1; }
have_jq=false
command -v jq >/dev/null && have_jq=true

bold "==> Building bin/jitsudo-local"
mkdir -p bin
go build -o bin/jitsudo-local ./cmd/jitsudo-local

demo_dir=.local/api-tour
start_local_server "$demo_dir"
tenant=$demo_tenant
api_key=$demo_api_key
read_only_key=$demo_read_only_key
roles_file=$demo_roles_file

# ---- helpers ---------------------------------------------------------------

body_file="$demo_dir/response.json"

# call EXPECTED_STATUS METHOD PATH [BODY] [KEY]: prints the request as a
# curl command, sends it, prints the status and body, and stops the demo
# if the status is not the expected one. The body is left in $body_file.
call() {
  local want=$1 method=$2 path=$3 body=${4-} key=${5:-$api_key}
  local -a args=(-sS -X "$method" -H "X-API-Key: $key" -H "X-Tenant-ID: $tenant")
  local shown="curl -X $method -H 'X-API-Key: $key' -H 'X-Tenant-ID: $tenant'"
  if [ "$path" = /healthz ]; then
    args=(-sS -X "$method")
    shown="curl -X $method"
  fi
  if [ -n "$body" ]; then
    args+=(-H 'Content-Type: application/json' --data "$body")
    shown+=" -H 'Content-Type: application/json' --data '$body'"
  fi
  echo "\$ $shown '$base$path'"
  local status
  status=$(curl "${args[@]}" -o "$body_file" -w '%{http_code}' "$base$path")
  echo "HTTP $status"
  if [ "$status" != "$want" ]; then
    pretty <"$body_file"
    echo "api-tour: expected HTTP $want from $method $path, got $status" >&2
    exit 1
  fi
}

pretty() {
  if $have_jq; then jq .; else cat; echo; fi
}

# show JQ_FILTER: prints the last response through a jq filter, or whole
# without jq.
show() {
  if $have_jq; then jq -r "$1" <"$body_file"; else cat "$body_file"; echo; fi
}

# id_of: the "id" of the first object in the last response (a list's first
# item, or the object itself).
id_of() {
  if $have_jq; then
    jq -r 'if has("data") then .data[0].id else .id end' <"$body_file"
  else
    grep -o '"id": *"[^"]*"' "$body_file" | head -n 1 | sed 's/.*"\([^"]*\)"$/\1/'
  fi
}

# ---- the session -----------------------------------------------------------

step "Health check (no credentials needed)"
call 200 GET /healthz
show .

step "The tenant's Cedar schema rules are validated against (first lines)"
call 200 GET /v1/cedar/schema
if $have_jq; then jq -r .schema <"$body_file" | head -n 12; echo "..."; else head -c 600 "$body_file"; echo " ..."; fi

step "AWS roles discovered from $roles_file"
call 200 GET '/v1/aws/roles?limit=250'
show '.data[] | "  \(.name)\t\(.status)\t\(.arn)"'

step "Internal roles AWS roles can be mapped to"
call 200 GET /v1/roles
show '.data[] | "  \(.name)\t\(.id)"'

step "Map the production BreakGlass AWS role to the roles sre and security-admin"
call 200 GET '/v1/roles?name=sre'
sre=$(id_of)
call 200 GET '/v1/roles?name=security-admin'
security_admin=$(id_of)
call 200 GET '/v1/aws/roles?arn=arn:aws:iam::123456789012:role/BreakGlass'
breakglass=$(id_of)
call 200 PUT "/v1/aws/roles/$breakglass/roles" "[{\"id\":\"$sre\"},{\"id\":\"$security_admin\"}]"
show .

step "Create an access policy"
call 201 POST /v1/policies '{"name":"prod-breakglass","description":"Emergency access to production","priority":100,"max_duration_seconds":3600,"default_duration_seconds":900}'
show .
policy=$(id_of)

step "Add a Cedar rule to the policy, from structured fields"
call 201 POST "/v1/policies/$policy/rules" '{"effect":"permit","principal_scope_type":"in","principal_entity_type":"Group","principal_entity_id":"sre","action_scope_type":"eq","action_ids":["request_access"],"resource_scope_type":"in","resource_entity_type":"AwsAccount","resource_entity_id":"123456789012","conditions":"when { context.duration_seconds <= 3600 }","notice":"Break-glass access is audited."}'
show .

step "The policy with its assembled Cedar policy set"
call 200 GET "/v1/policies/$policy"
show '.cedar_policy_set'

step "Bulk upsert two AWS permission sets (all or nothing)"
call 200 PUT /v1/aws/permission-sets '{"resources":[{"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0000000000000001","name":"ReadOnly","account_id":"123456789012","description":"Read-only access","session_duration":"PT8H","metadata":{"team":"platform"},"rank":1},{"id":"arn:aws:sso:::permissionSet/ssoins-1234567890abcdef/ps-0000000000000002","name":"Admin","account_id":"123456789012","session_duration":"PT1H","relay_state":"https://console.aws.amazon.com/","rank":2}]}'
show .
call 200 GET /v1/aws/permission-sets
show '.data[] | "  \(.name)\t\(.session_duration)\t\(.id)"'

step "An error: invalid Cedar is rejected with the location of the problem"
call 400 POST "/v1/policies/$policy/rules" '{"policy_text":"permit (principal, action, resource) when { context.duration_seconds <= };"}'
show .

step "An error: the read-only key may not write"
call 403 POST /v1/policies '{"name":"not-allowed","max_duration_seconds":3600}' "$read_only_key"
show .

echo
bold "==> API tour finished"
