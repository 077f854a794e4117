#!/usr/bin/env bash
# HTTP/1.1 captures: nginx 1.22 serving a throwaway site on 127.0.0.1:80 and 127.0.0.1:8081,
# driven by curl (and printf | nc for pipelining). One scenario per capture file.
# Run through scripts/make-captures.sh http; demo.sh sources it for its server functions.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

HTTP_HOST=www.wirelens.test
HTTP_PACKAGES=(nginx curl netcat-openbsd openssl)
# Fixed mtime: ETag and Last-Modified stay the same from one run to the next.
HTTP_MTIME='2024-01-15 10:00:00 UTC'

# http_make_site: the files nginx serves, under $WORK/www.
http_make_site() {
  local www=$WORK/www
  mkdir -p "$www"/page "$www"/files "$www"/gz "$www"/private "$WORK/dl"
  printf '<!doctype html>\n<title>wirelens</title>\n<p>Hello from the wirelens test site.</p>\n' >"$www/index.html"
  printf 'alpha\n' >"$www/a.txt"; printf 'bravo bravo\n' >"$www/b.txt"; printf 'charlie charlie charlie\n' >"$www/c.txt"
  printf '{"status":"ok","items":[1,2,3]}\n' >"$www/status.json"
  printf 'members only: the cake is in the fridge\n' >"$www/private/secret.txt"
  # A textbook page: one HTML file referencing four images and a stylesheet.
  cat >"$www/page/index.html" <<'HTML'
<!doctype html>
<html><head><title>Page with embedded objects</title><link rel="stylesheet" href="style.css"></head>
<body><h1>Embedded objects</h1>
<img src="img1.png" alt="one"><img src="img2.png" alt="two">
<img src="img3.png" alt="three"><img src="img4.png" alt="four">
</body></html>
HTML
  printf 'body { font-family: sans-serif; }\nimg { width: 64px; height: 64px; }\n' >"$www/page/style.css"
  python3 - "$www" <<'PY'
import random, struct, sys, zlib
www = sys.argv[1]
rng = random.Random(20240115)  # seeded: the same bytes on every run

def png(width, height):
    rows = b"".join(b"\0" + bytes(rng.randrange(256) for _ in range(width * 3)) for _ in range(height))
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")

for i, side in enumerate((24, 32, 40, 48), start=1):
    open(f"{www}/page/img{i}.png", "wb").write(png(side, side))
open(f"{www}/logo.png", "wb").write(png(16, 16))
# Incompressible payload for the large download.
open(f"{www}/files/large.bin", "wb").write(rng.randbytes(1_048_576))
# Compressible text for the gzip + chunked response.
words = "packet frame segment stream window header payload checksum sequence acknowledgement".split()
lines = [" ".join(rng.choice(words) for _ in range(12)) for _ in range(400)]
open(f"{www}/gz/report.txt", "w").write("\n".join(lines) + "\n")
open(f"{www}/gz/data.json", "w").write('{"rows":[' + ",".join(f'{{"id":{i},"name":"{rng.choice(words)}"}}' for i in range(300)) + "]}\n")
PY
  find "$www" -exec touch -d "$HTTP_MTIME" {} +
  # Basic auth: alice / wonderland, apr1 hash made by openssl with a fixed salt.
  printf 'alice:%s\n' "$(openssl passwd -apr1 -salt wirelens wonderland)" >"$WORK/htpasswd"
}

# http_start_nginx: nginx in the foreground with a throwaway config; sets NGINX_PID.
http_start_nginx() {
  mkdir -p "$WORK/nginx-tmp"
  cat >"$WORK/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $WORK/nginx-access.log;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  keepalive_timeout 15;
  server {
    listen 127.0.0.1:80;
    listen 127.0.0.1:8081;
    server_name $HTTP_HOST;
    root $WORK/www;
    location / { }
    location /gz/ {
      gzip on; gzip_min_length 0; gzip_vary on; gzip_comp_level 6;
      gzip_types text/plain application/json text/css;
    }
    location /private/ {
      auth_basic "wirelens members";
      auth_basic_user_file $WORK/htpasswd;
    }
    location = /login {
      default_type text/plain;
      add_header Set-Cookie "session=5f2b1c0e9a; Path=/; HttpOnly" always;
      add_header Set-Cookie "theme=dark; Path=/; Max-Age=3600" always;
      return 200 "logged in\n";
    }
    location = /account {
      default_type text/plain;
      if (\$cookie_session = "") { return 403 "no session cookie\n"; }
      return 200 "hello, session \$cookie_session, theme \$cookie_theme\n";
    }
    location = /submit {
      default_type text/plain;
      return 201 "accepted \$content_length bytes of \$content_type\n";
    }
  }
}
EOF
  serve nginx -c "$WORK/nginx.conf" -g 'daemon off;'
  NGINX_PID=$SERVE_PID
  wait_port 80; wait_port 8081
}

