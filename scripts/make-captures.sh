#!/usr/bin/env bash
# Re-records the project's captures: real Debian servers and clients on loopback,
# recorded with tcpdump. Needs root (apt-get, tcpdump). Traffic stays on 127.0.0.0/8 and ::1.
#   scripts/make-captures.sh            every protocol
#   scripts/make-captures.sh http dns   only these (scripts/captures/<name>.sh)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  for f in "$here"/captures/*.sh; do
    n=$(basename "$f" .sh)
    [ "$n" = lib ] || names+=("$n")
  done
fi
for n in "${names[@]}"; do
  echo "== $n"
  bash "$here/captures/$n.sh"
done
