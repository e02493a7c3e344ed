#!/usr/bin/env bash
# Makes a Docker engine and a `busybox` image available for the Docker executor's tests.
# Idempotent, and fast when everything is already there:
#   - installs docker.io and busybox-static from Debian's packages when dockerd or busybox is missing;
#   - starts dockerd on /var/run/docker.sock when no engine answers;
#   - builds the `busybox:latest` image with `docker import` (no registry is reachable here) from a
#     folder holding /bin/busybox and symlinks for the applets the tests use.
# Prints `docker-engine: ready` on success; exits non-zero when it cannot get there.
set -euo pipefail

SOCK=${DOCKER_SOCK:-/var/run/docker.sock}
export DOCKER_HOST=${DOCKER_HOST:-unix://$SOCK}
log() { echo "docker-engine: $*" >&2; }

engine_answers() { docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

need_install=()
command -v dockerd >/dev/null 2>&1 || need_install+=(docker.io)
{ [ -x /bin/busybox ] || [ -x /usr/bin/busybox ]; } || need_install+=(busybox-static)
command -v docker >/dev/null 2>&1 || need_install+=(docker.io)
if [ ${#need_install[@]} -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then log "need root to install ${need_install[*]}"; exit 1; fi
  log "installing ${need_install[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_install[@]}" >/dev/null
fi

if ! engine_answers; then
  if [ "$(id -u)" != 0 ]; then log "no engine answers on $SOCK and starting one needs root"; exit 1; fi
  log "starting dockerd"
  mkdir -p /var/log
  nohup dockerd --host "unix://$SOCK" >/var/log/flotilla-dockerd.log 2>&1 &
  for _ in $(seq 1 120); do
    engine_answers && break
    sleep 0.5
  done
  engine_answers || { log "dockerd did not come up; see /var/log/flotilla-dockerd.log"; tail -20 /var/log/flotilla-dockerd.log >&2 || true; exit 1; }
fi

if ! docker image inspect busybox:latest >/dev/null 2>&1; then
  BB=$(command -v busybox || true)
  [ -x /bin/busybox ] && BB=/bin/busybox
  [ -n "$BB" ] || { log "busybox binary not found"; exit 1; }
  log "building busybox:latest from $BB"
  ROOT=$(mktemp -d)
  trap 'rm -rf "$ROOT"' EXIT
  mkdir -p "$ROOT/bin" "$ROOT/tmp" "$ROOT/www" "$ROOT/etc"
  cp "$BB" "$ROOT/bin/busybox"
  for applet in sh ash sleep httpd wget echo cat true false ls ps kill env date printf nc mkdir rm test id hostname yes head tail grep; do
    ln -sf busybox "$ROOT/bin/$applet"
  done
  echo 'root:x:0:0:root:/root:/bin/sh' >"$ROOT/etc/passwd"
  echo 'root:x:0:' >"$ROOT/etc/group"
  echo 'hello from flotilla' >"$ROOT/www/index.html"
  tar -C "$ROOT" -cf - . | docker import --change 'ENV PATH=/bin' --change 'CMD ["sh"]' - busybox:latest >/dev/null
fi
log ready
