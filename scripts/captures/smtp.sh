#!/usr/bin/env bash
# SMTP captures: postfix (own config directory, master in the foreground) on 127.0.0.1:25 and
# :2525, SASL through dovecot's auth socket, driven by swaks, curl and python3's smtplib for
# RSET and BDAT. Mail for wirelens.test is delivered to Maildirs under $WORK; every other
# destination goes to the error: transport and no DNS is used, so nothing leaves the machine.
# Each capture is one scenario; see captures/PROVENANCE.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_packages postfix dovecot-core swaks curl python3 openssl tcpdump \
  libauthen-sasl-perl libdigest-hmac-perl libnet-ssleay-perl libio-socket-ssl-perl

# --- dovecot: only the auth service, for postfix's SASL (PLAIN, LOGIN, CRAM-MD5) ---------
dconf="$WORK/dovecot.conf"
write_dovecot_conf "$dconf" none no "plain login cram-md5" ''
serve dovecot -F -c "$dconf"
DOVECOT_PID=$SERVE_PID
for _ in $(seq 100); do [ -S "$WORK/dovecot/run/auth-postfix" ] && break; sleep 0.1; done

# --- postfix (start_postfix in lib.sh): listeners on 25 and the non-standard 2525 -------------
start_postfix '127.0.0.1:25   inet  n       -       n       -       -       smtpd
127.0.0.1:2525 inet  n       -       n       -       -       smtpd'
wait_port 25
wait_port 2525

# --- client material ----------------------------------------------------------------------
# A deterministic 12 KB binary attachment (so swaks base64-encodes it).
python3 -c 'import hashlib,sys; sys.stdout.buffer.write(b"".join(hashlib.sha256(b"wirelens%d" % i).digest() for i in range(384)))' >"$WORK/invoice-2024-117.bin"

# A message whose body has lines beginning with '.', and a line that is only '.'. With CRLF
# line ends curl doubles each leading dot on the wire (RFC 5321 4.5.2); the same text with
# bare LF line ends is sent as it is (curl escapes only after CRLF), for smtp-bare-lf.pcap.
cat >"$WORK/dotted-lf.eml" <<'EML'
From: Alice <alice@wirelens.test>
To: Bob <bob@wirelens.test>
Subject: dot-stuffing test
Date: Tue, 14 Nov 2023 22:13:20 +0000
Message-ID: <dotted.1@wirelens.test>

Lines below start with a dot:
.hidden-file
..two dots
.
the previous line held a single dot; the message is not over yet.
EML
sed 's/$/\r/' "$WORK/dotted-lf.eml" >"$WORK/dotted.eml"