# The client: curl resolving the test host name to 127.0.0.1 (no DNS traffic in HTTP captures).
CURL=(curl -sS --resolve "$HTTP_HOST:80:127.0.0.1" --resolve "$HTTP_HOST:8081:127.0.0.1")
U=http://$HTTP_HOST

http_persistent() {
  local f=http-persistent.pcap
  start_capture $f 'tcp port 80'
  (cd "$WORK/dl" && run "${CURL[@]}" --remote-name-all "$U/index.html" "$U/a.txt" "$U/b.txt" "$U/status.json")
  stop_capture
  describe_capture $f "Four GET requests on one persistent HTTP/1.1 connection (curl reuses the connection for
every URL on its command line): index.html, a.txt, b.txt, status.json, all 200." "${HTTP_PACKAGES[@]}"
}

http_nonpersistent() {
  local f=http-nonpersistent.pcap
  start_capture $f 'tcp port 80'
  run "${CURL[@]}" -o /dev/null --http1.0 "$U/a.txt"
  run "${CURL[@]}" -o /dev/null -H 'Connection: close' "$U/b.txt"
  stop_capture
  describe_capture $f "Two non-persistent connections: an HTTP/1.0 GET (nginx answers HTTP/1.1 with
Connection: close), then an HTTP/1.1 GET with Connection: close. Each connection ends right after its one
response (which side sends the first FIN is up to timing)." "${HTTP_PACKAGES[@]}"
}

http_conditional() {
  local f=http-conditional-304.pcap
  local lm etag
  lm=$(curl -sSI --resolve "$HTTP_HOST:80:127.0.0.1" "$U/index.html" | tr -d '\r' | sed -n 's/^Last-Modified: //Ip')
  etag=$(curl -sSI --resolve "$HTTP_HOST:80:127.0.0.1" "$U/index.html" | tr -d '\r' | sed -n 's/^ETag: //Ip')
  start_capture $f 'tcp port 80'
  run "${CURL[@]}" -o /dev/null "$U/index.html"
  run "${CURL[@]}" -o /dev/null -H "If-Modified-Since: $lm" "$U/index.html"
  run "${CURL[@]}" -o /dev/null -H "If-None-Match: $etag" "$U/index.html"
  run "${CURL[@]}" -o /dev/null -H 'If-None-Match: "0-stale"' "$U/index.html"
  stop_capture
  describe_capture $f "Conditional GETs of index.html, one connection each: a plain GET (200, with ETag and
Last-Modified), If-Modified-Since equal to Last-Modified (304), If-None-Match with the ETag (304), and
If-None-Match with a stale ETag (200 with the body)." "${HTTP_PACKAGES[@]}"
}

http_post() {
  local f=http-post.pcap
  printf 'line one of an uploaded note\nline two\n' >"$WORK/note.txt"
  start_capture $f 'tcp port 80'
  run "${CURL[@]}" -o /dev/null -d 'user=alice&comment=hello+world' "$U/submit"
  run "${CURL[@]}" -o /dev/null -H 'Content-Type: application/json' --data-raw '{"id":7,"tags":["a","b"]}' "$U/submit"
  (cd "$WORK" && run "${CURL[@]}" -o /dev/null -F 'title=notes' -F 'file=@note.txt;type=text/plain' "$U/submit")
  stop_capture
  describe_capture $f "Three POSTs to /submit, each on its own connection, answered 201 with a text body:
an urlencoded form, a JSON body, and a multipart/form-data upload of a small text file." "${HTTP_PACKAGES[@]}"
}

http_chunked_gzip() {
  local f=http-chunked-gzip.pcap
  start_capture $f 'tcp port 80'
  run "${CURL[@]}" -o /dev/null --compressed "$U/gz/report.txt" -o /dev/null "$U/gz/data.json"
  stop_capture
  describe_capture $f "One connection, two GETs with Accept-Encoding (curl --compressed); nginx gzips on the
fly, so the responses have Content-Encoding: gzip and Transfer-Encoding: chunked (no Content-Length):
a 40594-byte text file (about 5 KB gzipped) and an 8422-byte JSON file." "${HTTP_PACKAGES[@]}"
}

