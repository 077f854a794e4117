#!/usr/bin/env bash
# POP3 captures: dovecot's pop3 server on 127.0.0.1:110 and :1110, driven by curl and by a
# small scripted client (python3, one command at a time, waits for each reply) for the
# commands curl cannot send. Each capture is one scenario; see captures/PROVENANCE.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_packages dovecot-core dovecot-pop3d curl python3 openssl tcpdump

# ssl = yes only so that CAPA offers STLS; plaintext logins stay allowed.
conf="$WORK/dovecot.conf"
write_dovecot_conf "$conf" pop3 yes "plain login cram-md5 apop" '
service pop3-login {
  inet_listener pop3 {
    port = 110
  }
  inet_listener pop3-alt {
    port = 1110
  }
  inet_listener pop3s {
    port = 0
  }
}'
fill_maildir alice
fill_maildir bob
serve dovecot -F -c "$conf"
DOVECOT_PID=$SERVE_PID
wait_port 110
wait_port 1110

# Scripted client: greeting, then each argument as one command; waits for the reply, reading
# the multi-line body of CAPA, LIST/UIDL without argument, RETR and TOP when they succeed.
# Every read is bounded by a 15 s timeout.
cat >"$WORK/pop3-dialog.py" <<'PY'
import socket, sys
host, port, cmds = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
s = socket.create_connection((host, port), timeout=15)
f = s.makefile("rb")
def line():
    l = f.readline(65536)
    if not l:
        raise SystemExit("connection closed")
    return l
def multiline():
    while line() not in (b".\r\n", b".\n"):
        pass
print(line().decode().rstrip())
for c in cmds:
    s.sendall(c.encode() + b"\r\n")
    first = line()
    print(c, "->", first.decode(errors="replace").rstrip())
    verb, args = c.split(" ")[0].upper(), c.split(" ")[1:]
    if first.startswith(b"+OK") and (verb in ("CAPA", "RETR", "TOP") or (verb in ("LIST", "UIDL") and not args)):
        multiline()
s.close()
PY
pop3() { run python3 "$WORK/pop3-dialog.py" "$@"; }
v="dovecot-core dovecot-pop3d curl"

start_capture pop3-commands.pcap 'tcp port 110'
pop3 127.0.0.1 110 CAPA 'USER alice' 'PASS wonderland' STAT LIST 'LIST 2' UIDL 'UIDL 3' \
  'RETR 1' 'TOP 4 5' NOOP 'DELE 1' 'DELE 3' STAT RSET STAT QUIT
stop_capture
assert_capture pop3-commands.pcap 'pop.request.command == "TOP"'
assert_capture pop3-commands.pcap 'pop.request.command == "RSET"'
assert_capture pop3-commands.pcap 'pop and frame contains "\r\nSTLS\r\n"'
describe_capture pop3-commands.pcap "One scripted session covering the POP3 command set: CAPA
(offers TOP UIDL RESP-CODES PIPELINING AUTH-RESP-CODE STLS USER and SASL PLAIN LOGIN CRAM-MD5;
the greeting carries the APOP <timestamp>), USER/PASS login, STAT, LIST and
LIST 2, UIDL and UIDL 3, RETR 1 (multi-line, dot-terminated), TOP 4 5 (headers + 5 lines),
NOOP, DELE 1 and DELE 3, STAT (shows the marked messages gone), RSET (unmarks them), STAT,
QUIT. Nothing is deleted thanks to RSET." $v

start_capture pop3-curl-retr-attachment.pcap 'tcp port 110'
run curl -sS -o /dev/null pop3://alice:wonderland@127.0.0.1/2
stop_capture
assert_capture pop3-curl-retr-attachment.pcap 'pop.request.command == "RETR"'
assert_capture pop3-curl-retr-attachment.pcap 'frame contains "report-q3.pdf"'
describe_capture pop3-curl-retr-attachment.pcap "curl retrieves message 2, which carries a
base64 PDF attachment (multipart/mixed, about 8 KB). curl reads CAPA and, since dovecot offers
SASL, authenticates with AUTH CRAM-MD5 (its preferred mechanism among those offered), then
RETR 2 and QUIT." $v

