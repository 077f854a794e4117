#!/usr/bin/env bash
# captures/demo.pcap: one small mixed capture for `npm start`: a DNS lookup through unbound and bind,
# an HTTP page with one image on a persistent connection, a 404, and a passive FTP download.
# The servers and their configs are those of dns.sh, http.sh and ftp.sh (sourced for their functions).
here=$(dirname "${BASH_SOURCE[0]}")
source "$here/lib.sh"
source "$here/dns.sh"
source "$here/http.sh"
source "$here/ftp.sh"

demo_main() {
  need_packages "${DNS_PACKAGES[@]}" "${HTTP_PACKAGES[@]}" "${FTP_PACKAGES[@]}"
  dns_start_bind
  dns_start_unbound
  http_make_site
  mkdir -p "$WORK/www/demo"
  printf '<!doctype html>\n<title>wirelens demo</title>\n<h1>Demo page</h1>\n<img src="/logo.png" alt="logo">\n' >"$WORK/www/demo/index.html"
  touch -d "$HTTP_MTIME" "$WORK/www/demo" "$WORK/www/demo/index.html"
  http_start_nginx
  ftp_make_tree
  ftp_start_vsftpd

  local f=demo.pcap
  start_capture $f 'net 127.0.0.0/8 and (port 53 or port 80 or port 21 or port 20 or portrange 50000-50100)'
  run dig +tries=1 +time=3 @"$DNS_RESOLVER" "$HTTP_HOST" A >/dev/null
  (cd "$WORK/dl" && run "${CURL[@]}" --remote-name-all "$U/demo/index.html" "$U/logo.png")
  run "${CURL[@]}" -o /dev/null "$U/demo/missing.png"
  run "${CURL[@]}" -o /dev/null --disable-epsv "$FU/readme.txt"
  stop_capture
  describe_capture $f "The demo: four short scenes on lo, one after another.
1. DNS: dig asks unbound (127.0.0.1:53) for $HTTP_HOST A; unbound asks bind (127.0.0.2:53, authoritative,
   RD=0) and answers 192.0.2.10 with RA=1.
2. HTTP: one persistent connection to nginx on 127.0.0.1:80: GET /demo/index.html (200, a page with one
   image) then GET /logo.png (200, image/png) on the same connection.
3. HTTP: GET /demo/missing.png on a new connection, 404 Not Found.
4. FTP: curl logs in to vsftpd as $FTP_USER (USER/PASS), PWD, PASV (227), TYPE I, SIZE, RETR readme.txt
   over a passive data connection (41 bytes), QUIT.
curl is given the address with --resolve, so the only DNS traffic is scene 1." \
    "${DNS_PACKAGES[@]}" "${HTTP_PACKAGES[@]}" "${FTP_PACKAGES[@]}"

  stop_server "$VSFTPD4_PID"; stop_server "$VSFTPD6_PID"
  stop_server "$NGINX_PID"
  dns_stop
}

demo_main
