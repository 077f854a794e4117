#!/usr/bin/env bash
# DNS captures: bind9 9.18 authoritative (recursion no) for wirelens.test and 2.0.192.in-addr.arpa on
# 127.0.0.2:53 and [::1]:53; unbound 1.17 as the recursive resolver on 127.0.0.1:53, reaching bind
# through stub zones (iterative queries, RD=0) and forwarding everything else to bind too, so no
# query ever leaves the machine. Clients: dig (bind9-dnsutils) and nsupdate.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

DNS_PACKAGES=(bind9 bind9-dnsutils unbound)
DNS_AUTH=127.0.0.2
DNS_RESOLVER=127.0.0.1
DNS_ZONE=wirelens.test

dns_write_zones() {
  local d=$WORK/bind
  mkdir -p "$d"
  # Long TXT: six 200-character strings, over 1200 bytes of answer, more than 512.
  local big="" i
  for i in 1 2 3 4 5 6; do big+=" \"chunk$i-$(printf 'abcdefgh%.0s' {1..24})\""; done
  cat >"$d/$DNS_ZONE.zone" <<EOF
\$TTL 3600
@           IN SOA   ns1.$DNS_ZONE. hostmaster.$DNS_ZONE. 2024011501 7200 900 1209600 300
@           IN NS    ns1
@           IN NS    ns2
ns1         IN A     $DNS_AUTH
ns2         IN A     192.0.2.53
@           IN A     192.0.2.10
@           IN AAAA  2001:db8::10
@           IN MX    10 mail
@           IN MX    20 mail2
@           IN TXT   "v=spf1 ip4:192.0.2.0/24 -all"
@           IN CAA   0 issue "letsencrypt.org"
@           IN CAA   0 iodef "mailto:security@$DNS_ZONE"
@           IN HTTPS 1 . alpn="h2,h3" ipv4hint=192.0.2.10 ipv6hint=2001:db8::10
www         IN A     192.0.2.10
www         IN AAAA  2001:db8::10
www         IN HTTPS 1 . alpn="h2"
web         IN CNAME www
alias       IN CNAME web
www2        IN A     192.0.2.11
mail        IN A     192.0.2.25
mail2       IN A     192.0.2.26
pool        IN A     192.0.2.101
pool        IN A     192.0.2.102
pool        IN A     192.0.2.103
pool        IN A     192.0.2.104
big         IN TXT  $big
svc         IN SVCB  1 www.$DNS_ZONE. alpn="h2" port=8443
_http._tcp  IN SRV   10 60 80 www
_http._tcp  IN SRV   20 40 8081 www2
_sip._udp   IN SRV   0 0 5060 mail
EOF
  cat >"$d/2.0.192.in-addr.arpa.zone" <<EOF
\$TTL 3600
@    IN SOA ns1.$DNS_ZONE. hostmaster.$DNS_ZONE. 2024011501 7200 900 1209600 300
@    IN NS  ns1.$DNS_ZONE.
10   IN PTR www.$DNS_ZONE.
25   IN PTR mail.$DNS_ZONE.
26   IN PTR mail2.$DNS_ZONE.
EOF
}

dns_start_bind() {
  local d=$WORK/bind
  # named listens only on addresses that an interface carries, and lo has just 127.0.0.1/8:
  # give lo $DNS_AUTH/32 for the run (dns_stop removes it again).
  DNS_ADDED_ALIAS=
  if ! ip -4 addr show dev lo | grep -q "inet $DNS_AUTH/"; then
    ip addr add "$DNS_AUTH/32" dev lo && DNS_ADDED_ALIAS=1
    on_exit "ip addr del $DNS_AUTH/32 dev lo 2>/dev/null"
  fi
  dns_write_zones
  cat >"$d/named.conf" <<EOF
options {
  directory "$d";
  pid-file "$d/named.pid";
  session-keyfile "$d/session.key";
  managed-keys-directory "$d";
  listen-on port 53 { $DNS_AUTH; };
  listen-on-v6 port 53 { ::1; };
  recursion no;
  dnssec-validation no;
  notify no;
  allow-transfer { 127.0.0.1; ::1; };
  server-id "ns1.$DNS_ZONE";
  querylog yes;
};
controls { };
zone "$DNS_ZONE" { type primary; file "$d/$DNS_ZONE.zone"; allow-update { 127.0.0.1; }; };
zone "2.0.192.in-addr.arpa" { type primary; file "$d/2.0.192.in-addr.arpa.zone"; };
EOF
  named-checkconf "$d/named.conf"
  serve named -f -n 1 -c "$d/named.conf" -L "$d/named.log"
  BIND_PID=$SERVE_PID
  wait_dns 53 "$DNS_AUTH"
}

