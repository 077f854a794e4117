#!/usr/bin/env bash
# IMAP captures: dovecot's imap server on 127.0.0.1:143 and :1143, driven by a small scripted
# client (python3: tags a001, a002..., waits for each tagged reply, reads server literals,
# sends synchronizing and LITERAL+ literals), by curl (AUTHENTICATE) and by fetchmail (LOGIN).
# Each capture is one scenario; see captures/PROVENANCE.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_packages dovecot-core dovecot-imapd curl fetchmail python3 tcpdump

conf="$WORK/dovecot.conf"
write_dovecot_conf "$conf" imap no "plain login cram-md5" '
service imap-login {
  inet_listener imap {
    port = 143
  }
  inet_listener imap-alt {
    port = 1143
  }
  inet_listener imaps {
    port = 0
  }
}'
for u in alice bob carol; do fill_maildir "$u"; done
serve dovecot -F -c "$conf"
DOVECOT_PID=$SERVE_PID
wait_port 143
wait_port 1143

# The scripted client. Arguments after host and port are commands without their tag.
#   {FILE:path} / {FILE+:path}  in a command: send that file as a synchronizing literal (wait
#                               for the server's '+') or as a LITERAL+ literal (no wait).
#   IDLE                        IDLE, wait for '+', drop the file given by --drop=SRC:DEST
#                               into the Maildir, wait for the untagged EXISTS, send DONE.
# Every read has a 15 s timeout; a tagged BAD or a closed connection ends the run.
cat >"$WORK/imap-dialog.py" <<'PY'
import os, re, shutil, socket, sys
host, port, args = sys.argv[1], int(sys.argv[2]), sys.argv[3:]
drop = None
if args and args[0].startswith("--drop="):
    drop = args.pop(0)[len("--drop="):].split(":", 1)
s = socket.create_connection((host, port), timeout=15)
f = s.makefile("rb")
LITERAL = re.compile(rb"\{(\d+)\+?\}\r\n$")
def response():
    """One server response line, with any literals it carries."""
    out = b""
    while True:
        l = f.readline(1 << 20)
        if not l:
            raise SystemExit("connection closed")
        out += l
        m = LITERAL.search(l)
        if not m:
            return out
        n = int(m.group(1))
        if n > 50 << 20:
            raise SystemExit("literal too large")
        out += f.read(n)
def show(l):
    print(l[:160].decode(errors="replace").rstrip().replace("\r\n", " | "))
def until_tagged(tag):
    while True:
        l = response(); show(l)
        if l.startswith(tag.encode() + b" "):
            if l.split(b" ")[1] == b"BAD":
                raise SystemExit("BAD reply")
            return
def until_continuation(tag):
    while True:
        l = response(); show(l)
        if l.startswith(b"+"):
            return
        if l.startswith(tag.encode() + b" "):
            raise SystemExit("no continuation")
show(response())  # greeting
for n, cmd in enumerate(args, 1):
    tag = f"a{n:03d}"
    print(">>", tag, cmd)
    if cmd == "IDLE":
        s.sendall(f"{tag} IDLE\r\n".encode())
        until_continuation(tag)
        src, dest = drop
        shutil.copy(src, dest + ".tmp"); os.chown(dest + ".tmp", 65534, 65534)
        os.rename(dest + ".tmp", dest)  # appears in Maildir/new at once, as a delivery does
        while b"EXISTS" not in (l := response()):
            show(l)
        show(l)
        s.sendall(b"DONE\r\n")
        until_tagged(tag)
        continue
    parts = re.split(r"\{FILE(\+?):([^}]*)\}", cmd)
    out = f"{tag} {parts[0]}".encode()
    for i in range(1, len(parts), 3):
        plus, path, after = parts[i], parts[i + 1], parts[i + 2]
        data = open(path, "rb").read()
        s.sendall(out + f"{{{len(data)}{plus}}}\r\n".encode())
        if not plus:
            until_continuation(tag)
        out = data + after.encode()
    s.sendall(out + b"\r\n")
    until_tagged(tag)
