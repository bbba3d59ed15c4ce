#!/usr/bin/env bash
# Make sure the machine has what the test suite drives for real: Debian's Chromium, Node, nginx
# (in front of the app, as deploy/nginx ships it), a running PostgreSQL and a running Redis. Installs from Debian's packages when missing, and the
# snippet checker's Node packages (tests/snippets/node, from its package-lock.json) when out of date.
set -euo pipefail

need_apt=()
command -v chromium >/dev/null 2>&1 || need_apt+=(chromium)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs)
command -v nginx >/dev/null 2>&1 || need_apt+=(nginx-light)
command -v redis-server >/dev/null 2>&1 || need_apt+=(redis-server)
command -v pg_ctlcluster >/dev/null 2>&1 || need_apt+=(postgresql)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "installing from Debian's packages: ${need_apt[*]}"
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need_apt[@]}" >/dev/null
fi

# node_modules/.installed-lock.json: the lock file last installed; the same one means nothing to do.
node_tools="$(dirname "$0")/../tests/snippets/node"
if ! cmp -s "$node_tools/package-lock.json" "$node_tools/node_modules/.installed-lock.json"; then
  echo "installing the snippet checker's Node packages"
  (cd "$node_tools" && npm ci --silent --no-audit --no-fund)
  cp "$node_tools/package-lock.json" "$node_tools/node_modules/.installed-lock.json"
fi

if ! pg_isready -q -h 127.0.0.1 -p 5432; then
  echo "starting PostgreSQL"
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start || true
  done
  for _ in $(seq 1 30); do pg_isready -q -h 127.0.0.1 -p 5432 && break; sleep 1; done
fi

if ! redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1; then
  echo "starting Redis"
  mkdir -p /var/lib/redis /var/log/redis 2>/dev/null || true
  redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no \
    --dir /tmp --logfile /tmp/ttc-redis.log
  for _ in $(seq 1 30); do redis-cli -h 127.0.0.1 -p 6379 ping >/dev/null 2>&1 && break; sleep 0.5; done
fi
