#!/usr/bin/env bash
# TLS captures: nginx with a throwaway CA and certificate (made here by openssl, valid for
# test.wirelens and 127.0.0.1), driven by curl (Debian's curl uses OpenSSL). Each curl writes
# its TLS secrets with SSLKEYLOGFILE next to the capture (captures/<name>.keys, NSS key log
# format) so decryption can be tested against the same traffic.
# Ports: 8443 (a TLS port hint), 9443 (no hint: found by the record-header probe, and limited
# to P-256 so a client offering an X25519 key share gets a HelloRetryRequest).
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TLS_PACKAGES=(nginx curl openssl)
# Dovecot (IMAP STARTTLS and imaps on 993) comes from tls_mail.
TLS_PORT=8443
TLS_ODD_PORT=9443
TLS_HOST=test.wirelens

# tls_make_pki: a P-256 CA and an RSA-2048 server certificate it signs, under $WORK/pki.
tls_make_pki() {
  local d=$WORK/pki
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$d/ca.key" -out "$d/ca.pem" \
    -days 3650 -subj "/O=wirelens test/CN=wirelens test CA" -addext "basicConstraints=critical,CA:TRUE" 2>/dev/null
  openssl req -newkey rsa:2048 -nodes -keyout "$d/server.key" -out "$d/server.csr" -subj "/O=wirelens test/CN=$TLS_HOST" 2>/dev/null
  printf 'subjectAltName=DNS:%s,DNS:www.%s,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' "$TLS_HOST" "$TLS_HOST" >"$d/ext.cnf"
  openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial -out "$d/server.pem" \
    -days 825 -sha256 -extfile "$d/ext.cnf" 2>/dev/null
  cat "$d/server.pem" "$d/ca.pem" >"$d/chain.pem"
}

tls_make_site() {
  local www=$WORK/tlswww
  mkdir -p "$www"
  chmod 755 "$WORK"
  printf '<!doctype html><title>tls</title><p>over TLS</p>\n' >"$www/index.html"
  python3 -c 'import random,sys; r=random.Random(8443); open(sys.argv[1],"w").write("".join(r.choice("abcdefghij \n") for _ in range(900)))' "$www/small.txt"
  chmod -R a+rX "$www"
}

tls_start_nginx() {
  mkdir -p "$WORK/tlsnginx"
  cat >"$WORK/tlsnginx/nginx.conf" <<EOF
user root;
worker_processes 1;
pid $WORK/tlsnginx/nginx.pid;
error_log $WORK/tlsnginx/error.log;
events { worker_connections 64; }
http {
  include /etc/nginx/mime.types;
  access_log $WORK/tlsnginx/access.log;
  client_body_temp_path $WORK/tlsnginx/body;
  proxy_temp_path $WORK/tlsnginx/proxy;
  fastcgi_temp_path $WORK/tlsnginx/fastcgi;
  uwsgi_temp_path $WORK/tlsnginx/uwsgi;
  scgi_temp_path $WORK/tlsnginx/scgi;
  ssl_certificate $WORK/pki/chain.pem;
  ssl_certificate_key $WORK/pki/server.key;
  ssl_protocols TLSv1.2 TLSv1.3;
  # CBC suites stay allowed so a client can pick one.
  ssl_ciphers HIGH:!aNULL;
  ssl_session_tickets on;
  ssl_session_cache shared:tls:1m;
  server {
    listen 127.0.0.1:$TLS_PORT ssl http2;
    server_name $TLS_HOST;
    root $WORK/tlswww;
  }
  server {
    listen 127.0.0.1:$TLS_ODD_PORT ssl;
    server_name $TLS_HOST;
    ssl_ecdh_curve prime256v1;
    root $WORK/tlswww;
  }
}
EOF
  serve nginx -c "$WORK/tlsnginx/nginx.conf" -g 'daemon off;'
  TLSNGINX_PID=$SERVE_PID
  wait_port "$TLS_PORT"
  wait_port "$TLS_ODD_PORT"
}