# RSET and BDAT: python3's smtplib (a real client library); smtplib has no BDAT, so the BDAT
# chunks are sent with its low-level putcmd/send/getreply, as RFC 3030 describes.
cat >"$WORK/smtp-dialog.py" <<'PY'
import smtplib, sys
mode, port = sys.argv[1], int(sys.argv[2])
s = smtplib.SMTP("127.0.0.1", port, local_hostname="client.wirelens.test", timeout=15)
s.set_debuglevel(1)
s.ehlo()
if mode == "rset":
    s.mail("alice@wirelens.test"); s.rcpt("bob@wirelens.test")
    s.rset()  # changed her mind: start over with another recipient
    s.mail("alice@wirelens.test"); s.rcpt("carol@wirelens.test")
    s.data(b"From: alice@wirelens.test\r\nTo: carol@wirelens.test\r\nSubject: after RSET\r\n"
           b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\n\r\nOnly Carol gets this.\r\n")
elif mode == "bdat":
    assert s.has_extn("chunking"), "server does not offer CHUNKING"
    s.mail("alice@wirelens.test"); s.rcpt("bob@wirelens.test")
    msg = (b"From: alice@wirelens.test\r\nTo: bob@wirelens.test\r\nSubject: sent with BDAT\r\n"
           b"Date: Tue, 14 Nov 2023 22:13:20 +0000\r\nMessage-ID: <bdat.1@wirelens.test>\r\n\r\n"
           b"First chunk ends in the middle of this li")
    rest = (b"ne. BDAT needs no dot-stuffing, so the next line goes as it is:\r\n"
            b".a line starting with a dot\r\n.\r\nand a lone dot above, which does not end the message.\r\n")
    for chunk, last in ((msg, False), (rest, True)):
        s.putcmd("BDAT", f"{len(chunk)}{' LAST' if last else ''}")
        s.send(chunk)
        code, text = s.getreply()
        assert code == 250, (code, text)
s.quit()
PY

helo=(--helo client.wirelens.test)
v="postfix dovecot-core swaks curl"

start_capture smtp-attachment.pcap 'tcp port 25'
run swaks "${helo[@]}" --server 127.0.0.1 --port 25 --from alice@wirelens.test --to bob@wirelens.test \
  --h-Subject 'Invoice 2024-117' --body 'Hi Bob, the invoice is attached. Alice' \
  --attach-type application/octet-stream --attach-name invoice-2024-117.bin --attach "$WORK/invoice-2024-117.bin"
stop_capture
assert_capture smtp-attachment.pcap 'imf.content.type contains "multipart/mixed"'
describe_capture smtp-attachment.pcap "swaks sends one message from alice to bob with a 12 KB
binary attachment (multipart/mixed, base64, filename invoice-2024-117.bin): EHLO, MAIL FROM,
RCPT TO, DATA, the message, '.', QUIT. No AUTH (127.0.0.0/8 is in mynetworks)." $v

start_capture smtp-multi-rcpt-rejected.pcap 'tcp port 25'
run curl -sS smtp://127.0.0.1:25/client.wirelens.test --mail-from alice@wirelens.test \
  --mail-rcpt bob@wirelens.test --mail-rcpt nobody@wirelens.test --mail-rcpt carol@wirelens.test \
  --mail-rcpt blocked@wirelens.test --mail-rcpt-allowfails --crlf -T - <<'EML'
From: Alice <alice@wirelens.test>
To: Bob <bob@wirelens.test>, Nobody <nobody@wirelens.test>, Carol <carol@wirelens.test>, Blocked <blocked@wirelens.test>
Subject: team meeting
Date: Tue, 14 Nov 2023 22:13:20 +0000

Meeting moved to 3 pm.
EML
stop_capture
assert_capture smtp-multi-rcpt-rejected.pcap 'smtp.response.code == 550'
assert_capture smtp-multi-rcpt-rejected.pcap 'smtp.response.code == 554'
describe_capture smtp-multi-rcpt-rejected.pcap "curl (--mail-rcpt-allowfails) sends one message
to four recipients: bob (250), nobody@wirelens.test (550 5.1.1 User unknown in virtual mailbox
table), carol (250) and blocked@wirelens.test (554 5.7.1 recipient blocked by local policy,
from check_recipient_access). DATA goes ahead for the two accepted recipients." $v

for mech in PLAIN LOGIN CRAM-MD5; do
  f="smtp-auth-$(tr 'A-Z' 'a-z' <<<"$mech").pcap"
  start_capture "$f" 'tcp port 25'
  run swaks "${helo[@]}" --server 127.0.0.1 --port 25 --auth "$mech" --auth-user alice --auth-password wonderland \
    --from alice@wirelens.test --to carol@wirelens.test --h-Subject "sent after AUTH $mech" --body "Authenticated with $mech."
  stop_capture
  assert_capture "$f" "smtp.req.parameter contains \"$mech\""
  assert_capture "$f" 'smtp.response.code == 235'
  describe_capture "$f" "swaks authenticates as alice (password wonderland) with AUTH $mech
(postfix asks dovecot's auth service over its socket), gets 235 2.7.0, then sends one message
to carol and QUITs. Plaintext: postfix offers AUTH without TLS (smtpd_tls_auth_only = no)." $v
done

start_capture smtp-auth-failed.pcap 'tcp port 25'
run swaks "${helo[@]}" --server 127.0.0.1 --port 25 --auth LOGIN --auth-user alice --auth-password not-her-password \
  --from alice@wirelens.test --to carol@wirelens.test || true
stop_capture
assert_capture smtp-auth-failed.pcap 'smtp.response.code == 535'
describe_capture smtp-auth-failed.pcap "swaks tries AUTH LOGIN as alice with a wrong password:
535 5.7.8 Error: authentication failed, and swaks gives up (QUIT)." $v

start_capture smtp-pipelining.pcap 'tcp port 25'
run swaks "${helo[@]}" --server 127.0.0.1 --port 25 --pipeline --from alice@wirelens.test \
  --to bob@wirelens.test,carol@wirelens.test --h-Subject 'pipelined' --body 'MAIL, RCPT, RCPT and DATA went out in one segment.'
stop_capture
assert_capture smtp-pipelining.pcap 'smtp.req.command == "DATA"'
describe_capture smtp-pipelining.pcap "swaks with --pipeline (postfix offers PIPELINING): MAIL
FROM, two RCPT TO and DATA are written in one segment, and postfix's four replies come back
together; then the message and QUIT." $v

start_capture smtp-header-envelope-mismatch.pcap 'tcp port 25'
run swaks "${helo[@]}" --server 127.0.0.1 --port 25 --from bounces+x42@lists.example.org --to carol@wirelens.test \
  --h-From '"The Boss" <boss@wirelens.test>' --h-To '"All staff" <staff@wirelens.test>' \
  --h-Subject 'Urgent: wire transfer' --body 'Please wire the money today. The Boss'
stop_capture
assert_capture smtp-header-envelope-mismatch.pcap 'imf.from contains "boss@wirelens.test"'
describe_capture smtp-header-envelope-mismatch.pcap "The envelope and the header disagree:
MAIL FROM:<bounces+x42@lists.example.org> and RCPT TO:<carol@wirelens.test>, but the message
header says From: \"The Boss\" <boss@wirelens.test> and To: \"All staff\" <staff@wirelens.test>.
SMTP delivers by the envelope; mail clients show the header (swaks --h-From/--h-To)." $v

start_capture smtp-rset.pcap 'tcp port 25'
run python3 "$WORK/smtp-dialog.py" rset 25
stop_capture
assert_capture smtp-rset.pcap 'smtp.req.command == "rset"'
describe_capture smtp-rset.pcap "python3 smtplib, which writes its commands in lower case
(ehlo, mail FROM:, rcpt TO:, rset, data, quit; SMTP verbs are case-insensitive): EHLO, MAIL FROM alice, RCPT TO bob, RSET
(the transaction is abandoned), MAIL FROM alice, RCPT TO carol, DATA, message, QUIT. Only carol
gets the message." $v

start_capture smtp-dot-stuffing.pcap 'tcp port 25'
run curl -sS smtp://127.0.0.1:25/client.wirelens.test --mail-from alice@wirelens.test --mail-rcpt bob@wirelens.test -T "$WORK/dotted.eml"
stop_capture
assert_capture smtp-dot-stuffing.pcap 'frame contains "\r\n..hidden-file"'
describe_capture smtp-dot-stuffing.pcap "curl sends a message whose body has lines starting
with '.': '.hidden-file', '..two dots' and a line holding only '.'. On the wire curl doubles
each leading dot ('..hidden-file', '...two dots', '..'); the real end of data is the final
CRLF.CRLF. A dissector must undo the stuffing." $v

start_capture smtp-bare-lf.pcap 'tcp port 25'
run curl -sS smtp://127.0.0.1:25/client.wirelens.test --mail-from alice@wirelens.test --mail-rcpt bob@wirelens.test -T "$WORK/dotted-lf.eml" || true
stop_capture
assert_capture smtp-bare-lf.pcap 'smtp.response.code == 500'
describe_capture smtp-bare-lf.pcap "The same message as smtp-dot-stuffing.pcap but with bare LF
line ends (only the commands end in CRLF). curl escapes dots only after CRLF, so the body goes
out unstuffed, with a line holding a lone '.' between two bare LFs. Postfix $(version postfix)
(smtpd_forbid_bare_newline not set) takes LF.LF as the end of data: it queues the first part
(250), then reads the remaining body lines as commands (500 5.5.2 Error: command not
recognized, 500 bad syntax) and answers curl's final '.' and QUIT with 221 'I can break rules,
too'. Client and server disagree on where the message ends: the SMTP smuggling ambiguity." $v

start_capture smtp-bdat.pcap 'tcp port 25'
run python3 "$WORK/smtp-dialog.py" bdat 25
stop_capture
assert_capture smtp-bdat.pcap 'frame contains "BDAT"'
describe_capture smtp-bdat.pcap "CHUNKING (RFC 3030): postfix $(version postfix) offers
CHUNKING in its EHLO reply. Neither swaks $(version swaks) nor curl $(version curl) sends BDAT, so
python3 smtplib's low-level putcmd/send/getreply send the message in two chunks: BDAT <n>
(the chunk ends in the middle of a line) and BDAT <n> LAST, each answered by 250. The chunk
data is not dot-stuffed: it holds a line starting with '.' and a line with a lone '.'." $v

start_capture smtp-starttls.pcap 'tcp port 25'
run swaks "${helo[@]}" --server 127.0.0.1 --port 25 --tls --from alice@wirelens.test --to bob@wirelens.test \
  --h-Subject 'over TLS' --body 'Only the EHLO and STARTTLS are in clear.'
stop_capture
assert_capture smtp-starttls.pcap 'smtp.req and frame contains "STARTTLS\r\n"'
assert_capture smtp-starttls.pcap 'tls.handshake.type == 1'
describe_capture smtp-starttls.pcap "swaks --tls: EHLO (postfix offers STARTTLS), STARTTLS, 220
2.0.0 Ready to start TLS, then a TLS handshake (postfix's self-signed certificate for
CN=localhost) and the rest of the session (EHLO, MAIL, RCPT, DATA, QUIT) encrypted." $v

start_capture smtp-port-2525.pcap 'tcp port 2525'
run curl -sS smtp://127.0.0.1:2525/client.wirelens.test --mail-from carol@wirelens.test --mail-rcpt alice@wirelens.test --crlf -T - <<'EML'
From: Carol <carol@wirelens.test>
To: Alice <alice@wirelens.test>
Subject: on port 2525
Date: Tue, 14 Nov 2023 22:13:20 +0000

Sent to the second smtpd listener on the non-standard port 2525.
EML
stop_capture
assert_capture smtp-port-2525.pcap 'smtp.req.command == "DATA"' -d tcp.port==2525,smtp
describe_capture smtp-port-2525.pcap "curl sends one message from carol to alice through a
second postfix smtpd listening on the non-standard port 2525: EHLO, MAIL, RCPT, DATA, QUIT.
A dissector must find SMTP by content (tshark needs -d tcp.port==2525,smtp)." $v

stop_server "$POSTFIX_PID"
stop_server "$DOVECOT_PID"

provenance "smtp captures: checking them with tshark" "How to look at captures/smtp-*.pcap with tshark $(version tshark):
- \`tshark -r F -Y smtp -T fields -e smtp.req.command -e smtp.req.parameter -e smtp.response.code\`;
  the message itself: \`-Y imf -T fields -e imf.from -e imf.to -e imf.subject\`.
- smtp-port-2525.pcap needs \`-d tcp.port==2525,smtp\` (no heuristic for SMTP).
- tshark cuts smtp.req.command to four characters: STARTTLS shows as \`STAR\`; use
  smtp.command_line. smtplib's commands are lower case (\`ehlo\`, \`mail\`, \`rset\`) in
  smtp-rset.pcap and smtp-bdat.pcap.
- tshark 4.0 shows no IMF for the BDAT message (smtp-bdat.pcap) nor for smtp-bare-lf.pcap (it
  waits for CRLF.CRLF, which postfix never needed there); both are right on the wire.
- AUTH exchanges: tshark puts the base64 strings as sent in smtp.auth.username and
  smtp.auth.password (LOGIN) and smtp.auth.username_password (PLAIN); it does not decode them.
  For CRAM-MD5 there are only the 334 challenge and the response line.
- smtp-starttls.pcap: everything after '220 2.0.0 Ready to start TLS' is TLS 1.3 (\`-Y tls\`)."
