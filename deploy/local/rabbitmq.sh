#!/usr/bin/env bash
# Runs RabbitMQ from the OS packages in the foreground, for the AppHost and the test fixture when no
# container runtime answers. Usage: rabbitmq.sh DIR AMQP_PORT DIST_PORT [MANAGEMENT_PORT]
# (DIST_PORT is the Erlang distribution port, which rabbitmqctl uses; the caller picks free ports.)
# QUEUE_MAX_BYTES in the environment caps each work queue (below).
# DIR/password holds the password of the 'controltower' user made on first boot; node data, logs and the
# Erlang cookie live under DIR, so several instances run side by side on one machine.
set -euo pipefail
dir=$(realpath "$1"); port=$2; dist=$3; mgmt=${4:-}
server=/usr/lib/rabbitmq/bin/rabbitmq-server
[ -x "$server" ] || server=$(command -v rabbitmq-server || true)
[ -n "$server" ] || { echo "rabbitmq.sh: rabbitmq-server not found; install the 'rabbitmq-server' package" >&2; exit 127; }
[ -s "$dir/password" ] || { echo "rabbitmq.sh: $dir/password is missing" >&2; exit 2; }

mkdir -p "$dir/mnesia" "$dir/log"
{
  echo "listeners.tcp.1 = 127.0.0.1:$port"
  echo "default_user = controltower"
  echo "default_pass = $(cat "$dir/password")"
  echo "default_permissions.configure = .*"
  echo "default_permissions.read = .*"
  echo "default_permissions.write = .*"
  echo "log.console = true"
  echo "log.console.level = warning"
  echo "log.file = false"
  if [ -n "$mgmt" ]; then echo "management.tcp.ip = 127.0.0.1"; echo "management.tcp.port = $mgmt"; fi
} >"$dir/rabbitmq.conf"
if [ -n "$mgmt" ]; then echo '[rabbitmq_management].' >"$dir/enabled_plugins"; else echo '[].' >"$dir/enabled_plugins"; fi
chmod 600 "$dir/rabbitmq.conf"

export HOME=$dir RABBITMQ_MNESIA_BASE=$dir/mnesia RABBITMQ_LOG_BASE=$dir/log \
  RABBITMQ_CONFIG_FILE=$dir/rabbitmq.conf RABBITMQ_ENABLED_PLUGINS_FILE=$dir/enabled_plugins \
  RABBITMQ_NODENAME=ct$port@localhost RABBITMQ_DIST_PORT=$dist \
  RABBITMQ_PID_FILE=$dir/rabbitmq.pid \
  RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"

as_owner=()
if [ "$(id -u)" = 0 ] && id rabbitmq >/dev/null 2>&1; then
  chown -R rabbitmq:rabbitmq "$dir"
  as_owner=(setpriv --reuid=rabbitmq --regid=rabbitmq --init-groups --)
fi
# Backpressure: every work queue holds at most QUEUE_MAX_BYTES (default 1 GiB) of messages; past that the broker refuses
# new ones (overflow reject-publish), so a collector answers 503 with Retry-After instead of growing a backlog without
# bound while the consumers are behind or their database is down. Error and skipped queues are not limited. A policy,
# not queue arguments, so that it applies to queues that exist already and can be changed without redeclaring them.
max_bytes=${QUEUE_MAX_BYTES:-1073741824}
ctl=$(dirname "$server")/rabbitmqctl
[ -x "$ctl" ] || ctl=$(command -v rabbitmqctl || true)
if [ -n "$ctl" ]; then
  (
    for _ in $(seq 1 120); do
      if "${as_owner[@]}" "$ctl" -q -n "$RABBITMQ_NODENAME" await_startup --timeout 5 >/dev/null 2>&1; then
        "${as_owner[@]}" "$ctl" -q -n "$RABBITMQ_NODENAME" set_policy --apply-to queues ct-backlog '^(?!.*_(error|skipped)$).+' \
          "{\"max-length-bytes\":$max_bytes,\"overflow\":\"reject-publish\"}" >/dev/null \
          || echo "rabbitmq.sh: setting the backlog policy failed" >&2
        exit 0
      fi
      sleep 1
    done
    echo "rabbitmq.sh: the node did not start within 2 minutes; no backlog policy set" >&2
  ) &
fi
cd "$dir"
exec "${as_owner[@]}" "$server"
