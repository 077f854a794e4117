#!/usr/bin/env bash
# DNS over HTTPS in clear (RFC 8484): a small DoH endpoint written here (Python http.server,
# HTTP/1.1 keep-alive) that forwards each application/dns-message to bind9 (the authoritative
# server of dns.sh, 127.0.0.2:53) over UDP and returns the answer; nginx with `listen ... http2`
# (h2c, prior knowledge) in front of it for HTTP/2. Clients:
# curl GET ?dns= / POST with wire-format queries written by Python (curl's --doh-url takes https:// only).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$(dirname "${BASH_SOURCE[0]}")/dns.sh"

DOH_PORT=8053
DOH_H2_PORT=8054

doh_write_server() {
  cat >"$WORK/doh-server.py" <<'EOF'
import base64, socket, sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit, parse_qs

UPSTREAM = (sys.argv[2], 53)

def resolve(query):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(query, UPSTREAM)
    data, _ = s.recvfrom(65535)
    s.close()
    return data

class DoH(BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    def answer(self, query):
        if query is None or len(query) < 12:
            body = b'bad request\n'
            self.send_response(400)
            self.send_header('Content-Type', 'text/plain')
            self.send_header('Content-Length', str(len(body)))
            self.end_headers()
            self.wfile.write(body)
            return
        body = resolve(query)
        self.send_response(200)
        self.send_header('Content-Type', 'application/dns-message')
        self.send_header('Cache-Control', 'max-age=300')
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
    def do_GET(self):
        u = urlsplit(self.path)
        q = parse_qs(u.query).get('dns')
        try:
            query = base64.urlsafe_b64decode(q[0] + '=' * (-len(q[0]) % 4)) if q else None
        except Exception:
            query = None
        self.answer(query)
    def do_POST(self):
        n = int(self.headers.get('Content-Length', '0'))
        body = self.rfile.read(n)
        ok = self.headers.get('Content-Type', '').split(';')[0].strip() == 'application/dns-message'
        self.answer(body if ok else None)
    def log_message(self, *a):
        pass

ThreadingHTTPServer(('127.0.0.1', int(sys.argv[1])), DoH).serve_forever()
EOF
  # Wire-format queries (RFC 1035 §4.1, id 0 as RFC 8484 §4.1 recommends, RD set).
  cat >"$WORK/dns-query.py" <<'EOF'
import struct, sys, base64
name, qtype, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
q = struct.pack('!HHHHHH', 0, 0x0100, 1, 0, 0, 0)
q += b''.join(bytes([len(l)]) + l.encode() for l in name.split('.')) + b'\0' + struct.pack('!HH', qtype, 1)
open(out, 'wb').write(q)
open(out + '.b64', 'w').write(base64.urlsafe_b64encode(q).decode().rstrip('='))
EOF
}

doh_start_nginx() {
  mkdir -p "$WORK/dohnginx"
  cat >"$WORK/dohnginx/nginx.conf" <<EOF
worker_processes 1;
pid $WORK/dohnginx/nginx.pid;
error_log $WORK/dohnginx/error.log;
events { worker_connections 64; }
http {
  access_log $WORK/dohnginx/access.log;
  client_body_temp_path $WORK/dohnginx/body;
  proxy_temp_path $WORK/dohnginx/proxy;
  fastcgi_temp_path $WORK/dohnginx/fastcgi;
  uwsgi_temp_path $WORK/dohnginx/uwsgi;
  scgi_temp_path $WORK/dohnginx/scgi;
  server {
    listen 127.0.0.1:$DOH_H2_PORT http2;
    location /dns-query { proxy_pass http://127.0.0.1:$DOH_PORT; proxy_http_version 1.1; }
  }
}
EOF
  serve nginx -c "$WORK/dohnginx/nginx.conf" -g 'daemon off;'
  DOH_NGINX_PID=$SERVE_PID
  wait_port "$DOH_H2_PORT"
}

doh_capture() {
  local f=doh-clear.pcap q=$WORK/q
  need_packages "${DNS_PACKAGES[@]}" nginx curl
  dns_start_bind
  doh_write_server
  serve python3 "$WORK/doh-server.py" "$DOH_PORT" "$DNS_AUTH"
  DOH_PID=$SERVE_PID
  wait_port "$DOH_PORT"
  doh_start_nginx
  python3 "$WORK/dns-query.py" "www.$DNS_ZONE" 1 "$q-a"
  python3 "$WORK/dns-query.py" "www.$DNS_ZONE" 28 "$q-aaaa"
  python3 "$WORK/dns-query.py" "$DNS_ZONE" 15 "$q-mx"
  python3 "$WORK/dns-query.py" "nope.$DNS_ZONE" 1 "$q-nx"
  start_capture $f "tcp port $DOH_PORT or tcp port $DOH_H2_PORT or (udp port 53 and host $DNS_AUTH)"
  # HTTP/1.1, one connection: GET ?dns= (www A), POST (www AAAA), GET (nope: NXDOMAIN), GET with a bad dns= (400).
  run_sh "curl -s -m 5 -H 'Accept: application/dns-message' 'http://127.0.0.1:$DOH_PORT/dns-query?dns=$(cat $q-a.b64)' -o /dev/null --next -s -m 5 -H 'Content-Type: application/dns-message' --data-binary @$q-aaaa http://127.0.0.1:$DOH_PORT/dns-query -o /dev/null --next -s -m 5 'http://127.0.0.1:$DOH_PORT/dns-query?dns=$(cat $q-nx.b64)' -o /dev/null --next -s -m 5 'http://127.0.0.1:$DOH_PORT/dns-query?dns=!!!' -o /dev/null"
  # HTTP/2 with prior knowledge through nginx: GET (MX), then POST (www A), one connection each
  # (curl 7.88 fails with exit 16 when --next sends the POST on the same h2c connection).
  run_sh "curl -s -m 5 --http2-prior-knowledge 'http://127.0.0.1:$DOH_H2_PORT/dns-query?dns=$(cat $q-mx.b64)' -o /dev/null"
  run_sh "curl -sS -m 5 --http2-prior-knowledge -H 'Content-Type: application/dns-message' --data-binary @$q-a http://127.0.0.1:$DOH_H2_PORT/dns-query -o /dev/null"
  stop_capture
  describe_capture $f "DNS over HTTPS in clear (RFC 8484). A DoH endpoint written in the script (Python 3 http.server,
HTTP/1.1 keep-alive, on 127.0.0.1:$DOH_PORT) forwards each application/dns-message to bind ($DNS_AUTH:53, the
authoritative server of dns.sh, whose UDP exchanges are in the file too) and answers with its bytes. (curl's
own resolver, --doh-url, accepts only https:// URLs, so the queries are sent by curl as plain requests.) First
one HTTP/1.1 connection with four requests:
GET ?dns= (www A), POST (www AAAA), GET (nope.$DNS_ZONE A: NXDOMAIN) and GET ?dns=!!! (not base64url: 400
text/plain). Then HTTP/2 with prior knowledge to nginx ($DOH_H2_PORT, listen ... http2) proxying to the
endpoint: GET ?dns= ($DNS_ZONE MX) and POST (www A), one curl and one connection each; nginx's HTTP/1.1 upstream connections to $DOH_PORT are
in the file as well. The queries are wire format written by a Python helper, id 0 with RD." "${DNS_PACKAGES[@]}" nginx curl
  stop_server "$DOH_NGINX_PID"
  stop_server "$DOH_PID"
  dns_stop_bind_only
}

dns_stop_bind_only() {
  stop_server "$BIND_PID"
  if [ -n "${DNS_ADDED_ALIAS:-}" ]; then ip addr del "$DNS_AUTH/32" dev lo 2>/dev/null || true; fi
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then doh_capture; fi
