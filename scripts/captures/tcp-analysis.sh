#!/usr/bin/env bash
# TCP analysis capture: real loss, retransmissions, duplicate ACKs and zero windows.
# Three network namespaces made here (client, router, server) joined by veth pairs; the
# router's link toward the client is a token bucket (tc tbf) with a short queue, so bursts
# from the server are dropped there, after the capture point: tcpdump runs on the server's
# interface and sees every segment sent, the dropped ones and their retransmissions, as a
# capture on the sending host does. (netem is not in this kernel; tbf is.)
# Traffic stays inside the namespaces this script creates and removes.
# Run through scripts/make-captures.sh tcp-analysis.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_packages tcpdump curl iproute2 ethtool python3

C=wl-tcpa-cli; R=wl-tcpa-rtr; S=wl-tcpa-srv
SRV=10.77.2.1; CLI=10.77.1.1
for n in $C $R $S; do ip netns del "$n" 2>/dev/null || true; ip netns add "$n"; on_exit "ip netns del $n"; ip -n "$n" link set lo up; done
ip link add wlc0 netns $C type veth peer name wlr0 netns $R
ip link add wlr1 netns $R type veth peer name wls0 netns $S
ip -n $C addr add $CLI/24 dev wlc0
ip -n $R addr add 10.77.1.2/24 dev wlr0
ip -n $R addr add 10.77.2.2/24 dev wlr1
ip -n $S addr add $SRV/24 dev wls0
for x in "$C wlc0" "$R wlr0" "$R wlr1" "$S wls0"; do
  set -- $x
  ip -n "$1" link set "$2" up
  # Segments as they go on a wire: no segmentation offload (tcpdump would see 64 KB super-packets).
  ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n $C route add default via 10.77.1.2
ip -n $S route add default via 10.77.2.2
ip netns exec $R sysctl -qw net.ipv4.ip_forward=1
# The bottleneck: 20 Mbit/s toward the client, a 24 KB queue; the rest of a burst is dropped.
ip netns exec $R tc qdisc add dev wlr0 root tbf rate 20mbit burst 16kb limit 24kb

mkdir -p "$WORK/www/files"
python3 - "$WORK/www/files" <<'PY'
import random, sys
rng = random.Random(14)
open(f"{sys.argv[1]}/large.bin", "wb").write(rng.randbytes(2 * 1024 * 1024))
open(f"{sys.argv[1]}/medium.bin", "wb").write(rng.randbytes(192 * 1024))
PY

f=tcp-analysis.pcap
: >"$CMD_LOG"
TCPDUMP_CMD="ip netns exec $S tcpdump -i wls0 --immediate-mode -B 16384 -U -w captures/$f 'tcp port 8080'"
TCPDUMP_FILE=$f
ip netns exec $S tcpdump -i wls0 --immediate-mode -B 16384 -U -w "$CAPTURES/$f" 'tcp port 8080' >"$WORK/tcpdump-$f.log" 2>&1 &
TCPDUMP_PID=$!; PIDS+=($TCPDUMP_PID)
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$f.log" 2>/dev/null && break; sleep 0.1; done

serve ip netns exec $S python3 -m http.server --bind $SRV --directory "$WORK/www" 8080
for _ in $(seq 100); do ip netns exec $C bash -c "exec 3<>/dev/tcp/$SRV/8080" 2>/dev/null && break; sleep 0.1; done
# The probe connection above is in the capture too: stop and restart it so the file holds only the scenarios.
kill -INT "$TCPDUMP_PID"; wait "$TCPDUMP_PID" 2>/dev/null || true
ip netns exec $S tcpdump -i wls0 --immediate-mode -B 16384 -U -w "$CAPTURES/$f" 'tcp port 8080' >"$WORK/tcpdump-$f.log" 2>&1 &
TCPDUMP_PID=$!; PIDS+=($TCPDUMP_PID)
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$f.log" 2>/dev/null && break; sleep 0.1; done

# 1. A 2 MiB download through the bottleneck: drops, duplicate ACKs with SACK, fast retransmissions.
run ip netns exec $C curl -s --max-time 30 -o /dev/null "http://$SRV:8080/files/large.bin"
# 2. A reader that stops reading: its 4 KB receive buffer fills, it advertises a zero window,
#    the server probes it, then it reads slowly and the window opens again (window updates).
run ip netns exec $C python3 - "$SRV" <<'PY'
import socket, sys, time
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
s.settimeout(30)
s.connect((sys.argv[1], 8080))
s.sendall(f"GET /files/medium.bin HTTP/1.1\r\nHost: {sys.argv[1]}\r\nConnection: close\r\n\r\n".encode())
time.sleep(2.0)
got = 0
while True:
    d = s.recv(2048)
    if not d:
        break
    got += len(d)
    time.sleep(0.005)
s.close()
print(got, file=sys.stderr)
PY
stop_capture
describe_capture $f "TCP analysis: two HTTP downloads from python3 -m http.server (10.77.2.1:8080) to a client
(10.77.1.1) through a router namespace whose link toward the client is a 20 Mbit/s token bucket with a 24 KB
queue (\`tc qdisc add dev wlr0 root tbf rate 20mbit burst 16kb limit 24kb\`), recorded on the server's interface.
Connection 1 (curl, 2 MiB) loses segments at the bottleneck: the capture holds the dropped segments, the client's
duplicate ACKs with SACK blocks, fast retransmissions and retransmissions. Connection 2 (a python client with a 4 KB
receive buffer that stops reading for 2 s) fills its window: zero-window ACKs, zero-window probes from the server,
then window updates as it reads 2 KB every 5 ms." curl python3 iproute2