s.close()
PY
imap() { run python3 "$WORK/imap-dialog.py" "$@"; }
v="dovecot-core dovecot-imapd curl fetchmail"

# Messages for APPEND and IDLE (CRLF line ends, as IMAP wants).
printf '%s\r\n' 'From: Bob <bob@wirelens.test>' 'To: Alice <alice@wirelens.test>' 'Subject: draft: budget' \
  'Date: Wed, 15 Nov 2023 09:00:00 +0000' 'Message-ID: <draft.1@wirelens.test>' '' 'Numbers to follow.' >"$WORK/draft.eml"
printf '%s\r\n' 'From: Alice <alice@wirelens.test>' 'To: Bob <bob@wirelens.test>' 'Subject: appended with LITERAL+' \
  'Date: Wed, 15 Nov 2023 09:05:00 +0000' 'Message-ID: <literalplus.1@wirelens.test>' '' 'Sent as a non-synchronizing literal.' >"$WORK/literalplus.eml"
printf '%s\n' 'From: Dave <dave@example.net>' 'To: Carol <carol@wirelens.test>' 'Subject: arrived during IDLE' \
  'Date: Wed, 15 Nov 2023 10:00:00 +0000' 'Message-ID: <idle.1@wirelens.test>' '' 'New mail while the client was idling.' >"$WORK/idle.eml"
printf '%s\r\n' 'From: Alice <alice@wirelens.test>' 'To: Bob <bob@wirelens.test>' 'Subject: sent copy (curl APPEND)' \
  'Date: Wed, 15 Nov 2023 11:00:00 +0000' 'Message-ID: <curl-append.1@wirelens.test>' '' 'Uploaded with curl -T.' >"$WORK/sent.eml"

start_capture imap-login-browse.pcap 'tcp port 143'
imap 127.0.0.1 143 CAPABILITY 'LOGIN alice wonderland' CAPABILITY 'LIST "" "*"' 'LSUB "" "*"' \
  'STATUS INBOX (MESSAGES RECENT UIDNEXT UIDVALIDITY UNSEEN)' 'SELECT INBOX' 'SEARCH UNSEEN' 'SEARCH FROM "carol"' \
  'FETCH 1:* (FLAGS UID RFC822.SIZE INTERNALDATE ENVELOPE)' 'FETCH 2 BODYSTRUCTURE' 'FETCH 2 BODY[]' \
  'FETCH 4 (BODY.PEEK[HEADER.FIELDS (FROM SUBJECT)] BODY.PEEK[TEXT]<0.200>)' 'UID SEARCH ALL' \
  'UID FETCH 1:* (FLAGS RFC822.SIZE)' 'UID FETCH 3 BODY.PEEK[1]' LOGOUT
