#!/usr/bin/env bash
# Shared helpers for scripts/captures/<protocol>.sh. Source it; do not run it.
set -euo pipefail
# Sourced once per run: demo.sh sources several protocol scripts that each source this file.
if [ -n "${WIRELENS_LIB_LOADED:-}" ]; then return 0; fi
WIRELENS_LIB_LOADED=1
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
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a command in the background and remembers it for cleanup.
bg() { "$@" & PIDS+=($!); }

# start_capture FILE FILTER [tcpdump options...]: records loopback into captures/FILE.
start_capture() { start_capture_on lo "$@"; }

# start_capture_on IFACE FILE FILTER [tcpdump options...]: the same on any interface
# (`any` with `-y LINUX_SLL2` gives cooked v2 frames). Starts a fresh command log for provenance.
start_capture_on() {
  local iface=$1 file=$2 filter=$3; shift 3
  : >"$CMD_LOG"
  # --immediate-mode: without it libpcap hands packets over in TPACKET_V3 blocks (up to 1 s
  # late), and the SIGINT of stop_capture loses the last block: short captures came out empty.
  # -B 16384 (KiB): with the default 2 MiB ring a burst of 64 KiB loopback segments was dropped.
  TCPDUMP_CMD="tcpdump -i $iface --immediate-mode -B 16384 -U -w captures/$file${*:+ $*} '$filter'"
  TCPDUMP_FILE=$file
  tcpdump -i "$iface" --immediate-mode -B 16384 -U -w "$CAPTURES/$file" "$@" "$filter" >"$WORK/tcpdump-$file.log" 2>&1 &
  TCPDUMP_PID=$!
  PIDS+=($TCPDUMP_PID)
  for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$file.log" 2>/dev/null && break; sleep 0.1; done
}

stop_capture() {
  sleep 0.5
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  # A capture with kernel drops is not what the scenario says: say so loudly.
  if grep -Eq '^[1-9][0-9]* packets? dropped by kernel' "$WORK/tcpdump-${TCPDUMP_FILE:-}.log" 2>/dev/null; then
    echo "WARNING: tcpdump dropped packets in ${TCPDUMP_FILE:-}: $(grep 'dropped by kernel' "$WORK/tcpdump-$TCPDUMP_FILE.log")" >&2
  fi
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
  # flock: the mail/BitTorrent script may write its blocks at the same time.
  flock /tmp/wirelens-provenance.lock python3 - "$prov" "$file" "$text" <<'PY'
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

# ---- Command log and provenance blocks -------------------------------------------------
CMD_LOG="$WORK/commands.log"
SERVER_LOG="$WORK/servers.log"
: >"$CMD_LOG"; : >"$SERVER_LOG"
TCPDUMP_CMD=""

# run CMD...: runs a client command and logs it, shell-quoted, for the capture's provenance.
run() { printf '%s\n' "$(_quoted "$@")" >>"$CMD_LOG"; "$@"; }

# run_sh 'SHELL TEXT': the same for a pipeline, run by bash and logged as written.
run_sh() { printf '%s\n' "$1" >>"$CMD_LOG"; bash -c "$1"; }

# serve CMD...: starts a server in the background (remembered for cleanup) and logs its
# command line; SERVE_PID is its PID, for stop_server.
serve() { "$@" & SERVE_PID=$!; PIDS+=($SERVE_PID); printf '%s\t%s\n' "$SERVE_PID" "$(_quoted "$@")" >>"$SERVER_LOG"; }

# The command lines of the servers started by serve that are still running.
_running_servers() {
  local pid cmd
  while IFS=$'\t' read -r pid cmd; do kill -0 "$pid" 2>/dev/null && printf '%s\n' "$cmd"; done <"$SERVER_LOG"
}

# stop_server PID: stops one server by its PID and waits for it.
stop_server() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_dns PORT [HOST]: until a DNS server answers there (at most 10 s). Needs dig.
wait_dns() {
  local port=$1 host=${2:-127.0.0.1}
  for _ in $(seq 50); do
    dig +time=1 +tries=1 -p "$port" @"$host" . SOA >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "no DNS server answers on $host:$port" >&2
  return 1
}

# frame_count FILE: number of frames in captures/FILE.
frame_count() { tcpdump -n -r "$CAPTURES/$1" 2>/dev/null | wc -l | tr -d ' '; }

# describe_capture FILE TEXT PACKAGE...: writes FILE's provenance block: what happens in it,
# package versions, the tcpdump command, the servers still running (call it before stopping them), server and client commands, frame and byte counts.
describe_capture() {
  local file=$1 text=$2; shift 2
  local pkgs="" p
  for p in "$@" tcpdump; do pkgs+="${pkgs:+, }$p $(version "$p")"; done
  local body
  body="$text

- Made by: \`scripts/captures/$(basename "${BASH_SOURCE[1]:-$0}")\` on $(date -u +%Y-%m-%d), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')
- Packages: $pkgs
- Recorded with: \`$TCPDUMP_CMD\`
- Frames: $(frame_count "$file"), file size $(stat -c %s "$CAPTURES/$file") bytes
- Servers:
\`\`\`
$(_running_servers)
\`\`\`
- Clients:
\`\`\`
$(cat "$CMD_LOG")
\`\`\`"
  # The throwaway directory's random name would change on every run: write it as $WORK.
  provenance "$file" "${body//$WORK/\$WORK}"
}

_quoted() {
  local out="" a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="${out:+ }$a"; else out+="${out:+ }$(printf '%q' "$a")"; fi
  done
  printf '%s' "$out"
}

