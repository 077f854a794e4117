#!/usr/bin/env bash
# FTP captures: vsftpd 3.0.3 on 127.0.0.1:21 (listen=YES) and on [::1]:21 (listen_ipv6=YES), plus
# pyftpdlib on 127.0.0.1:2121 for MLSD (vsftpd has no MLSD/MLST; pure-ftpd and proftpd conflict with the
# vsftpd package). Clients: curl (EPSV, then PASV,
# by default; -P - for EPRT/PORT; --disable-epsv for PASV) and lftp. Passive data ports 50000-50100
# (vsftpd) and 50200-50300 (pyftpdlib); active data connections come from port 20.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

FTP_PACKAGES=(vsftpd curl lftp)
# A local account for vsftpd logins (pyftpdlib gets the same name and password); its home is the throwaway tree of this run.
FTP_USER=ftpuser
FTP_PASS=ftp-secret
FTP_FILTER_V4='host 127.0.0.1 and tcp and (port 21 or port 20 or portrange 50000-50100)'
FTP_MTIME='2024-01-15 10:00:00 UTC'

# ftp_make_tree: the user's home and the anonymous area under $WORK/ftp.
ftp_make_tree() {
  local home=$WORK/ftp/home anon=$WORK/ftp/anon
  chmod 755 "$WORK"
  mkdir -p "$home/pub/docs" "$home/upload" "$anon/pub" "$WORK/ftp/empty" "$WORK/ftp/client"
  printf 'Welcome to the wirelens FTP test server.\n' >"$home/readme.txt"
  printf 'first file\n' >"$home/pub/file1.txt"
  printf 'second file, a little longer\n' >"$home/pub/file2.txt"
  printf 'docs index\n' >"$home/pub/docs/index.txt"
  python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(21).randbytes(65536))' >"$home/data.bin"
  printf 'Anonymous users may read this.\n' >"$anon/pub/welcome.txt"
  find "$WORK/ftp" -exec touch -d "$FTP_MTIME" {} +
  id "$FTP_USER" >/dev/null 2>&1 || useradd -M -s /bin/bash "$FTP_USER"
  usermod -d "$home" "$FTP_USER"
  echo "$FTP_USER:$FTP_PASS" | chpasswd
  # Chrooted local user (PWD shows "/", not this run's random path): the root belongs to root and
  # is not writable (vsftpd refuses a writable chroot); upload/ is the user's.
  chown -R root:root "$home"; chmod -R a+rX,go-w "$home"
  chown -R "$FTP_USER:" "$home/upload"
  # Anonymous root: owned by root and not writable (vsftpd refuses a writable chroot).
  chown -R root:root "$anon"; chmod -R a+rX,go-w "$anon"
}

# ftp_vsftpd_conf FILE LISTEN_LINES: a vsftpd config shared by the IPv4 and IPv6 instances.
ftp_vsftpd_conf() {
  cat >"$1" <<EOF
$2
listen_port=21
background=NO
ftpd_banner=wirelens test FTP server (vsftpd)
anonymous_enable=YES
anon_root=$WORK/ftp/anon
no_anon_password=NO
local_enable=YES
write_enable=YES
local_umask=022
chroot_local_user=YES
pasv_enable=YES
pasv_min_port=50000
pasv_max_port=50100
port_enable=YES
connect_from_port_20=YES
ftp_data_port=20
# Containers: no seccomp sandbox, no PID/network namespaces.
seccomp_sandbox=NO
isolate=NO
isolate_network=NO
secure_chroot_dir=$WORK/ftp/empty
pam_service_name=vsftpd
dirmessage_enable=NO
xferlog_enable=YES
vsftpd_log_file=$1.log
EOF
}

ftp_start_vsftpd() {
  ftp_vsftpd_conf "$WORK/ftp/vsftpd4.conf" "listen=YES
listen_ipv6=NO
listen_address=127.0.0.1
pasv_address=127.0.0.1"
  ftp_vsftpd_conf "$WORK/ftp/vsftpd6.conf" "listen=NO
listen_ipv6=YES
listen_address6=::1"
  serve vsftpd "$WORK/ftp/vsftpd4.conf"
  VSFTPD4_PID=$SERVE_PID
  serve vsftpd "$WORK/ftp/vsftpd6.conf"
  VSFTPD6_PID=$SERVE_PID
  wait_port 21; wait_port 21 ::1
}

ftp_start_pyftpdlib() {
  # Debian's python3, where python3-pyftpdlib lives (not whatever python3 comes first in PATH).
  serve /usr/bin/python3 -m pyftpdlib -i 127.0.0.1 -p 2121 -d "$WORK/ftp/home" -u "$FTP_USER" -P "$FTP_PASS" -r 50200-50300
  PYFTPD_PID=$SERVE_PID
  wait_port 2121
}