dns_start_unbound() {
  local d=$WORK/unbound
  mkdir -p "$d"
  cat >"$d/unbound.conf" <<EOF
server:
  interface: $DNS_RESOLVER
  port: 53
  # Queries to bind from 127.0.0.1, not from 127.0.0.2 (the kernel's choice for that destination).
  outgoing-interface: $DNS_RESOLVER
  access-control: 127.0.0.0/8 allow
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$d"
  pidfile: "$d/unbound.pid"
  use-syslog: no
  logfile: "$d/unbound.log"
  verbosity: 1
  num-threads: 1
  so-reuseport: no
  module-config: "iterator"
  do-not-query-localhost: no
  prefetch: no
  # The test zones are in unbound's default blocked local zones (RFC 6761 .test, RFC 5737 reverse).
  local-zone: "test." nodefault
  local-zone: "2.0.192.in-addr.arpa." nodefault
stub-zone:
  name: "$DNS_ZONE"
  stub-addr: $DNS_AUTH
stub-zone:
  name: "2.0.192.in-addr.arpa"
  stub-addr: $DNS_AUTH
# Everything else also goes to bind (which refuses it): nothing leaves the machine.
forward-zone:
  name: "."
  forward-addr: $DNS_AUTH
EOF
  unbound-checkconf "$d/unbound.conf" >/dev/null
  serve unbound -d -c "$d/unbound.conf"
  UNBOUND_PID=$SERVE_PID
  # Readiness probe on a name outside the captures' zones, so no answer is cached for them.
  wait_dns 53 "$DNS_RESOLVER"
}

DIG=(dig +tries=1 +time=3)
# Straight to bind: from 127.0.0.1, as the kernel would otherwise use 127.0.0.2 as the source too.
DIGA=(dig +tries=1 +time=3 -b 127.0.0.1)

dns_recursive() {
  local f=dns-recursive.pcap q
  start_capture $f 'port 53 and net 127.0.0.0/8'
  for q in "www.$DNS_ZONE A" "www.$DNS_ZONE AAAA" "alias.$DNS_ZONE A" "$DNS_ZONE MX" "$DNS_ZONE NS" "$DNS_ZONE SOA" \
    "$DNS_ZONE TXT" "_http._tcp.$DNS_ZONE SRV" "$DNS_ZONE CAA" "$DNS_ZONE HTTPS" "svc.$DNS_ZONE SVCB" "pool.$DNS_ZONE A"; do
    # shellcheck disable=SC2086
    run "${DIG[@]}" @$DNS_RESOLVER $q >/dev/null
  done
  run "${DIG[@]}" @$DNS_RESOLVER -x 192.0.2.10 >/dev/null
  run "${DIG[@]}" @$DNS_RESOLVER "nope.$DNS_ZONE" A >/dev/null
  run "${DIG[@]}" @$DNS_RESOLVER "www.$DNS_ZONE" A >/dev/null
  stop_capture
  describe_capture $f "Recursive resolution, client side and resolver side in one file. dig asks unbound
($DNS_RESOLVER:53, RD=1, answers RA=1) and unbound asks bind ($DNS_AUTH:53, authoritative, AA=1) with RD=0 queries
from random ports (stub zones). QNAME minimisation shows: for _http._tcp SRV, svc SVCB and the PTR unbound first
asks type A for the shorter name (_tcp..., svc..., 2.0.192.in-addr.arpa side), and for the CNAME chain it asks
for the target web A itself. Client
queries in order: www A, www AAAA, alias A (CNAME chain alias -> web -> www), MX, NS, SOA, TXT,
_http._tcp SRV (two records), CAA (issue and iodef), HTTPS (alpn, ipv4hint, ipv6hint), svc SVCB
(alpn, port), pool A (four addresses), PTR for 192.0.2.10 (dig -x, zone 2.0.192.in-addr.arpa),
nope.$DNS_ZONE A (NXDOMAIN with the SOA in authority), and www A once more within the TTL: unbound answers from
its cache, with no upstream query and a smaller TTL. ($DNS_AUTH is a /32 alias the script adds to lo for the
run: named listens only on addresses an interface carries.)" "${DNS_PACKAGES[@]}"
}