stop_capture
assert_capture imap-login-browse.pcap 'imap.request.command == "LOGIN"'
assert_capture imap-login-browse.pcap 'frame contains "report-q3.pdf"'
describe_capture imap-login-browse.pcap "One scripted session reading alice's mailbox: CAPABILITY
before and after LOGIN alice wonderland, LIST and LSUB (INBOX, Drafts, Sent, Archive with
special-use flags), STATUS INBOX, SELECT INBOX (FLAGS, EXISTS, RECENT, UIDVALIDITY, UIDNEXT),
SEARCH UNSEEN and SEARCH FROM, FETCH 1:* of FLAGS/UID/RFC822.SIZE/INTERNALDATE/ENVELOPE,
FETCH 2 BODYSTRUCTURE, FETCH 2 BODY[] (a {N} literal holding the whole message with its base64
PDF attachment, in one 9 KB segment: loopback's MSS is 65495), FETCH 4 of header fields and a partial
BODY[TEXT]<0.200>, UID SEARCH, UID FETCH of flags and sizes, UID FETCH 3 BODY.PEEK[1], LOGOUT
(untagged BYE, then tagged OK). FETCH BODY[] sets \\Seen on message 2." $v

start_capture imap-modify.pcap 'tcp port 143'
imap 127.0.0.1 143 'LOGIN bob builder' 'SELECT INBOX' 'STORE 1 +FLAGS (\Seen \Flagged)' \
  'UID STORE 2 +FLAGS.SILENT (\Answered)' 'COPY 1:2 Archive' \
  'APPEND Drafts (\Draft) "15-Nov-2023 09:00:00 +0000" {FILE:'"$WORK"'/draft.eml}' \
  'APPEND INBOX {FILE+:'"$WORK"'/literalplus.eml}' 'NOOP' \
  'STORE 3 +FLAGS (\Deleted)' EXPUNGE 'EXAMINE Archive' 'FETCH 1:* (UID FLAGS)' \
  'STATUS Drafts (MESSAGES)' LOGOUT
stop_capture
assert_capture imap-modify.pcap 'imap.request.command == "APPEND"'
assert_capture imap-modify.pcap 'imap.request.command == "EXPUNGE"'
describe_capture imap-modify.pcap "One scripted session changing bob's mailboxes: LOGIN bob
builder, SELECT INBOX, STORE 1 +FLAGS (\\Seen \\Flagged) (untagged FETCH FLAGS reply), UID STORE
2 +FLAGS.SILENT (\\Answered), COPY 1:2 Archive (COPYUID), APPEND Drafts with flags, a date and
a synchronizing literal (the client waits for '+ OK' before the message), APPEND INBOX with a
LITERAL+ non-synchronizing literal {N+} (no continuation), NOOP (EXISTS for the new message),
STORE 3 +FLAGS (\\Deleted), EXPUNGE (untagged 3 EXPUNGE), EXAMINE Archive (read-only), FETCH
1:* (UID FLAGS), STATUS Drafts, LOGOUT." $v

start_capture imap-idle.pcap 'tcp port 143'
imap 127.0.0.1 143 --drop="$WORK/idle.eml:$WORK/mail/carol/Maildir/new/1700010000.M1P1.wirelens" \
  'LOGIN carol rainbow' 'SELECT INBOX' IDLE 'FETCH 5 (FLAGS ENVELOPE)' LOGOUT
stop_capture
assert_capture imap-idle.pcap 'imap.request.command == "IDLE"'
assert_capture imap-idle.pcap 'imap and frame contains "* 5 EXISTS"'
describe_capture imap-idle.pcap "IDLE: the scripted client logs in as carol, SELECTs INBOX (4
messages) and sends IDLE; dovecot answers '+ idling'. The script then drops a new message file
into carol's Maildir/new; dovecot notices it and pushes untagged '* 5 EXISTS' and '* 5 RECENT'
while idling. The client sends DONE (a line without a tag), gets the tagged OK, FETCHes message
5 and LOGOUTs." $v

start_capture imap-curl-authenticate.pcap 'tcp port 143'
run curl -sS --login-options 'AUTH=PLAIN' imap://alice:wonderland@127.0.0.1/
run curl -sS --login-options 'AUTH=PLAIN' --sasl-ir 'imap://alice:wonderland@127.0.0.1/INBOX;UID=1' -o /dev/null
run curl -sS --login-options 'AUTH=PLAIN' -T "$WORK/sent.eml" imap://alice:wonderland@127.0.0.1/Sent
run curl -sS --login-options 'AUTH=PLAIN' -X 'EXAMINE Sent' imap://alice:wonderland@127.0.0.1/
stop_capture
assert_capture imap-curl-authenticate.pcap 'imap.request.command == "AUTHENTICATE"'
describe_capture imap-curl-authenticate.pcap "Four curl sessions as alice, each CAPABILITY then
AUTHENTICATE PLAIN with the credentials as initial response on the command line (curl 7.88
never sends LOGIN, and uses the initial response whenever the server offers SASL-IR, with or
without --sasl-ir): (1) LIST \"\" *; (2) SELECT INBOX and UID FETCH 1 BODY[]; (3) APPEND Sent
(\\Seen) with a synchronizing literal (curl -T); (4) a custom EXAMINE Sent (curl -X). Each ends
with LOGOUT." $v

