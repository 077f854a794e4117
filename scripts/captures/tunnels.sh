#!/usr/bin/env bash
# Tunnels, 802.11 and cut-short packets (issue 15).
# Two network namespaces made here joined by a veth pair (outer 10.79.0.1 <-> 10.79.0.2).
#  1. tunnel-vxlan.pcap: a real kernel VXLAN tunnel (VNI 42, UDP 4789) between them; curl
#     fetches from python3 -m http.server on the inner address, ping crosses it too (ARP
#     inside VXLAN as well). Recorded on the outer veth.
#  2. http-snaplen96.pcap: plain HTTP on the veth recorded with `tcpdump -s 96`: every
#     packet longer than 96 bytes is cut short by the capture (caplen < len).
#  3. tunnels-wrapped.pcap and wlan-wrapped.pcapng: this kernel has no gre, gretap, erspan,
#     geneve, ipip, sit, ip6tnl or gtp devices (`ip link add` answers "Unknown device
#     type"), and no mac80211_hwsim. So a plain HTTP exchange recorded here on the veth is
#     wrapped by scripts/captures/wrap-encapsulations.py, byte for byte by the RFCs, in GRE,
#     GRE/TEB, ERSPAN II and III, PPTP (GRE v1 + PPP), Geneve, IP in IP, 6in4, 4in6, 6in6,
#     GTP-U, PPPoE and a 9-deep IP-in-IP stack; and in 802.11 behind plain, radiotap, PPI,
#     Prism and AVS headers with beacons, ACKs and protected frames. PROVENANCE.md says so.
# Traffic stays inside the namespaces this script creates and removes.
# Run through scripts/make-captures.sh tunnels.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

need_packages tcpdump curl iproute2 ethtool python3 iputils-ping

A=wl-tun-a; B=wl-tun-b
OA=10.79.0.1; OB=10.79.0.2; IA=192.168.79.1; IB=192.168.79.2
for n in $A $B; do ip netns del "$n" 2>/dev/null || true; ip netns add "$n"; on_exit "ip netns del $n"; ip -n "$n" link set lo up; done
ip link add wlta0 netns $A type veth peer name wltb0 netns $B
ip -n $A addr add $OA/24 dev wlta0
ip -n $B addr add $OB/24 dev wltb0
for x in "$A wlta0" "$B wltb0"; do
  set -- $x
  ip -n "$1" link set "$2" up
  # Segments as they go on a wire, not 64 KB offload super-packets.
  ip netns exec "$1" ethtool -K "$2" tso off gso off gro off >/dev/null 2>&1 || true
done
ip -n $A link add vx42 type vxlan id 42 local $OA remote $OB dstport 4789 dev wlta0
ip -n $B link add vx42 type vxlan id 42 local $OB remote $OA dstport 4789 dev wltb0
# Fixed MACs: the capture is the same run to run.
ip -n $A link set vx42 address 02:79:00:00:00:01
ip -n $B link set vx42 address 02:79:00:00:00:02
ip -n $A addr add $IA/24 dev vx42
ip -n $B addr add $IB/24 dev vx42
ip -n $A link set vx42 up
ip -n $B link set vx42 up

mkdir -p "$WORK/www"
python3 - "$WORK/www" <<'PY'
import sys
open(f"{sys.argv[1]}/index.html", "w").write("<html><body>" + "wirelens tunnel test. " * 120 + "</body></html>\n")
open(f"{sys.argv[1]}/small.txt", "w").write("hello through the tunnel\n")
PY
serve ip netns exec $B python3 -m http.server --bind 0.0.0.0 --directory "$WORK/www" 8080
for _ in $(seq 100); do ip netns exec $A bash -c "exec 3<>/dev/tcp/$OB/8080" 2>/dev/null && break; sleep 0.1; done