FU=ftp://$FTP_USER:$FTP_PASS@127.0.0.1
CURLF=(curl -sS)

ftp_epsv() {
  local f=ftp-epsv-retr.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null "$FU/readme.txt"
  stop_capture
  describe_capture $f "Passive download with EPSV (curl's default): USER/PASS as $FTP_USER, PWD, EPSV (229
Entering Extended Passive Mode (|||port|)), TYPE I, SIZE, RETR readme.txt (150, data connection to a port
in 50000-50100, 226), QUIT." "${FTP_PACKAGES[@]}"
}

ftp_pasv() {
  local f=ftp-pasv-retr.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null --disable-epsv "$FU/pub/file2.txt"
  stop_capture
  describe_capture $f "Passive download with PASV (curl --disable-epsv): login, PWD, CWD pub, PASV (227 Entering
Passive Mode (127,0,0,1,p1,p2)), TYPE I, SIZE, RETR file2.txt over the data connection, QUIT." "${FTP_PACKAGES[@]}"
}

ftp_active_port() {
  local f=ftp-active-port-retr.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null -P - --disable-eprt "$FU/readme.txt"
  stop_capture
  describe_capture $f "Active download with PORT (curl -P - --disable-eprt): login, PORT 127,0,0,1,p1,p2
(200), TYPE I, SIZE, RETR readme.txt; vsftpd opens the data connection FROM port 20 TO the client's
port; QUIT." "${FTP_PACKAGES[@]}"
}

ftp_active_eprt() {
  local f=ftp-active-eprt-retr.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null -P - "$FU/pub/file1.txt"
  stop_capture
  describe_capture $f "Active download with EPRT on IPv4 (curl -P -): login, CWD pub, EPRT |1|127.0.0.1|port|
(200), TYPE I, SIZE, RETR file1.txt; the data connection comes from port 20; QUIT." "${FTP_PACKAGES[@]}"
}

ftp_stor() {
  local f=ftp-stor-upload.pcap
  printf 'uploaded by curl\nline 2\nline 3\n' >"$WORK/ftp/client/notes.txt"
  rm -f "$WORK/ftp/home/upload/notes.txt"
  start_capture $f "$FTP_FILTER_V4"
  (cd "$WORK/ftp/client" && run "${CURLF[@]}" -T notes.txt "$FU/upload/")
  stop_capture
  describe_capture $f "Upload: curl -T notes.txt (31 bytes) to /upload/: login, CWD upload, EPSV, TYPE I,
STOR notes.txt (150, data from client to server, 226), QUIT." "${FTP_PACKAGES[@]}"
}

ftp_listing() {
  local f=ftp-listing.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null "$FU/pub/"
  run "${CURLF[@]}" -o /dev/null -l "$FU/pub/"
  stop_capture
  describe_capture $f "Directory listings, two sessions: curl ftp://.../pub/ sends LIST (ls -l style lines
over the data connection), curl -l sends NLST (bare names). Each: login, CWD pub, EPSV, TYPE A, LIST or NLST." "${FTP_PACKAGES[@]}"
}

ftp_navigation() {
  local f=ftp-navigation.pcap
  start_capture $f "$FTP_FILTER_V4"
  # -Q: raw commands after login; a leading '*' lets the session go on when one fails.
  run "${CURLF[@]}" -o /dev/null -Q 'CWD pub' -Q PWD -Q 'CWD docs' -Q PWD -Q CDUP -Q PWD -Q CDUP -Q PWD \
    -Q '*CWD /nonexistent' -Q '*MKD tmpdir' -Q 'MKD upload/newdir' -Q 'RMD upload/newdir' -Q 'SYST' -Q 'NOOP' "$FU/"
  stop_capture
  describe_capture $f "Navigation (chrooted local user, so paths start at /): login, PWD (257 \"/\"), then
curl -Q commands: CWD pub, PWD, CWD docs, PWD (257 \"/pub/docs\"), CDUP, PWD, CDUP, PWD, CWD /nonexistent
(550 Failed to change directory), MKD tmpdir (550, the root is not writable), MKD upload/newdir (257),
RMD upload/newdir (250), SYST (215 UNIX Type: L8), NOOP (200); then EPSV, TYPE A, LIST of / and QUIT." "${FTP_PACKAGES[@]}"
}

ftp_failed_login() {
  local f=ftp-login-failed.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null "ftp://$FTP_USER:wrong-password@127.0.0.1/readme.txt" || true
  run "${CURLF[@]}" -o /dev/null "ftp://nosuchuser:whatever@127.0.0.1/readme.txt" || true
  stop_capture
  describe_capture $f "Failed logins, two sessions: $FTP_USER with a wrong password, then an unknown user. Each:
USER (331), PASS (530 Login incorrect., about 3 s later: PAM's failure delay plus vsftpd's delay_failed_login),
then curl closes the connection without QUIT." "${FTP_PACKAGES[@]}"
}

ftp_anonymous() {
  local f=ftp-anonymous.pcap
  start_capture $f "$FTP_FILTER_V4"
  run "${CURLF[@]}" -o /dev/null "ftp://127.0.0.1/pub/welcome.txt"
  stop_capture
  describe_capture $f "Anonymous login: USER anonymous, PASS ftp@example.com (curl's default anonymous
password), 230, PWD (/), CWD pub, EPSV, TYPE I, SIZE, RETR welcome.txt, QUIT." "${FTP_PACKAGES[@]}"
}

