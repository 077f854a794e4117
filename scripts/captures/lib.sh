#!/usr/bin/env bash
# Shared helpers for scripts/captures/<protocol>.sh. Source it; do not run it.
set -euo pipefail
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/../.." && pwd)
CAPTURES="$REPO/captures"
WORK=$(mktemp -d /tmp/wirelens-capture.XXXXXX)
PIDS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  rm -rf "$WORK"
}
trap cleanup EXIT

# Installs Debian packages without letting their services start on install.
need_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ ! -x /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  [ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a command in the background and remembers it for cleanup.
bg() { "$@" & PIDS+=($!); }

# start_capture FILE FILTER [tcpdump options...]: records loopback into captures/FILE.
start_capture() {
  local file=$1 filter=$2; shift 2
  tcpdump -i lo -U -w "$CAPTURES/$file" "$@" "$filter" >"$WORK/tcpdump-$file.log" 2>&1 &
  TCPDUMP_PID=$!
  PIDS+=($TCPDUMP_PID)
  for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$file.log" 2>/dev/null && break; sleep 0.1; done
}

stop_capture() {
  sleep 0.5
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
}

# wait_port PORT [HOST]: until something listens there (at most 10 s).
wait_port() {
  local port=$1 host=${2:-127.0.0.1}
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $host:$port" >&2
  return 1
}

# provenance FILE TEXT: records what a capture holds and how it was made, in captures/PROVENANCE.md.
provenance() {
  local file=$1 text=$2
  local prov="$CAPTURES/PROVENANCE.md"
  touch "$prov"
  python3 - "$prov" "$file" "$text" <<'PY'
import sys, re
path, name, text = sys.argv[1:]
src = open(path).read()
block = f"## {name}\n\n{text.strip()}\n\n"
pat = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
src = pat.sub(lambda m: block, src) if pat.search(src) else src + block
open(path, "w").write(src)
PY
}

# version PACKAGE: the Debian package version, for provenance.
version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }
