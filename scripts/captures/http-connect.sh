#!/usr/bin/env bash
# HTTP CONNECT capture (issue 15): curl through tinyproxy (Debian's tinyproxy) with
# -p/--proxytunnel to nginx, over plain HTTP and over HTTPS (a throwaway CA and certificate
# from scripts/captures/tls.sh; curl writes its TLS secrets with SSLKEYLOGFILE), through a
# proxy without authentication (port 3128) and one with Basic authentication (3129), plus
# the proxy's refusals (407 without credentials, 403 for a port it does not tunnel to).
# Everything runs in a network namespace made here, on its loopback, and only the
# client-proxy leg is recorded. The capture is a pcapng with the key log embedded as a
# Decryption Secrets Block (editcap --inject-secrets), so the TLS inside the tunnels is
# decrypted with no option; the key log is kept beside it too.
# Run through scripts/make-captures.sh http-connect.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$LIB_DIR/tls.sh"

need_packages tcpdump curl iproute2 nginx openssl tinyproxy wireshark-common

N=wl-connect
ip netns del $N 2>/dev/null || true
ip netns add $N
on_exit "ip netns del $N"
ip -n $N link set lo up
# The proxy resolves the CONNECT target's name: test.wirelens is 127.0.0.1 inside the namespace
# (ip netns exec bind-mounts /etc/netns/NAME/hosts over /etc/hosts).
mkdir -p /etc/netns/$N
printf '127.0.0.1 localhost\n127.0.0.1 %s\n' "$TLS_HOST" >/etc/netns/$N/hosts
on_exit "rm -rf /etc/netns/$N"

cd "$REPO"
tls_make_pki
tls_make_site
mkdir -p "$WORK/cnginx"
cat >"$WORK/cnginx/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/cnginx/nginx.pid;
error_log $WORK/cnginx/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $WORK/cnginx/access.log;
  client_body_temp_path $WORK/cnginx/body;
  proxy_temp_path $WORK/cnginx/proxy;
  fastcgi_temp_path $WORK/cnginx/fastcgi;
  uwsgi_temp_path $WORK/cnginx/uwsgi;
  scgi_temp_path $WORK/cnginx/scgi;
  ssl_certificate $WORK/pki/chain.pem;
  ssl_certificate_key $WORK/pki/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  server {
    listen 127.0.0.1:8080;
    root $WORK/tlswww;
  }
  server {
    listen 127.0.0.1:$TLS_PORT ssl http2;
    server_name $TLS_HOST;
    root $WORK/tlswww;
  }
}
EOF

# tinyproxy_conf FILE PORT [EXTRA]: a foreground proxy on 127.0.0.1:PORT that tunnels to 8080 and 8443 only.
tinyproxy_conf() {
  cat >"$1" <<EOF
User root
Group root
Port $2
Listen 127.0.0.1
Timeout 30
LogFile "$WORK/tinyproxy-$2.log"
LogLevel Info
PidFile "$WORK/tinyproxy-$2.pid"
MaxClients 10
Allow 127.0.0.1
ConnectPort 8080
ConnectPort $TLS_PORT
DisableViaHeader Yes
${3:-}
EOF
}
tinyproxy_conf "$WORK/tinyproxy-open.conf" 3128
tinyproxy_conf "$WORK/tinyproxy-auth.conf" 3129 "BasicAuth alice wonderland"

serve ip netns exec $N nginx -c "$WORK/cnginx/nginx.conf" -g 'daemon off;'
serve ip netns exec $N tinyproxy -d -c "$WORK/tinyproxy-open.conf"
serve ip netns exec $N tinyproxy -d -c "$WORK/tinyproxy-auth.conf"
for p in 8080 $TLS_PORT 3128 3129; do
  for _ in $(seq 100); do ip netns exec $N bash -c "exec 3<>/dev/tcp/127.0.0.1/$p" 2>/dev/null && break; sleep 0.1; done
done