# tls_curl NAME ARGS...: curl with the CA, the name resolved to loopback, and the key log
# written to captures/NAME.keys (removed first: curl appends).
tls_curl() {
  local name=$1; shift
  rm -f "$CAPTURES/$name.keys"
  run env SSLKEYLOGFILE="captures/$name.keys" curl -sS -o /dev/null --cacert "$WORK/pki/ca.pem" \
    --resolve "$TLS_HOST:$TLS_PORT:127.0.0.1" --resolve "$TLS_HOST:$TLS_ODD_PORT:127.0.0.1" "$@"
}

# tls_record NAME PORT DESCRIPTION CURL-ARGS...: one capture of one curl run.
tls_record() {
  local name=$1 port=$2 text=$3; shift 3
  start_capture "$name.pcap" "tcp port $port"
  tls_curl "$name" "$@" || true
  stop_capture
  describe_capture "$name.pcap" "$text

Key log: \`captures/$name.keys\` (curl's SSLKEYLOGFILE)." "${TLS_PACKAGES[@]}"
}

# tls_mail: dovecot with TLS (self-signed, CN=localhost): IMAP STARTTLS on 143 and implicit TLS
# (imaps) on 993, each driven by curl with a key log.
tls_mail() {
  local conf=$WORK/dovecot.conf
  write_dovecot_conf "$conf" imap yes "plain login" '
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imaps {
    port = 993
  }
}'
  fill_maildir alice
  serve dovecot -F -c "$conf"
  local pid=$SERVE_PID
  wait_port 143
  wait_port 993
  start_capture imaps-993.pcap "tcp port 993"
  rm -f captures/imaps-993.keys
  run env SSLKEYLOGFILE=captures/imaps-993.keys curl -sS -k -u alice:wonderland "imaps://127.0.0.1:993/INBOX;UID=1" -o /dev/null
  stop_capture
  describe_capture imaps-993.pcap "IMAP over implicit TLS (imaps, port 993): curl logs in to dovecot and fetches
message UID 1 of INBOX; everything after the TCP handshake is TLS 1.3 (self-signed CN=localhost,
curl -k). Key log: \`captures/imaps-993.keys\`." dovecot-core dovecot-imapd curl
  start_capture imap-starttls.pcap "tcp port 143"
  rm -f captures/imap-starttls.keys
  run env SSLKEYLOGFILE=captures/imap-starttls.keys curl -sS -k --ssl-reqd -u alice:wonderland "imap://127.0.0.1:143/INBOX;UID=1" -o /dev/null
  stop_capture
  describe_capture imap-starttls.pcap "IMAP STARTTLS on port 143: curl --ssl-reqd reads the greeting, asks CAPABILITY,
sends STARTTLS, and after dovecot's OK the client's next bytes are a TLS 1.3 ClientHello; the login
and the FETCH of message UID 1 are inside TLS. Key log: \`captures/imap-starttls.keys\`." dovecot-core dovecot-imapd curl
  stop_server "$pid"
}

# vsftpd on 127.0.0.1:21 with TLS offered, not required (curl and lftp each choose what to
# protect), anonymous TLS allowed, the throwaway CA's server certificate.
vsftpd_tls_conf() {
  ftp_vsftpd_conf "$1" "listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
pasv_address=127.0.0.1
ssl_enable=YES
rsa_cert_file=$WORK/pki/server.pem
rsa_private_key_file=$WORK/pki/server.key
allow_anon_ssl=YES
force_local_logins_ssl=NO
force_local_data_ssl=NO
require_ssl_reuse=NO
ssl_ciphers=HIGH"
}

# tls_ftp: vsftpd with TLS on 127.0.0.1:21 (explicit FTPS, RFC 4217). curl --ftp-ssl-control sends
# AUTH SSL first (vsftpd accepts it with 234), logs in over TLS and keeps the data channel clear.
tls_ftp() {
  source "$LIB_DIR/ftp.sh"
  need_packages vsftpd
  ftp_make_tree
  vsftpd_tls_conf "$WORK/ftp/vsftpd-tls.conf"
  serve vsftpd "$WORK/ftp/vsftpd-tls.conf"
  local pid=$SERVE_PID
  wait_port 21
  start_capture ftp-auth-ssl.pcap "host 127.0.0.1 and tcp and (port 21 or portrange 50000-50100)"
  rm -f captures/ftp-auth-ssl.keys
  run env SSLKEYLOGFILE=captures/ftp-auth-ssl.keys curl -sS --ftp-ssl-control --cacert "$WORK/pki/ca.pem" \
    "ftp://$FTP_USER:$FTP_PASS@127.0.0.1/readme.txt" -o /dev/null || true
  stop_capture
  describe_capture ftp-auth-ssl.pcap "Explicit FTPS (RFC 4217) to vsftpd: curl --ftp-ssl-control sends AUTH SSL (not AUTH TLS),
vsftpd answers 234, and the client's next bytes are a TLS ClientHello: USER, PASS and RETR
readme.txt travel inside TLS; the data connection stays in clear (PROT C). Key log:
\`captures/ftp-auth-ssl.keys\`." vsftpd curl
  stop_server "$pid"
}

# tls_keyupdate: TLS 1.3 KeyUpdate in both directions over TCP. openssl s_client reads its
# stdin line by line; a line holding only "K" makes it send KeyUpdate(update_requested), which
# nginx answers with its own KeyUpdate, and "k" a KeyUpdate that asks for none (s_client's
# commands work only without -quiet/-ign_eof). Three HTTP/1.1 requests on one connection: one
# under each generation of the client's traffic secret. Needs nginx started (tls_start_nginx).
tls_keyupdate() {
  local name=tls13-keyupdate host="Host: $TLS_HOST"
  start_capture "$name.pcap" "tcp port $TLS_PORT"
  rm -f "captures/$name.keys"
  run_sh "( printf 'GET /small.txt HTTP/1.1\n$host\n\n'; sleep 0.5; printf 'K\n'; sleep 0.5; \
printf 'GET /index.html HTTP/1.1\n$host\n\n'; sleep 0.5; printf 'k\n'; sleep 0.5; \
printf 'GET /small.txt HTTP/1.1\n$host\nConnection: close\n\n'; sleep 1 ) | \
openssl s_client -connect 127.0.0.1:$TLS_PORT -servername $TLS_HOST -tls1_3 -alpn http/1.1 -crlf \
-CAfile $WORK/pki/ca.pem -keylogfile captures/$name.keys >/dev/null 2>&1 || true"
  stop_capture
  assert_capture "$name.pcap" 'tls.handshake.type == 24' -o "tls.keylog_file:captures/$name.keys"
  describe_capture "$name.pcap" "TLS 1.3 KeyUpdate over TCP: openssl s_client (ALPN http/1.1) sends GET /small.txt,
then KeyUpdate with update_requested (its \`K\` command), which nginx answers with a KeyUpdate
of its own; GET /index.html under the new secrets; then a KeyUpdate asking for none (\`k\`) and a
last GET /small.txt (Connection: close) under the client's third secret. Only the first
application traffic secrets are in the key log: the later ones are derived (RFC 8446 §7.2).
Key log: \`captures/$name.keys\` (s_client -keylogfile)." nginx openssl
}

# tls_embedded: pcapng copies of key-logged captures with the secrets in a Decryption Secrets
# Block (editcap --inject-secrets), which decrypt with no key log flag.
tls_embedded() {
  local name
  for name in tls13-h2-aes128gcm smtp-starttls-auth; do
    [ -s "captures/$name.keys" ] || continue
    editcap --inject-secrets "tls,captures/$name.keys" "captures/$name.pcap" "captures/$name-dsb.pcapng"
    provenance "$name-dsb.pcapng" "captures/$name.pcap with its key log embedded: \`editcap --inject-secrets
tls,captures/$name.keys captures/$name.pcap captures/$name-dsb.pcapng\` (wireshark-common
$(version wireshark-common)). The file holds one Decryption Secrets Block (type TLS key log)
before the first packet; read it with no key log option."
  done
}

# tls_mail_keys: SMTP and POP3 over TLS with key logs, each by curl (OpenSSL, SSLKEYLOGFILE):
# STARTTLS on 25 and STLS on 110, and implicit TLS on 465 (smtps, postfix's wrapper mode) and
# 995 (pop3s). Dovecot serves POP3 and postfix's SASL; both use self-signed certificates for
# CN=localhost (curl -k).
tls_mail_keys() {
  need_packages postfix dovecot-core dovecot-pop3d
  local conf=$WORK/dovecot-pop3.conf v="postfix dovecot-core dovecot-pop3d curl"
  write_dovecot_conf "$conf" pop3 yes "plain login" '
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3s {
    port = 995
  }
}'
  fill_maildir alice
  fill_maildir bob
  serve dovecot -F -c "$conf"
  local dpid=$SERVE_PID
  wait_port 110
  wait_port 995
  start_postfix '127.0.0.1:25   inet  n       -       n       -       -       smtpd
127.0.0.1:465  inet  n       -       n       -       -       smtpd -o smtpd_tls_wrappermode=yes'
  local ppid=$POSTFIX_PID
  wait_port 25
  wait_port 465
  # postfix greets wait_port's probe after it has gone (220, then a reset): let that pass
  # before recording, so each capture holds only the client's connection.
  sleep 1
  printf 'From: Alice <alice@wirelens.test>\r\nTo: Bob <bob@wirelens.test>\r\nSubject: %s\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <%s@wirelens.test>\r\n\r\n%s\r\n' \
    'over STARTTLS' 'starttls.1' 'AUTH, envelope and message are all inside TLS.' >"$WORK/starttls.eml"
  printf 'From: Carol <carol@wirelens.test>\r\nTo: Alice <alice@wirelens.test>\r\nSubject: %s\r\nDate: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <%s@wirelens.test>\r\n\r\n%s\r\n' \
    'over smtps' 'smtps.1' 'Implicit TLS on port 465 (RFC 8314): no clear text at all.' >"$WORK/smtps.eml"
  local name
  name=smtp-starttls-auth
  start_capture "$name.pcap" 'tcp port 25'
  rm -f "captures/$name.keys"
  run env SSLKEYLOGFILE="captures/$name.keys" curl -sS -k --ssl-reqd --user alice:wonderland --login-options AUTH=PLAIN \
    smtp://127.0.0.1:25/client.wirelens.test --mail-from alice@wirelens.test --mail-rcpt bob@wirelens.test -T "$WORK/starttls.eml"
  stop_capture
  assert_capture "$name.pcap" 'smtp.req.command == "MAIL"' -o "tls.keylog_file:captures/$name.keys"
  describe_capture "$name.pcap" "SMTP STARTTLS with a key log: curl --ssl-reqd reads postfix's EHLO reply, sends
STARTTLS, and after 220 2.0.0 the TLS 1.3 handshake; inside TLS: EHLO, AUTH PLAIN as alice
(password wonderland), MAIL FROM, RCPT TO bob, DATA with one message, QUIT. Key log:
\`captures/$name.keys\` (curl's SSLKEYLOGFILE)." $v
  name=smtps-465
  start_capture "$name.pcap" 'tcp port 465'
  rm -f "captures/$name.keys"
  run env SSLKEYLOGFILE="captures/$name.keys" curl -sS -k --user alice:wonderland --login-options AUTH=LOGIN \
    smtps://127.0.0.1:465/client.wirelens.test --mail-from carol@wirelens.test --mail-rcpt alice@wirelens.test -T "$WORK/smtps.eml"
  stop_capture
  assert_capture "$name.pcap" 'smtp.req.command == "DATA"' -o "tls.keylog_file:captures/$name.keys"
  describe_capture "$name.pcap" "SMTP over implicit TLS (smtps, port 465, RFC 8314; postfix
smtpd_tls_wrappermode=yes): the TLS 1.3 handshake comes first; inside it the greeting, EHLO,
AUTH LOGIN as alice, MAIL FROM carol, RCPT TO alice, DATA, QUIT. Key log:
\`captures/$name.keys\` (curl's SSLKEYLOGFILE)." $v
  name=pop3-stls-retr
  start_capture "$name.pcap" 'tcp port 110'
  rm -f "captures/$name.keys"
  run env SSLKEYLOGFILE="captures/$name.keys" curl -sS -k --ssl-reqd pop3://alice:wonderland@127.0.0.1/2 -o /dev/null
  stop_capture
  assert_capture "$name.pcap" 'pop.request.command == "RETR"' -o "tls.keylog_file:captures/$name.keys"
  describe_capture "$name.pcap" "POP3 STLS with a key log: curl --ssl-reqd sends CAPA (STLS offered), STLS, and
after +OK the TLS 1.3 handshake; inside TLS: CAPA, AUTH PLAIN as alice, RETR 2 (the message
with the base64 PDF attachment report-q3.pdf), QUIT. Key log: \`captures/$name.keys\`." $v
  name=pop3s-995
  start_capture "$name.pcap" 'tcp port 995'
  rm -f "captures/$name.keys"
  run env SSLKEYLOGFILE="captures/$name.keys" curl -sS -k pop3s://bob:builder@127.0.0.1:995/1 -o /dev/null
  stop_capture
  assert_capture "$name.pcap" 'pop.request.command == "RETR"' -o "tls.keylog_file:captures/$name.keys"
  describe_capture "$name.pcap" "POP3 over implicit TLS (pop3s, port 995): TLS 1.3 first, then the greeting,
CAPA, AUTH PLAIN as bob (password builder), RETR 1, QUIT. Key log: \`captures/$name.keys\`." $v
  stop_server "$ppid"
  stop_server "$dpid"
}

# tls_lftp: explicit FTPS with AUTH TLS (RFC 4217) from lftp, which uses GnuTLS (it honours
# SSLKEYLOGFILE too): PBSZ 0 and PROT P protect the data connection as well, so the listing
# and the file travel in TLS sessions of their own (vsftpd does not require session reuse).
tls_lftp() {
  source "$LIB_DIR/ftp.sh"
  need_packages vsftpd lftp
  ftp_make_tree
  vsftpd_tls_conf "$WORK/ftp/vsftpd-lftp.conf"
  serve vsftpd "$WORK/ftp/vsftpd-lftp.conf"
  local pid=$SERVE_PID name=ftp-auth-tls-lftp
  wait_port 21
  start_capture "$name.pcap" "host 127.0.0.1 and tcp and (port 21 or portrange 50000-50100)"
  rm -f "captures/$name.keys"
  run env SSLKEYLOGFILE="captures/$name.keys" HOME="$WORK" lftp -c "set cmd:interactive false; set ftp:ssl-force true; \
set ftp:ssl-auth TLS; set ftp:ssl-protect-data true; set ftp:ssl-protect-list true; set ssl:ca-file $WORK/pki/ca.pem; \
set ssl:check-hostname false; open -u $FTP_USER,$FTP_PASS 127.0.0.1; ls; get readme.txt -o $WORK/ftp/client/readme.txt; bye" >/dev/null || true
  stop_capture
  assert_capture "$name.pcap" 'ftp.request.command == "AUTH"'
  describe_capture "$name.pcap" "Explicit FTPS from lftp (GnuTLS) to vsftpd: AUTH TLS, 234, then a TLS handshake;
inside it USER, PASS, PBSZ 0, PROT P, PASV, LIST, RETR readme.txt, QUIT. Each data connection
(the listing, the file) is a TLS session of its own (PROT P). Key log: \`captures/$name.keys\`
(GnuTLS honours SSLKEYLOGFILE)." vsftpd lftp
  stop_server "$pid"
}

tls_main() {
  need_packages "${TLS_PACKAGES[@]}" tcpdump python3
  # Key logs are named relative to the repository, so the provenance holds no local path.
  cd "$REPO"
  tls_make_pki
  tls_make_site
  tls_start_nginx
  local u=https://$TLS_HOST:$TLS_PORT
  tls_record tls13-h2-aes128gcm $TLS_PORT "TLS 1.3 with TLS_AES_128_GCM_SHA256, ALPN h2: curl --http2 GETs
/small.txt from nginx. SNI test.wirelens; the certificate chain (RSA leaf, P-256 CA) is encrypted." \
    --tlsv1.3 --tls13-ciphers TLS_AES_128_GCM_SHA256 --http2 "$u/small.txt"
  tls_record tls13-http11-chacha20 $TLS_PORT "TLS 1.3 with TLS_CHACHA20_POLY1305_SHA256, ALPN http/1.1 (curl
--http1.1), one GET of /small.txt." \
    --tlsv1.3 --tls13-ciphers TLS_CHACHA20_POLY1305_SHA256 --http1.1 "$u/small.txt"
  tls_record tls12-h2-ecdhe-aes256gcm $TLS_PORT "TLS 1.2 with ECDHE-RSA-AES256-GCM-SHA384 (0xc030), ALPN h2:
the server's Certificate (leaf + CA), ServerKeyExchange (x25519) and the rest of the handshake in clear." \
    --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES256-GCM-SHA384 --http2 "$u/small.txt"
  tls_record tls12-http11-cbc-sha256 $TLS_PORT "TLS 1.2 with ECDHE-RSA-AES128-SHA256 (0xc027, AES-CBC with
HMAC-SHA256; OpenSSL negotiates encrypt_then_mac), ALPN http/1.1." \
    --tlsv1.2 --tls-max 1.2 --ciphers ECDHE-RSA-AES128-SHA256 --http1.1 "$u/small.txt"
  tls_record tls12-resumed-ticket $TLS_PORT "TLS 1.2 session resumption in one curl run: \`Connection: close\`
makes nginx close after the first answer, so curl opens a second connection for the second URL
and resumes with the session ticket it was given (abbreviated handshake: ServerHello,
ChangeCipherSpec, Finished from the server first)." \
    --tlsv1.2 --tls-max 1.2 --http1.1 -H 'Connection: close' "$u/small.txt" "$u/index.html"
  tls_record tls13-resumed-psk $TLS_PORT "TLS 1.3 session resumption in one curl run, as tls12-resumed-ticket:
the second connection offers the NewSessionTicket of the first as a pre_shared_key, and the
ServerHello accepts it (pre_shared_key extension)." \
    --tlsv1.3 --http1.1 -H 'Connection: close' "$u/small.txt" "$u/index.html"
  tls_record tls13-hello-retry $TLS_ODD_PORT "TLS 1.3 HelloRetryRequest on port $TLS_ODD_PORT (no TLS port hint):
curl offers X25519 and P-256 but sends a key share for X25519 only; this nginx server accepts
only P-256 (ssl_ecdh_curve prime256v1), so it answers with a HelloRetryRequest and the client
sends a second ClientHello with a P-256 key share." \
    --tlsv1.3 --curves X25519:P-256 --http1.1 "https://$TLS_HOST:$TLS_ODD_PORT/small.txt"
  # Without --cacert the chain is not trusted: curl (TLS 1.2) sends a fatal unknown_ca alert in clear.
  start_capture tls12-untrusted-alert.pcap "tcp port $TLS_PORT"
  rm -f "$CAPTURES/tls12-untrusted-alert.keys"
  run env SSLKEYLOGFILE=captures/tls12-untrusted-alert.keys curl -sS -o /dev/null --resolve "$TLS_HOST:$TLS_PORT:127.0.0.1" \
    --tlsv1.2 --tls-max 1.2 "$u/small.txt" || true
  stop_capture
  # The handshake never completes, so curl logs no secret: no key log for this one.
  [ -s "$CAPTURES/tls12-untrusted-alert.keys" ] || rm -f "$CAPTURES/tls12-untrusted-alert.keys"
  describe_capture tls12-untrusted-alert.pcap "TLS 1.2 to nginx without the test CA: curl cannot verify the chain
and sends a fatal alert unknown_ca (48) in clear right after the server's ServerHelloDone; no
application data." "${TLS_PACKAGES[@]}"
  stop_server "$TLSNGINX_PID"
  need_packages dovecot-core dovecot-imapd
  tls_mail
  tls_ftp
  tls_start_nginx
  tls_keyupdate
  stop_server "$TLSNGINX_PID"
  tls_mail_keys
  tls_lftp
  tls_embedded
}

# tls_some SECTION...: only these sections (keyupdate, mail_keys, lftp, embedded), so that
# adding captures leaves the others and their key logs as they are.
tls_some() {
  need_packages "${TLS_PACKAGES[@]}" tcpdump python3
  cd "$REPO"
  tls_make_pki
  tls_make_site
  local s
  for s in "$@"; do
    case $s in
      keyupdate) tls_start_nginx; tls_keyupdate; stop_server "$TLSNGINX_PID" ;;
      mail_keys | lftp | embedded) "tls_$s" ;;
      *) echo "tls.sh: unknown section $s" >&2; return 2 ;;
    esac
  done
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  if [ $# -gt 0 ]; then tls_some "$@"; else tls_main; fi
fi