ftp_rest() {
  local f=ftp-rest-resume.pcap
  head -c 20000 "$WORK/ftp/home/data.bin" >"$WORK/ftp/client/data.bin"
  start_capture $f "$FTP_FILTER_V4"
  (cd "$WORK/ftp/client" && run "${CURLF[@]}" -C - -o data.bin "$FU/data.bin")
  stop_capture
  cmp -s "$WORK/ftp/client/data.bin" "$WORK/ftp/home/data.bin" || { echo "ftp: resumed file differs" >&2; return 1; }
  describe_capture $f "Resumed download: the client already holds the first 20000 bytes of data.bin (65536
bytes); curl -C - sends SIZE (213 65536), REST 20000 (350 Restart position accepted), RETR data.bin and
receives the remaining 45536 bytes over EPSV." "${FTP_PACKAGES[@]}"
}

ftp_ipv6() {
  local f=ftp-ipv6-epsv-eprt.pcap
  local fu6="ftp://$FTP_USER:$FTP_PASS@[::1]"
  start_capture $f 'ip6 host ::1 and tcp and (port 21 or port 20 or portrange 50000-50100)'
  run "${CURLF[@]}" -g -o /dev/null "$fu6/readme.txt"
  run "${CURLF[@]}" -g -o /dev/null -P - "$fu6/pub/"
  stop_capture
  describe_capture $f "FTP over IPv6 to vsftpd on [::1]:21, two sessions: a passive RETR readme.txt with EPSV
(229 (|||port|)), then an active LIST of pub/ with EPRT |2|::1|port| (the data connection comes from
[::1]:20)." "${FTP_PACKAGES[@]}"
}

ftp_mlsd() {
  local f=ftp-mlsd-pyftpdlib.pcap
  start_capture $f 'host 127.0.0.1 and tcp and (port 2121 or portrange 50200-50300)'
  run lftp -c "set ftp:passive-mode yes; set net:max-retries 1; set net:timeout 5; open -u $FTP_USER,$FTP_PASS -p 2121 127.0.0.1; cls -l pub; quote MLST readme.txt; get -O $WORK/ftp/client pub/file1.txt"
  stop_capture
  describe_capture $f "Machine listings from pyftpdlib on the non-standard port 2121 (vsftpd has no MLSD):
lftp sends FEAT (MLST type*;perm*;size*;modify*;...), AUTH TLS (500, lftp tries TLS first) and OPTS UTF8 ON
(530 before login), logs in, OPTS MLST to choose facts, PWD, CWD /pub, PASV and MLSD (facts lines
modify=...;perm=...;size=...;type=...; name over the data connection), CWD /, MLST readme.txt (250 with the
facts on the control connection), then SIZE, MDTM, PASV and RETR pub/file1.txt, QUIT. tshark needs \`-d tcp.port==2121,ftp\`." python3-pyftpdlib "${FTP_PACKAGES[@]}"
}

ftp_main() {
  need_packages "${FTP_PACKAGES[@]}" python3-pyftpdlib
  ftp_make_tree
  ftp_start_vsftpd
  ftp_epsv
  ftp_pasv
  ftp_active_port
  ftp_active_eprt
  ftp_stor
  ftp_listing
  ftp_navigation
  ftp_failed_login
  ftp_anonymous
  ftp_rest
  ftp_ipv6
  stop_server "$VSFTPD4_PID"; stop_server "$VSFTPD6_PID"
  ftp_start_pyftpdlib
  ftp_mlsd
  stop_server "$PYFTPD_PID"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then ftp_main; fi
