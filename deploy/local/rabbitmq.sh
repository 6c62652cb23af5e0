#!/usr/bin/env bash
# Runs RabbitMQ from the OS packages in the foreground, for the AppHost and the test fixture when no
# container runtime answers. Usage: rabbitmq.sh DIR AMQP_PORT DIST_PORT [MANAGEMENT_PORT]
# (DIST_PORT is the Erlang distribution port, which rabbitmqctl uses; the caller picks free ports.)
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
cd "$dir"
exec "${as_owner[@]}" "$server"
