#!/usr/bin/env bash
# HTTP/2 cleartext captures. Prior knowledge: nghttpd --no-tls on 127.0.0.1:8082 (also with server
# push) and nginx `listen 8083 http2` on 127.0.0.1:8083, driven by nghttp -n and h2load.
# Upgrade: h2c: Apache 2.4 mod_http2 (`Protocols h2c http/1.1`) on 127.0.0.1:8080, driven by
# curl --http2 (one URL per curl: curl 7.88 breaks on a second h2c URL, curl issue 10634) and nghttp -u.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

H2_PACKAGES=(nghttp2-server nghttp2-client nginx apache2 curl)
H2_NGHTTPD_PORT=8082
H2_NGINX_PORT=8083
H2_APACHE_PORT=8080
H2_TSHARK_NOTE="tshark decodes it as HTTP/2 only with \`-d tcp.port==%s,http2\` (prior knowledge on a port
Wireshark does not associate with HTTP/2)."

# h2_make_site: files of mixed sizes under $WORK/h2www (readable by Apache's www-data).
h2_make_site() {
  local www=$WORK/h2www
  mkdir -p "$www/static"
  chmod 755 "$WORK"
  cat >"$www/index.html" <<'HTML'
<!doctype html>
<html><head><title>h2 test</title><link rel="stylesheet" href="/static/style.css"><script src="/static/app.js"></script></head>
<body><h1>HTTP/2 test page</h1><img src="/static/logo.png" alt="logo"></body></html>
HTML
  python3 - "$www" <<'PY'
import random, sys
www = sys.argv[1]
rng = random.Random(8082)  # seeded: the same bytes on every run
text = lambda n: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz \n") for _ in range(n))
open(f"{www}/static/style.css", "w").write("body { margin: 0 }\n" + text(1500))
open(f"{www}/static/app.js", "w").write("console.log('h2');\n" + text(6000))
open(f"{www}/static/logo.png", "wb").write(b"\x89PNG\r\n\x1a\n" + rng.randbytes(3000))
for name, size in (("tiny.txt", 40), ("small.txt", 900), ("medium.bin", 12_000), ("large.bin", 48_000)):
    open(f"{www}/{name}", "wb").write(rng.randbytes(size) if name.endswith(".bin") else text(size).encode())
PY
  chmod -R a+rX "$www"
}

h2_start_nghttpd() {
  # -p: push style.css and app.js with index.html.
  serve nghttpd --no-tls -a 127.0.0.1 -d "$WORK/h2www" -p /index.html=/static/style.css,/static/app.js "$H2_NGHTTPD_PORT"
  NGHTTPD_PID=$SERVE_PID
  wait_port "$H2_NGHTTPD_PORT"
}

h2_start_nginx() {
  mkdir -p "$WORK/h2nginx"
  cat >"$WORK/h2nginx/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/h2nginx/nginx.pid;
error_log $WORK/h2nginx/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $WORK/h2nginx/access.log;
  client_body_temp_path $WORK/h2nginx/body;
  proxy_temp_path $WORK/h2nginx/proxy;
  fastcgi_temp_path $WORK/h2nginx/fastcgi;
  uwsgi_temp_path $WORK/h2nginx/uwsgi;
  scgi_temp_path $WORK/h2nginx/scgi;
  server {
    listen 127.0.0.1:$H2_NGINX_PORT http2;
    root $WORK/h2www;
  }
}
EOF
  serve nginx -c "$WORK/h2nginx/nginx.conf" -g 'daemon off;'
  H2NGINX_PID=$SERVE_PID
  wait_port "$H2_NGINX_PORT"
}

h2_start_apache() {
  local m=/usr/lib/apache2/modules
  mkdir -p "$WORK/apache-run"
  cat >"$WORK/apache.conf" <<EOF
ServerRoot /etc/apache2
ServerName localhost
Listen 127.0.0.1:$H2_APACHE_PORT
PidFile $WORK/apache-run/apache.pid
DefaultRuntimeDir $WORK/apache-run
ErrorLog $WORK/apache-run/error.log
LogLevel warn
User www-data
Group www-data
LoadModule mpm_event_module $m/mod_mpm_event.so
LoadModule authz_core_module $m/mod_authz_core.so
LoadModule mime_module $m/mod_mime.so
LoadModule dir_module $m/mod_dir.so
LoadModule http2_module $m/mod_http2.so
TypesConfig /etc/mime.types
Protocols h2c http/1.1
DocumentRoot $WORK/h2www
DirectoryIndex index.html
<Directory $WORK/h2www>
  Require all granted
</Directory>
EOF
  serve apache2 -f "$WORK/apache.conf" -DFOREGROUND
  APACHE_PID=$SERVE_PID
  wait_port "$H2_APACHE_PORT"
}

h2_nghttp_streams() {
  local f=http2-prior-knowledge-streams.pcap u=http://127.0.0.1:$H2_NGHTTPD_PORT
  start_capture $f "tcp port $H2_NGHTTPD_PORT"
  run nghttp -n --no-push "$u/tiny.txt" "$u/small.txt" "$u/medium.bin" "$u/large.bin" "$u/static/style.css" "$u/static/app.js" "$u/static/logo.png" "$u/missing.txt"
  stop_capture
  describe_capture $f "HTTP/2 with prior knowledge (no Upgrade, the client starts with the connection preface)
to nghttpd --no-tls: one connection, SETTINGS exchange; nghttp first sends PRIORITY frames for idle
streams 3-11 (its dependency tree), then eight concurrent GET streams 13, 15, ... 27 in one segment, of
mixed sizes (40 B to 48 KB, DATA frames of several streams interleaved) including one 404,
WINDOW_UPDATEs, GOAWAY at the end. nghttp -n --no-push (SETTINGS_ENABLE_PUSH 0).
$(printf "$H2_TSHARK_NOTE" "$H2_NGHTTPD_PORT")" "${H2_PACKAGES[@]}"
}