http_basic_auth() {
  local f=http-basic-auth.pcap
  start_capture $f 'tcp port 80'
  run "${CURL[@]}" -o /dev/null "$U/private/secret.txt"
  run "${CURL[@]}" -o /dev/null -u alice:wrongpass "$U/private/secret.txt"
  run "${CURL[@]}" -o /dev/null -u alice:wonderland "$U/private/secret.txt"
  stop_capture
  describe_capture $f "Basic authentication (nginx auth_basic, htpasswd made by openssl passwd -apr1), three
connections: no credentials (401 with WWW-Authenticate: Basic realm=\"wirelens members\"), alice with a
wrong password (401), alice:wonderland (200)." "${HTTP_PACKAGES[@]}"
}

http_cookies() {
  local f=http-cookies.pcap
  rm -f "$WORK/cookies.txt"
  start_capture $f 'tcp port 80'
  (cd "$WORK" && run "${CURL[@]}" -o /dev/null "$U/account")
  (cd "$WORK" && run "${CURL[@]}" -o /dev/null -c cookies.txt "$U/login")
  (cd "$WORK" && run "${CURL[@]}" -o /dev/null -b cookies.txt "$U/account")
  stop_capture
  describe_capture $f "Cookies, three connections: /account without a cookie (403), /login sets two cookies
(Set-Cookie session=...; HttpOnly and theme=dark; Max-Age), then /account sends both back in one Cookie
header (200, the body echoes them)." "${HTTP_PACKAGES[@]}"
}

http_pipelined() {
  local f=http-pipelined.pcap
  start_capture $f 'tcp port 80'
  run_sh "printf 'GET /a.txt HTTP/1.1\\r\\nHost: $HTTP_HOST\\r\\n\\r\\nGET /b.txt HTTP/1.1\\r\\nHost: $HTTP_HOST\\r\\n\\r\\nGET /c.txt HTTP/1.1\\r\\nHost: $HTTP_HOST\\r\\nConnection: close\\r\\n\\r\\n' | nc -w 5 127.0.0.1 80 >/dev/null"
  stop_capture
  describe_capture $f "Pipelining: three GET requests (a.txt, b.txt, c.txt, the last with Connection: close)
written in ONE TCP segment by printf | nc before any response; nginx answers the three in order and
closes." "${HTTP_PACKAGES[@]}"
}

http_404() {
  local f=http-404-nanosecond.pcap
  start_capture $f 'tcp port 80' --time-stamp-precision=nano
  run "${CURL[@]}" -o /dev/null "$U/no-such-page.html" -o /dev/null "$U/index.html"
  stop_capture
  describe_capture $f "A 404: GET /no-such-page.html answered 404 Not Found with nginx's HTML error page, then
GET /index.html (200) on the same connection. Recorded with nanosecond timestamps (pcap magic
0xa1b23c4d)." "${HTTP_PACKAGES[@]}"
}

http_large() {
  local f=http-large-download.pcap
  start_capture $f 'tcp port 80'
  run "${CURL[@]}" -o /dev/null "$U/files/large.bin"
  stop_capture
  describe_capture $f "A large download: GET /files/large.bin, 1 MiB (1048576 bytes) of incompressible bytes,
application/octet-stream with Content-Length. On lo (MTU 65536) the body spans a few dozen large segments." "${HTTP_PACKAGES[@]}"
}

http_page_load() {
  local objs=("$U/page/index.html" "$U/page/style.css" "$U/page/img1.png" "$U/page/img2.png" "$U/page/img3.png" "$U/page/img4.png")
  local f=http-page-nonpersistent.pcap o
  start_capture $f 'tcp port 80'
  for o in "${objs[@]}"; do (cd "$WORK/dl" && run "${CURL[@]}" -O -H 'Connection: close' "$o"); done
  stop_capture
  describe_capture $f "Textbook page load, non-persistent: index.html, then its stylesheet and four PNG images,
each fetched with its own TCP connection (one curl per object, Connection: close): 6 connections,
6 handshakes. Compare with http-page-persistent.pcap." "${HTTP_PACKAGES[@]}"
  f=http-page-persistent.pcap
  start_capture $f 'tcp port 80'
  (cd "$WORK/dl" && run "${CURL[@]}" --remote-name-all "${objs[@]}")
  stop_capture
  describe_capture $f "Textbook page load, persistent: the same six objects as http-page-nonpersistent.pcap
(index.html, style.css, img1-4.png) fetched one after another on ONE connection (one curl, six URLs)." "${HTTP_PACKAGES[@]}"
}

http_other_port() {
  local f=http-port8081-sll2.pcap
  start_capture_on any $f 'tcp port 8081' -y LINUX_SLL2
  (cd "$WORK/dl" && run "${CURL[@]}" --remote-name-all "$U:8081/index.html" "$U:8081/logo.png")
  run "${CURL[@]}" -o /dev/null -I "$U:8081/status.json"
  stop_capture
  describe_capture $f "HTTP on a non-standard port, 8081 (Host: $HTTP_HOST:8081): GET index.html and logo.png on
one connection, then a HEAD of status.json (Content-Length but no body). Recorded on the 'any'
pseudo-interface as Linux cooked v2 (LINKTYPE_LINUX_SLL2, 276); each loopback packet appears once." "${HTTP_PACKAGES[@]}"
}

http_main() {
  need_packages "${HTTP_PACKAGES[@]}"
  http_make_site
  http_start_nginx
  http_persistent
  http_nonpersistent
  http_conditional
  http_post
  http_chunked_gzip
  http_basic_auth
  http_cookies
  http_pipelined
  http_404
  http_large
  http_page_load
  http_other_port
  stop_server "$NGINX_PID"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then http_main; fi