start_capture pop3-curl-list-dele.pcap 'tcp port 110'
run curl -sS pop3://bob:builder@127.0.0.1/
run curl -sS -X 'DELE 4' -I pop3://bob:builder@127.0.0.1/
run curl -sS pop3://bob:builder@127.0.0.1/
stop_capture
assert_capture pop3-curl-list-dele.pcap 'pop.request.command == "DELE"'
describe_capture pop3-curl-list-dele.pcap "Three curl sessions as bob (AUTH CRAM-MD5 each):
LIST (4 messages), a custom DELE 4 (curl -X) followed by QUIT, so message 4 is really
deleted, and LIST again (3 messages)." $v

start_capture pop3-apop.pcap 'tcp port 110'
run curl -sS --login-options 'AUTH=+APOP' pop3://alice:wonderland@127.0.0.1/
stop_capture
assert_capture pop3-apop.pcap 'pop.request.command == "APOP"'
describe_capture pop3-apop.pcap "APOP login by curl: the greeting carries dovecot's
<timestamp> challenge, curl answers APOP alice <md5 digest>, then LIST and QUIT." $v

start_capture pop3-auth-plain.pcap 'tcp port 110'
run curl -sS --login-options 'AUTH=PLAIN' pop3://alice:wonderland@127.0.0.1/
run curl -sS --sasl-ir --login-options 'AUTH=PLAIN' pop3://bob:builder@127.0.0.1/1 -o /dev/null
stop_capture
assert_capture pop3-auth-plain.pcap 'pop.request.parameter contains "PLAIN"'
describe_capture pop3-auth-plain.pcap "Two SASL PLAIN logins by curl: AUTH PLAIN with the
credentials on a continuation line ('+ ' challenge) then LIST as alice; AUTH PLAIN with the
initial response on the command line (--sasl-ir) then RETR 1 as bob." $v

start_capture pop3-stls.pcap 'tcp port 110'
run curl -sS -k --ssl-reqd pop3://alice:wonderland@127.0.0.1/ -o /dev/null
stop_capture
assert_capture pop3-stls.pcap 'tls.handshake.type == 1'
describe_capture pop3-stls.pcap "curl with --ssl-reqd: CAPA offers STLS, curl sends STLS, gets
+OK and the rest of the session (TLS handshake with dovecot's self-signed cert for
CN=localhost, CAPA, AUTH, LIST, QUIT) is encrypted." $v

start_capture pop3-port-1110.pcap 'tcp port 1110'
pop3 127.0.0.1 1110 'USER bob' 'PASS builder' STAT 'RETR 2' QUIT
stop_capture
assert_capture pop3-port-1110.pcap 'pop.request.command == "RETR"' -d tcp.port==1110,pop
describe_capture pop3-port-1110.pcap "POP3 on the non-standard port 1110 (same dovecot, second
listener): scripted USER/PASS as bob, STAT, RETR 2, QUIT. A dissector must find POP3 by
content, not by port (tshark needs -d tcp.port==1110,pop)." $v

# Last: dovecot's auth penalty delays later logins from 127.0.0.1 after failures.
start_capture pop3-failed-login.pcap 'tcp port 110'
pop3 127.0.0.1 110 'USER alice' 'PASS not-the-password' 'AUTH PLAIN AGFsaWNlAHdyb25n' QUIT
run curl -sS pop3://alice:also-wrong@127.0.0.1/ || true
stop_capture
assert_capture pop3-failed-login.pcap 'pop.response.indicator == "-ERR"'
describe_capture pop3-failed-login.pcap "Failed logins: a scripted session sends USER alice /
PASS with a wrong password (-ERR [AUTH] after dovecot's failure delay), then AUTH PLAIN with an
initial response holding alice/wrong (also -ERR), then QUIT; then curl tries AUTH CRAM-MD5 with
a wrong password and gives up (exit 67)." $v

stop_server "$DOVECOT_PID"

provenance "pop3 captures: checking them with tshark" "How to look at captures/pop3-*.pcap with tshark $(version tshark):
- \`tshark -r F -Y pop -T fields -e pop.request.command -e pop.request.parameter -e pop.response.indicator -e pop.response.description\`.
- pop3-port-1110.pcap needs \`-d tcp.port==1110,pop\`.
- The CAPA list and message bodies are in the multi-line response lines (\`-V\`, or
  \`-z follow,tcp,ascii,0\`). APOP's challenge is the <...> part of the greeting.
- Every POP3 session here runs against dovecot with ssl = yes only so that CAPA offers STLS;
  pop3-stls.pcap is the one session that uses it (TLS 1.3 after '+OK Begin TLS negotiation now.').
- Failed logins come last in the script: dovecot's auth penalty delays further logins from the
  same address (up to 15 s) after failures."