h2_h2load() {
  local f=http2-h2load-concurrent.pcap u=http://127.0.0.1:$H2_NGHTTPD_PORT
  start_capture $f "tcp port $H2_NGHTTPD_PORT"
  run h2load -n 24 -c 2 -m 8 "$u/tiny.txt" "$u/small.txt" "$u/static/style.css" "$u/medium.bin"
  stop_capture
  describe_capture $f "Load generator with prior knowledge: h2load, 2 connections, 24 GET requests in all,
up to 8 concurrent streams per connection (streams 1-23 on each), round-robin over four URLs of 40 B to
12 KB, to nghttpd --no-tls. Eight HEADERS frames leave in one segment and the DATA of different streams
interleave; each connection ends with GOAWAY.
$(printf "$H2_TSHARK_NOTE" "$H2_NGHTTPD_PORT")" "${H2_PACKAGES[@]}"
}

h2_push() {
  local f=http2-server-push.pcap u=http://127.0.0.1:$H2_NGHTTPD_PORT
  start_capture $f "tcp port $H2_NGHTTPD_PORT"
  run nghttp -n "$u/index.html"
  stop_capture
  describe_capture $f "Server push: nghttp (push allowed) asks nghttpd for /index.html on stream 13 (after its PRIORITY
frames for streams 3-11); nghttpd (-p /index.html=/static/style.css,/static/app.js) sends two
PUSH_PROMISE frames on stream 13 promising streams 2 and 4, then the response HEADERS of 13, 2 and 4
and their DATA, all 200.
$(printf "$H2_TSHARK_NOTE" "$H2_NGHTTPD_PORT")" "${H2_PACKAGES[@]}"
}

h2_nginx() {
  local f=http2-nginx-prior-knowledge.pcap u=http://127.0.0.1:$H2_NGINX_PORT
  start_capture $f "tcp port $H2_NGINX_PORT"
  run nghttp -n "$u/index.html" "$u/static/style.css" "$u/static/logo.png" "$u/small.txt" "$u/nope"
  stop_capture
  describe_capture $f "HTTP/2 with prior knowledge to a second implementation, nginx 1.22 (listen ... http2
without TLS): five concurrent GET streams on one connection (four 200s and one 404 with nginx's HTML
error body). nginx's SETTINGS (MAX_CONCURRENT_STREAMS 128, INITIAL_WINDOW_SIZE...) and its HPACK
use differ from nghttpd's.
$(printf "$H2_TSHARK_NOTE" "$H2_NGINX_PORT")" "${H2_PACKAGES[@]}"
}

h2_upgrade_curl() {
  local f=http2-upgrade-h2c-curl.pcap
  start_capture $f "tcp port $H2_APACHE_PORT"
  run curl -sS -o /dev/null --http2 "http://127.0.0.1:$H2_APACHE_PORT/index.html"
  run curl -sS -o /dev/null --http2 "http://127.0.0.1:$H2_APACHE_PORT/medium.bin"
  stop_capture
  describe_capture $f "HTTP/2 by Upgrade (h2c), two connections to Apache 2.4 mod_http2: curl --http2 sends an
HTTP/1.1 GET with Connection: Upgrade, HTTP2-Settings, Upgrade: h2c and an HTTP2-Settings header;
Apache answers 101 Switching Protocols, then the response to that first request arrives as HTTP/2
on stream 1 (the upgraded request); the client sends its preface after the 101. First index.html,
then medium.bin (12 KB). Port 8080 is an HTTP port for tshark, so it follows the Upgrade by itself." "${H2_PACKAGES[@]}"
}

h2_upgrade_nghttp() {
  local f=http2-upgrade-h2c-nghttp.pcap u=http://127.0.0.1:$H2_APACHE_PORT
  start_capture $f "tcp port $H2_APACHE_PORT"
  run nghttp -n -u "$u/index.html" "$u/static/style.css" "$u/static/app.js" "$u/tiny.txt"
  stop_capture
  describe_capture $f "HTTP/2 by Upgrade (h2c) with nghttp -u to Apache 2.4 mod_http2: the first request
(index.html) goes as HTTP/1.1 with Upgrade: h2c (101 Switching Protocols, answer on stream 1), then after
PRIORITY frames for idle streams 3-11, three more requests as HTTP/2 streams 13, 15, 17 on the same
connection. Port 8080 is an HTTP port for tshark, so it follows the Upgrade by itself." "${H2_PACKAGES[@]}"
}

http2_main() {
  need_packages "${H2_PACKAGES[@]}"
  h2_make_site
  h2_start_nghttpd
  h2_nghttp_streams
  h2_h2load
  h2_push
  stop_server "$NGHTTPD_PID"
  h2_start_nginx
  h2_nginx
  stop_server "$H2NGINX_PID"
  h2_start_apache
  h2_upgrade_curl
  h2_upgrade_nghttp
  stop_server "$APACHE_PID"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then http2_main; fi
