#!/usr/bin/env bash
# Runs PostgreSQL from the OS packages in the foreground, for the AppHost and the test fixture when no
# container runtime answers. Usage: postgres.sh DIR PORT [postgres -c options...]
# DIR/password must hold the superuser password; the cluster lives in DIR/data and is made on first run.
# The server runs as the 'postgres' user when started as root (it refuses to run as root), through
# setpriv so that it keeps this script's PID and receives the orchestrator's signals directly.
set -euo pipefail
dir=$(realpath "$1"); port=$2; shift 2
bin=$(dirname "$(ls -1d /usr/lib/postgresql/*/bin/postgres 2>/dev/null | sort -V | tail -n 1)")
[ -x "$bin/postgres" ] || bin=$(pg_config --bindir 2>/dev/null || true)
[ -x "$bin/postgres" ] || { echo "postgres.sh: PostgreSQL server binaries not found; install the 'postgresql' package" >&2; exit 127; }
[ -s "$dir/password" ] || { echo "postgres.sh: $dir/password is missing" >&2; exit 2; }

as_owner=()
if [ "$(id -u)" = 0 ]; then
  chown -R postgres:postgres "$dir"
  chmod 700 "$dir"
  as_owner=(setpriv --reuid=postgres --regid=postgres --init-groups --)
  "${as_owner[@]}" test -r "$dir/password" \
    || { echo "postgres.sh: user postgres cannot reach $dir; every folder above it must be searchable (chmod o+x)" >&2; exit 2; }
fi

if [ ! -s "$dir/data/PG_VERSION" ]; then
  rm -rf "$dir/data"
  "${as_owner[@]}" "$bin/initdb" -D "$dir/data" -U postgres --pwfile="$dir/password" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 \
    || { cat "$dir/initdb.log" >&2; exit 1; }
fi

exec "${as_owner[@]}" "$bin/postgres" -D "$dir/data" -p "$port" -k "$dir" \
  -c listen_addresses=127.0.0.1 -c max_connections=300 -c logging_collector=off "$@"
