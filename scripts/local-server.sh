# Sourced by scripts/demo.sh and scripts/api-tour.sh: starts jitsudo-local
# for a demo and stops it when the sourcing script exits.
#
# start_local_server DIR starts bin/jitsudo-local on a free loopback port
# with a fresh SQLite database in DIR, the demo tenant and keys below and
# the example discovery file, and sets $base to its URL.

demo_tenant=7c9e6679-7425-40de-944b-e07fc1f90ae7
demo_api_key=demo-read-write-key
demo_read_only_key=demo-read-only-key
demo_roles_file=examples/jitsudo-local/roles.json

bold() { if [ -t 1 ]; then printf '\033[1m%s\033[0m\n' "$*"; else printf '%s\n' "$*"; fi; }

server_pid=
server_dir=

stop_local_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true   # SIGTERM: graceful shutdown
    wait "$server_pid" 2>/dev/null || true
    echo "stopped jitsudo-local (its log: $server_dir/server.log)"
  fi
}

start_local_server() {
  server_dir=$1
  rm -rf "$server_dir"
  mkdir -p "$server_dir"
  bin/jitsudo-local -addr 127.0.0.1:0 -db "$server_dir/jitsudo-local.db" \
    -tenant "$demo_tenant" -api-key "$demo_api_key" -read-only-key "$demo_read_only_key" \
    -roles "$demo_roles_file" >"$server_dir/stdout.log" 2>"$server_dir/server.log" &
  server_pid=$!
  trap stop_local_server EXIT

  # jitsudo-local prints "jitsudo-local listening on http://HOST:PORT".
  base=
  for _ in $(seq 1 300); do
    base=$(sed -n 's/^jitsudo-local listening on \(http:\/\/[^ ]*\)$/\1/p' "$server_dir/stdout.log")
    [ -n "$base" ] && break
    if ! kill -0 "$server_pid" 2>/dev/null; then
      echo "jitsudo-local exited before listening; its log:" >&2
      cat "$server_dir/server.log" >&2
      exit 1
    fi
    sleep 0.1
  done
  if [ -z "$base" ]; then
    echo "jitsudo-local did not print its address within 30s; its log:" >&2
    cat "$server_dir/server.log" >&2
    exit 1
  fi
  bold "==> jitsudo-local is listening on $base"
  echo "    tenant $demo_tenant, read-write key $demo_api_key, read-only key $demo_read_only_key"
  echo "    database $server_dir/jitsudo-local.db, discovered roles from $demo_roles_file"
}