cat >"$WORK/fetchmailrc" <<RC
set no bouncemail
poll 127.0.0.1 port 143 with proto IMAP auth password
  user "bob" there with password "builder" is "root" here
  keep fetchall no idle
  sslproto ''
  mda "/bin/sh -c 'cat >/dev/null'"
RC
chmod 600 "$WORK/fetchmailrc"
start_capture imap-fetchmail-login.pcap 'tcp port 143'
run timeout 60 fetchmail -f "$WORK/fetchmailrc" -i "$WORK/fetchids" --pidfile "$WORK/fetchmail.pid" --nodetach --nosyslog -v || [ $? -eq 1 ]
stop_capture
assert_capture imap-fetchmail-login.pcap 'imap.request.command == "LOGIN"'
describe_capture imap-fetchmail-login.pcap "fetchmail $(version fetchmail) polls bob's INBOX
with the plain IMAP LOGIN command (auth password): LOGIN \"bob\" \"builder\" (the capabilities
come with the greeting), SELECT \"INBOX\", FETCH 1:N RFC822.SIZE, then per message FETCH n
RFC822.HEADER and FETCH n BODY.PEEK[TEXT] (literals) and STORE n +FLAGS (\\Seen); fetchall and
keep, so nothing is deleted; an MDA discards the mail; then LOGOUT. sslproto '' stops fetchmail from trying STARTTLS, which it
sends even when the server does not offer it. fetchmailrc:
\`\`\`
$(cat "$WORK/fetchmailrc")
\`\`\`" $v

start_capture imap-port-1143.pcap 'tcp port 1143'
imap 127.0.0.1 1143 'LOGIN bob builder' 'SELECT INBOX' 'FETCH 1 (FLAGS BODY[])' LOGOUT
stop_capture
assert_capture imap-port-1143.pcap 'imap.request.command == "FETCH"' -d tcp.port==1143,imap
describe_capture imap-port-1143.pcap "IMAP on the non-standard port 1143 (same dovecot, second
listener): scripted LOGIN bob builder, SELECT INBOX, FETCH 1 (FLAGS BODY[]) with a literal,
LOGOUT. A dissector must find IMAP by content (tshark needs -d tcp.port==1143,imap)." $v

# Last: dovecot's auth penalty delays later logins from 127.0.0.1 after failures.
start_capture imap-failed-login.pcap 'tcp port 143'
imap 127.0.0.1 143 'LOGIN alice "not her password"' 'AUTHENTICATE PLAIN AGFsaWNlAHdyb25n' LOGOUT
run curl -sS imap://alice:also-wrong@127.0.0.1/ || true
stop_capture
assert_capture imap-failed-login.pcap 'imap and frame contains "NO [AUTHENTICATIONFAILED]"'
describe_capture imap-failed-login.pcap "Failed logins: a scripted session sends LOGIN alice with
a quoted wrong password (NO [AUTHENTICATIONFAILED] after dovecot's failure delay), then
AUTHENTICATE PLAIN with an initial response holding alice/wrong (NO as well), then LOGOUT; then
curl tries AUTHENTICATE CRAM-MD5 (its preferred mechanism) with a wrong password and gives up
(exit 67)." $v

stop_server "$DOVECOT_PID"

provenance "imap captures: checking them with tshark" "How to look at captures/imap-*.pcap with tshark $(version tshark):
- \`tshark -r F -Y imap -T fields -e imap.request.tag -e imap.request.command -e imap.request -e imap.response\`;
  LOGIN credentials: \`-e imap.request.username -e imap.request.password\`.
- imap-port-1143.pcap needs \`-d tcp.port==1143,imap\`.
- imap.response holds the first line of a frame; untagged lines such as '* 5 EXISTS' during
  IDLE are only in \`-V\` output or \`frame contains\`. Literals ({N} and {N+}) are shown inside
  the request or response text; tshark does not count them.
- dovecot runs with ssl = no here, so no STARTTLS; the IMAP session is plaintext throughout.
- Failed logins come last in the script: dovecot's auth penalty delays further logins from the
  same address (up to 15 s) after failures."