dns_authoritative() {
  local f=dns-authoritative.pcap
  start_capture $f "port 53 and (host $DNS_AUTH or host ::1)"
  run "${DIGA[@]}" @$DNS_AUTH "www.$DNS_ZONE" A >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH +norec "mail.$DNS_ZONE" A >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH "web.$DNS_ZONE" A >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH "$DNS_ZONE" ANY >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH example.com A >/dev/null
  run "${DIG[@]}" @::1 "www.$DNS_ZONE" AAAA >/dev/null
  run "${DIG[@]}" @::1 -x 192.0.2.25 >/dev/null
  stop_capture
  describe_capture $f "Straight to the authoritative server (bind, recursion no): www A (AA=1; dig asks RD=1, bind
answers RA=0), mail A with +norec (RD=0), web A (CNAME plus the target's A), $DNS_ZONE ANY over UDP,
example.com A (outside its zones: REFUSED). dig 9.18 sends the ANY query over TCP, so that one is a TCP
connection with 2-byte length prefixes, then over IPv6 to [::1]:53: www AAAA and PTR for 192.0.2.25.
dig 9.18 sends a client COOKIE option in each query and bind answers with a server cookie." "${DNS_PACKAGES[@]}"
}

dns_truncated() {
  local f=dns-truncated-tcp.pcap
  start_capture $f "port 53 and host $DNS_AUTH"
  run "${DIGA[@]}" @$DNS_AUTH +noedns "big.$DNS_ZONE" TXT >/dev/null
  stop_capture
  describe_capture $f "Truncation and TCP fallback: dig +noedns asks bind for big.$DNS_ZONE TXT (six 200-character
strings, ~1.2 KB) over UDP without EDNS, so the 512-byte limit applies; bind answers with TC=1 and no answer
records; dig repeats the query over TCP (2-byte length prefix) and gets the whole RRset." "${DNS_PACKAGES[@]}"
}

dns_axfr() {
  local f=dns-axfr.pcap
  start_capture $f "port 53 and host $DNS_AUTH"
  run "${DIGA[@]}" @$DNS_AUTH "$DNS_ZONE" AXFR >/dev/null
  run dig +tries=1 +time=3 -b 127.0.0.3 @$DNS_AUTH "$DNS_ZONE" AXFR >/dev/null || true
  stop_capture
  describe_capture $f "Zone transfers over TCP: AXFR of $DNS_ZONE from 127.0.0.1 (allowed by allow-transfer: the whole
zone between two copies of the SOA), then the same from source address 127.0.0.3 (not allowed: bind
answers REFUSED)." "${DNS_PACKAGES[@]}"
}

dns_edns() {
  local f=dns-edns-options.pcap
  start_capture $f "port 53 and host $DNS_AUTH"
  run "${DIGA[@]}" @$DNS_AUTH +subnet=192.0.2.0/24 "www.$DNS_ZONE" A >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH +cookie=0123456789abcdef "www.$DNS_ZONE" A >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH +nsid "$DNS_ZONE" SOA >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH +dnssec +bufsize=4096 "$DNS_ZONE" MX >/dev/null
  run "${DIGA[@]}" @$DNS_AUTH +nocookie +bufsize=512 +noad "$DNS_ZONE" TXT >/dev/null
  stop_capture
  describe_capture $f "EDNS(0) options to bind: +subnet=192.0.2.0/24 (EDNS Client Subnet, option 8), a fixed client
COOKIE 0123456789abcdef (option 10; bind returns client + server cookie), +nsid (option 3; bind answers
\"ns1.$DNS_ZONE\"), +dnssec +bufsize=4096 (DO bit, UDP size 4096), and +nocookie +bufsize=512 (an OPT
record with no options)." "${DNS_PACKAGES[@]}"
}

dns_update() {
  local f=dns-update.pcap
  start_capture $f "port 53 and host $DNS_AUTH"
  run_sh "printf 'server $DNS_AUTH 53\\nlocal 127.0.0.1\\nzone $DNS_ZONE\\nupdate add new.$DNS_ZONE 300 A 192.0.2.77\\nsend\\nupdate delete new.$DNS_ZONE A\\nsend\\n' | nsupdate -v"
  stop_capture
  describe_capture $f "Dynamic update (opcode UPDATE, RFC 2136) with nsupdate -v (over TCP): add new.$DNS_ZONE A
192.0.2.77 (zone section: wirelens.test SOA; no prerequisites; one update RR), answered NOERROR; then a
second UPDATE deletes it (an update RR of class ANY), NOERROR. bind
allows updates from 127.0.0.1 (nsupdate's \`local 127.0.0.1\`: with 127.0.0.2 on lo the kernel would pick it as source)." "${DNS_PACKAGES[@]}"
}

dns_main() {
  need_packages "${DNS_PACKAGES[@]}"
  dns_start_bind
  dns_start_unbound
  dns_recursive
  dns_authoritative
  dns_truncated
  dns_axfr
  dns_edns
  dns_update
  dns_stop
}

dns_stop() {
  stop_server "$UNBOUND_PID"
  stop_server "$BIND_PID"
  if [ -n "${DNS_ADDED_ALIAS:-}" ]; then ip addr del "$DNS_AUTH/32" dev lo 2>/dev/null || true; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then dns_main; fi