f=http-connect-tinyproxy
: >"$CMD_LOG"
rm -f "$CAPTURES/$f.keys" "$CAPTURES/$f.pcapng"
TCPDUMP_CMD="ip netns exec $N tcpdump -i lo --immediate-mode -U -w $f.pcap 'tcp port 3128 or tcp port 3129'"
TCPDUMP_FILE=$f.pcap
ip netns exec $N tcpdump -i lo --immediate-mode -U -w "$WORK/$f.pcap" 'tcp port 3128 or tcp port 3129' >"$WORK/tcpdump-$f.pcap.log" 2>&1 &
TCPDUMP_PID=$!; PIDS+=($TCPDUMP_PID)
for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$f.pcap.log" 2>/dev/null && break; sleep 0.1; done

K="SSLKEYLOGFILE=captures/$f.keys"
CA="--cacert $WORK/pki/ca.pem"
# Plain HTTP through the tunnel (curl -p): CONNECT 127.0.0.1:8080, then GET inside.
run ip netns exec $N curl -sS --max-time 10 -o /dev/null -p -x http://127.0.0.1:3128 http://127.0.0.1:8080/small.txt
# HTTPS through the proxy: CONNECT test.wirelens:8443, TLS 1.3 with ALPN http/1.1, then h2.
run ip netns exec $N env $K curl -sS --max-time 10 -o /dev/null $CA --http1.1 -x http://127.0.0.1:3128 "https://$TLS_HOST:$TLS_PORT/index.html"
run ip netns exec $N env $K curl -sS --max-time 10 -o /dev/null $CA --http2 -x http://127.0.0.1:3128 "https://$TLS_HOST:$TLS_PORT/small.txt"
# The same with Proxy-Authorization (Basic alice:wonderland), plain and TLS 1.2.
run ip netns exec $N curl -sS --max-time 10 -o /dev/null -p -x http://127.0.0.1:3129 -U alice:wonderland http://127.0.0.1:8080/index.html
run ip netns exec $N env $K curl -sS --max-time 10 -o /dev/null $CA --http1.1 --tls-max 1.2 -x http://127.0.0.1:3129 -U alice:wonderland "https://$TLS_HOST:$TLS_PORT/small.txt"
# Refusals: no credentials (407), then a port the proxy does not tunnel to (403).
run_sh "ip netns exec $N curl -sS --max-time 10 -o /dev/null -p -x http://127.0.0.1:3129 http://127.0.0.1:8080/small.txt || true"
run_sh "ip netns exec $N curl -sS --max-time 10 -o /dev/null -p -x http://127.0.0.1:3128 http://127.0.0.1:8099/ || true"
sleep 0.5
kill -INT "$TCPDUMP_PID" 2>/dev/null || true
wait "$TCPDUMP_PID" 2>/dev/null || true
# The key log is embedded as a Decryption Secrets Block; the pcapng is the capture kept.
editcap --inject-secrets "tls,$CAPTURES/$f.keys" "$WORK/$f.pcap" "$CAPTURES/$f.pcapng"
TCPDUMP_CMD="$TCPDUMP_CMD, then editcap --inject-secrets tls,captures/$f.keys $f.pcap captures/$f.pcapng"
TCPDUMP_FILE=$f.pcapng
describe_capture $f.pcapng "curl through tinyproxy with -p/--proxytunnel (HTTP CONNECT), in a network namespace on its
loopback, to nginx: plain HTTP (CONNECT 127.0.0.1:8080, GET inside), HTTPS with ALPN http/1.1 and with h2
(CONNECT test.wirelens:8443, TLS 1.3 inside), through a proxy without authentication (3128) and one with
Basic authentication (3129: Proxy-Authorization alice:wonderland, plain HTTP and TLS 1.2 inside), then the
proxy's refusals: 407 without credentials and 403 for a port it does not tunnel to (8099). Only the
client-proxy leg is recorded. The TLS secrets curl wrote (SSLKEYLOGFILE, \`captures/$f.keys\`) are
embedded as a pcapng Decryption Secrets Block, so the TLS inside the tunnels decrypts with no option." \
  curl nginx tinyproxy openssl wireshark-common iproute2