# capture_in_b FILE FILTER [tcpdump options...]: records B's outer veth.
capture_in_b() {
  local file=$1 filter=$2; shift 2
  : >"$CMD_LOG"
  TCPDUMP_CMD="ip netns exec $B tcpdump -i wltb0 --immediate-mode -U -w captures/$file${*:+ $*} '$filter'"
  TCPDUMP_FILE=$file
  ip netns exec $B tcpdump -i wltb0 --immediate-mode -U -w "$CAPTURES/$file" "$@" "$filter" >"$WORK/tcpdump-$file.log" 2>&1 &
  TCPDUMP_PID=$!; PIDS+=($TCPDUMP_PID)
  for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$file.log" 2>/dev/null && break; sleep 0.1; done
}

# 1. VXLAN.
f=tunnel-vxlan.pcap
capture_in_b $f 'udp port 4789'
run ip netns exec $A ping -c 2 -i 0.2 $IB
run ip netns exec $A curl -s --max-time 10 -o /dev/null "http://$IB:8080/index.html"
run ip netns exec $A curl -s --max-time 10 -o /dev/null "http://$IB:8080/small.txt"
stop_capture
describe_capture $f "A real Linux VXLAN tunnel (VNI 42, UDP 4789) between two network namespaces
(outer 10.79.0.1 <-> 10.79.0.2 on a veth pair, inner 192.168.79.1 <-> 192.168.79.2 on vxlan devices,
\`ip link add vx42 type vxlan id 42 local ... remote ... dstport 4789\`). Inside: ARP, two pings and two
HTTP GETs with curl from python3 -m http.server. Recorded on the outer veth." curl python3 iproute2 iputils-ping

# 2. Cut short by the snap length.
f=http-snaplen96.pcap
capture_in_b $f 'tcp port 8080' -s 96
run ip netns exec $A curl -s --max-time 10 -o /dev/null "http://$OB:8080/index.html"
run ip netns exec $A curl -s --max-time 10 -o /dev/null -H 'X-Long-Header: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' "http://$OB:8080/small.txt"
stop_capture
describe_capture $f "Two HTTP GETs with curl from python3 -m http.server over a veth pair between two network
namespaces (10.79.0.1 -> 10.79.0.2:8080), recorded with a 96-byte snap length (\`tcpdump -s 96\`): every
packet longer than 96 bytes is cut short by the capture (caplen < len), request lines and status lines
sit in the captured prefix." curl python3 iproute2

# 3. A plain exchange to wrap (not kept itself).
capture_in_b plain.pcap 'tcp port 8080'
run ip netns exec $A curl -s --max-time 10 -o /dev/null "http://$OB:8080/small.txt"
stop_capture
mv "$CAPTURES/plain.pcap" "$WORK/plain.pcap"
python3 "$LIB_DIR/wrap-encapsulations.py" "$WORK/plain.pcap" "$CAPTURES/tunnels-wrapped.pcap" "$CAPTURES/wlan-wrapped.pcapng"
TCPDUMP_CMD="ip netns exec $B tcpdump -i wltb0 --immediate-mode -U -w plain.pcap 'tcp port 8080', then python3 scripts/captures/wrap-encapsulations.py plain.pcap captures/tunnels-wrapped.pcap captures/wlan-wrapped.pcapng"
for f in tunnels-wrapped.pcap wlan-wrapped.pcapng; do
  TCPDUMP_FILE=$f
  describe_capture $f "WRAPPED, not recorded as such: this kernel has no gre/gretap/erspan/geneve/ipip/sit/ip6tnl/gtp
devices and no mac80211_hwsim, so one real HTTP exchange (curl -> python3 -m http.server, 10.79.0.1 ->
10.79.0.2:8080, recorded on a veth between two network namespaces) is wrapped by
\`scripts/captures/wrap-encapsulations.py\` in each encapsulation, header bytes as the RFCs and specs give
them (see the script's docstring); each copy has its own inner addresses, so each is its own flow.
tshark reads every layer (tests/decode/encapsulation-oracle.test.ts compares)." curl python3 iproute2
done
