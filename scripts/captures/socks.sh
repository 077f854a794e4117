#!/usr/bin/env bash
# SOCKS capture (issue 15): curl through Dante (dante-server), SOCKS 5 with an IP address and
# with a host name, SOCKS 4 and 4a, and a SOCKS 5 CONNECT the server refuses; HTTP inside
# each granted tunnel. Everything runs in a network namespace made here, on its loopback
# (other captures may be recording the host's loopback at the same time).
# Run through scripts/make-captures.sh socks.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_packages tcpdump curl iproute2 python3 dante-server

N=wl-socks
ip netns del $N 2>/dev/null || true
ip netns add $N
on_exit "ip netns del $N"
ip -n $N link set lo up

mkdir -p "$WORK/www"
echo "hello through SOCKS" >"$WORK/www/small.txt"
cat >"$WORK/danted.conf" <<CONF
logoutput: stderr
internal: 127.0.0.1 port = 1080
external: 127.0.0.1
clientmethod: none
socksmethod: none
user.privileged: root
user.unprivileged: nobody
client pass { from: 127.0.0.0/8 to: 0.0.0.0/0 }
socks pass { from: 127.0.0.0/8 to: 0.0.0.0/0 command: connect }
CONF

serve ip netns exec $N python3 -m http.server --bind 127.0.0.1 --directory "$WORK/www" 8080
serve ip netns exec $N danted -f "$WORK/danted.conf" -N 1
for _ in $(seq 100); do ip netns exec $N bash -c 'exec 3<>/dev/tcp/127.0.0.1/1080' 2>/dev/null && break; sleep 0.1; done
for _ in $(seq 100); do ip netns exec $N bash -c 'exec 3<>/dev/tcp/127.0.0.1/8080' 2>/dev/null && break; sleep 0.1; done

f=socks-dante-curl.pcap
: >"$CMD_LOG"
TCPDUMP_CMD="ip netns exec $N tcpdump -i lo --immediate-mode -U -w captures/$f 'tcp port 1080'"
TCPDUMP_FILE=$f
ip netns exec $N tcpdump -i lo --immediate-mode -U -w "$CAPTURES/$f" 'tcp port 1080' >"$WORK/tcpdump-$f.log" 2>&1 &
TCPDUMP_PID=$!; PIDS+=($TCPDUMP_PID)
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$f.log" 2>/dev/null && break; sleep 0.1; done

run ip netns exec $N curl -s --max-time 10 -o /dev/null --socks5 127.0.0.1:1080 http://127.0.0.1:8080/small.txt
run ip netns exec $N curl -s --max-time 10 -o /dev/null --socks5-hostname 127.0.0.1:1080 http://localhost:8080/small.txt
run ip netns exec $N curl -s --max-time 10 -o /dev/null --socks4 127.0.0.1:1080 http://127.0.0.1:8080/small.txt
run ip netns exec $N curl -s --max-time 10 -o /dev/null --socks4a 127.0.0.1:1080 http://localhost:8080/small.txt
# Nothing listens on 8099: Dante answers "connection refused".
run_sh "ip netns exec $N curl -s --max-time 10 -o /dev/null --socks5 127.0.0.1:1080 http://127.0.0.1:8099/ || true"
stop_capture
describe_capture $f "curl through the Dante SOCKS server (danted, method none) to python3 -m http.server, in a
network namespace on its loopback: SOCKS 5 CONNECT to an IPv4 address, SOCKS 5 CONNECT to a host name
(--socks5-hostname), SOCKS 4, SOCKS 4a, each followed by an HTTP GET inside the tunnel; then a SOCKS 5
CONNECT to a port where nothing listens, which Dante refuses. Only the client-proxy leg (port 1080) is
recorded." curl python3 dante-server iproute2
