#!/usr/bin/env bash
# Shared helpers for scripts/captures/<protocol>.sh. Source it; do not run it.
set -euo pipefail
# Sourced once per run: demo.sh sources several protocol scripts that each source this file.
if [ -n "${WIRELENS_LIB_LOADED:-}" ]; then return 0; fi
WIRELENS_LIB_LOADED=1
LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$LIB_DIR/../.." && pwd)
CAPTURES="$REPO/captures"
WORK=$(mktemp -d /tmp/wirelens-capture.XXXXXX)
PIDS=()
EXIT_HOOKS=()

cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  sleep 0.3
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill -9 "$p" 2>/dev/null || true; done
  for h in "${EXIT_HOOKS[@]:-}"; do [ -n "$h" ] && { eval "$h" || true; }; done
  rm -rf "$WORK"
}

# on_exit 'SHELL TEXT': undoes a system change (e.g. a loopback alias) when the script ends, even on failure.
on_exit() { EXIT_HOOKS+=("$1"); }
trap cleanup EXIT

# Installs Debian packages without letting their services start on install.
need_packages() {
  local missing=()
  for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
  [ ${#missing[@]} -eq 0 ] && return 0
  if [ ! -x /usr/sbin/policy-rc.d ]; then printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; fi
  [ -n "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v lock)" ] || apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}" >/dev/null
}

# Runs a command in the background and remembers it for cleanup.
bg() { "$@" & PIDS+=($!); }

# start_capture FILE FILTER [tcpdump options...]: records loopback into captures/FILE.
start_capture() { start_capture_on lo "$@"; }

# start_capture_on IFACE FILE FILTER [tcpdump options...]: the same on any interface
# (`any` with `-y LINUX_SLL2` gives cooked v2 frames). Starts a fresh command log for provenance.
start_capture_on() {
  local iface=$1 file=$2 filter=$3; shift 3
  : >"$CMD_LOG"
  # --immediate-mode: without it libpcap hands packets over in TPACKET_V3 blocks (up to 1 s
  # late), and the SIGINT of stop_capture loses the last block: short captures came out empty.
  # -B 16384 (KiB): with the default 2 MiB ring a burst of 64 KiB loopback segments was dropped.
  TCPDUMP_CMD="tcpdump -i $iface --immediate-mode -B 16384 -U -w captures/$file${*:+ $*} '$filter'"
  TCPDUMP_FILE=$file
  tcpdump -i "$iface" --immediate-mode -B 16384 -U -w "$CAPTURES/$file" "$@" "$filter" >"$WORK/tcpdump-$file.log" 2>&1 &
  TCPDUMP_PID=$!
  PIDS+=($TCPDUMP_PID)
  for _ in $(seq 50); do grep -q "listening on" "$WORK/tcpdump-$file.log" 2>/dev/null && break; sleep 0.1; done
}

stop_capture() {
  sleep 0.5
  kill -INT "$TCPDUMP_PID" 2>/dev/null || true
  wait "$TCPDUMP_PID" 2>/dev/null || true
  # A capture with kernel drops is not what the scenario says: say so loudly.
  if grep -Eq '^[1-9][0-9]* packets? dropped by kernel' "$WORK/tcpdump-${TCPDUMP_FILE:-}.log" 2>/dev/null; then
    echo "WARNING: tcpdump dropped packets in ${TCPDUMP_FILE:-}: $(grep 'dropped by kernel' "$WORK/tcpdump-$TCPDUMP_FILE.log")" >&2
  fi
}

# wait_port PORT [HOST]: until something listens there (at most 10 s).
wait_port() {
  local port=$1 host=${2:-127.0.0.1}
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$host/$port") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on $host:$port" >&2
  return 1
}

# provenance FILE TEXT: records what a capture holds and how it was made, in captures/PROVENANCE.md.
provenance() {
  local file=$1 text=$2
  local prov="$CAPTURES/PROVENANCE.md"
  touch "$prov"
  # flock: the mail/BitTorrent script may write its blocks at the same time.
  flock /tmp/wirelens-provenance.lock python3 - "$prov" "$file" "$text" <<'PY'
import sys, re
path, name, text = sys.argv[1:]
src = open(path).read()
block = f"## {name}\n\n{text.strip()}\n\n"
pat = re.compile(rf"^## {re.escape(name)}\n.*?(?=^## |\Z)", re.S | re.M)
src = pat.sub(lambda m: block, src) if pat.search(src) else src + block
open(path, "w").write(src)
PY
}

# version PACKAGE: the Debian package version, for provenance.
version() { dpkg-query -W -f='${Version}' "$1" 2>/dev/null || echo unknown; }

# ---- Command log and provenance blocks -------------------------------------------------
CMD_LOG="$WORK/commands.log"
SERVER_LOG="$WORK/servers.log"
: >"$CMD_LOG"; : >"$SERVER_LOG"
TCPDUMP_CMD=""

# run CMD...: runs a client command and logs it, shell-quoted, for the capture's provenance.
run() { printf '%s\n' "$(_quoted "$@")" >>"$CMD_LOG"; "$@"; }

# run_sh 'SHELL TEXT': the same for a pipeline, run by bash and logged as written.
run_sh() { printf '%s\n' "$1" >>"$CMD_LOG"; bash -c "$1"; }

# serve CMD...: starts a server in the background (remembered for cleanup) and logs its
# command line; SERVE_PID is its PID, for stop_server.
serve() { "$@" & SERVE_PID=$!; PIDS+=($SERVE_PID); printf '%s\t%s\n' "$SERVE_PID" "$(_quoted "$@")" >>"$SERVER_LOG"; }

# The command lines of the servers started by serve that are still running.
_running_servers() {
  local pid cmd
  while IFS=$'\t' read -r pid cmd; do kill -0 "$pid" 2>/dev/null && printf '%s\n' "$cmd"; done <"$SERVER_LOG"
}

# stop_server PID: stops one server by its PID and waits for it.
stop_server() {
  local pid=$1
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# wait_dns PORT [HOST]: until a DNS server answers there (at most 10 s). Needs dig.
wait_dns() {
  local port=$1 host=${2:-127.0.0.1}
  for _ in $(seq 50); do
    dig +time=1 +tries=1 -p "$port" @"$host" . SOA >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "no DNS server answers on $host:$port" >&2
  return 1
}

# frame_count FILE: number of frames in captures/FILE.
frame_count() { tcpdump -n -r "$CAPTURES/$1" 2>/dev/null | wc -l | tr -d ' '; }

# describe_capture FILE TEXT PACKAGE...: writes FILE's provenance block: what happens in it,
# package versions, the tcpdump command, the servers still running (call it before stopping them), server and client commands, frame and byte counts.
describe_capture() {
  local file=$1 text=$2; shift 2
  local pkgs="" p
  for p in "$@" tcpdump; do pkgs+="${pkgs:+, }$p $(version "$p")"; done
  local body
  body="$text

- Made by: \`scripts/captures/$(basename "${BASH_SOURCE[1]:-$0}")\` on $(date -u +%Y-%m-%d), Debian $(cat /etc/debian_version 2>/dev/null || echo '?')
- Packages: $pkgs
- Recorded with: \`$TCPDUMP_CMD\`
- Frames: $(frame_count "$file"), file size $(stat -c %s "$CAPTURES/$file") bytes
- Servers:
\`\`\`
$(_running_servers)
\`\`\`
- Clients:
\`\`\`
$(cat "$CMD_LOG")
\`\`\`"
  # The throwaway directory's random name would change on every run: write it as $WORK.
  _provenance_preamble
  provenance "$file" "${body//$WORK/\$WORK}"
}

# A title and the common facts, once, above the per-capture blocks of captures/PROVENANCE.md.
_provenance_preamble() {
  local prov="$CAPTURES/PROVENANCE.md"
  touch "$prov"
  flock /tmp/wirelens-provenance.lock python3 - "$prov" <<'PY'
import sys
path = sys.argv[1]
src = open(path).read()
if not src.startswith("# "):
    head = """# Provenance of the project's captures

Every capture here was recorded by `scripts/make-captures.sh [name...]` (which runs
`scripts/captures/<name>.sh`): real Debian bookworm servers and clients on the loopback interface,
recorded with tcpdump, traffic only to 127.0.0.0/8 and ::1. Servers run in the foreground with
throwaway configs under a temporary directory (written `$WORK` below) and are stopped by PID. Each
block says what happens in the capture, the package versions, the exact tcpdump, server and client
commands, and the frame count. Re-running a script replaces its blocks and files.

"""
    open(path, "w").write(head + src)
PY
}

_quoted() {
  local out="" a
  for a in "$@"; do
    if [[ $a =~ ^[A-Za-z0-9_./:=@,+%-]+$ ]]; then out+="${out:+ }$a"; else out+="${out:+ }$(printf '%q' "$a")"; fi
  done
  printf '%s' "$out"
}

# ---- Mail servers (smtp.sh, pop3.sh, imap.sh) -------------------------------------------
# Test accounts, plaintext in the passdb so CRAM-MD5 and APOP work: alice/wonderland,
# bob/builder, carol/rainbow. Mail is stored as uid/gid 65534 (nobody) under $WORK/mail.
MAIL_USERS=(alice:wonderland bob:builder carol:rainbow)

# self_signed_cert NAME: $WORK/NAME.crt and $WORK/NAME.key for CN=localhost (made once).
self_signed_cert() {
  local name=$1
  [ -f "$WORK/$name.crt" ] && return 0
  openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
    -keyout "$WORK/$name.key" -out "$WORK/$name.crt" >/dev/null 2>&1
}

# write_dovecot_conf FILE PROTOCOLS SSL(yes|no) MECHANISMS SERVICE_BLOCKS: a standalone dovecot
# config (no conf.d) whose runtime files stay under $WORK/dovecot. SERVICE_BLOCKS holds the
# `service ... { inet_listener ... }` stanzas. The auth socket for postfix is
# $WORK/dovecot/run/auth-postfix. Run it with `dovecot -F -c FILE`.
write_dovecot_conf() {
  local file=$1 protocols=$2 ssl=$3 mechs=$4 services=$5
  local d="$WORK/dovecot"
  mkdir -p "$d/run" "$d/state" "$WORK/mail"
  chmod 0711 "$WORK"
  chown 65534:65534 "$WORK/mail"
  : >"$d/users"
  local u
  for u in "${MAIL_USERS[@]}"; do
    printf '%s:{PLAIN}%s:65534:65534::%s::\n' "${u%%:*}" "${u#*:}" "$WORK/mail/${u%%:*}" >>"$d/users"
  done
  local ssl_lines="ssl = no"
  if [ "$ssl" = yes ]; then
    self_signed_cert dovecot
    ssl_lines="ssl = yes
ssl_cert = <$WORK/dovecot.crt
ssl_key = <$WORK/dovecot.key"
  fi
  cat >"$file" <<CONF
base_dir = $d/run
state_dir = $d/state
log_path = $d/dovecot.log
protocols = $protocols
listen = 127.0.0.1
$ssl_lines
disable_plaintext_auth = no
auth_mechanisms = $mechs
auth_verbose = yes
mail_location = maildir:~/Maildir
first_valid_uid = 1000
default_internal_user = dovecot
default_login_user = dovenull
pop3_uidl_format = %08Xu%08Xv
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u $d/users
}
userdb {
  driver = passwd-file
  args = username_format=%u $d/users
}
namespace inbox {
  inbox = yes
  separator = /
  mailbox Drafts {
    special_use = \\Drafts
    auto = subscribe
  }
  mailbox Sent {
    special_use = \\Sent
    auto = subscribe
  }
  mailbox Archive {
    special_use = \\Archive
    auto = subscribe
  }
}
service auth {
  unix_listener auth-postfix {
    mode = 0666
  }
}
$services
CONF
}

# fill_maildir USER: the user's Maildir with four messages: plain text, one with a PDF-like
# binary attachment (base64), a multipart/alternative HTML one and a longer text one.
# Fixed dates and Message-IDs, so the messages are the same on every run.
fill_maildir() {
  local user=$1 home="$WORK/mail/$1"
  rm -rf "$home"; mkdir -p "$home"
  python3 - "$home/Maildir" "$user" <<'PY'
import mailbox, sys, email.utils, hashlib
from email.message import EmailMessage
path, user = sys.argv[1:]
box = mailbox.Maildir(path, create=True)
addr = f"{user}@wirelens.test"
def msg(n, subject, frm, body):
    m = EmailMessage()
    m["From"] = frm; m["To"] = addr; m["Subject"] = subject
    m["Date"] = email.utils.formatdate(1700000000 + n * 3600, usegmt=True)
    m["Message-ID"] = f"<msg{n}.{user}@wirelens.test>"
    m.set_content(body)
    return m
box.add(msg(1, "Lunch on Friday?", "Bob Builder <bob@wirelens.test>",
            "Hi,\n\nare we still on for lunch on Friday at noon?\n\nBob\n"))
m = msg(2, "Quarterly report (attached)", "Carol <carol@wirelens.test>",
        "Hello,\n\nthe quarterly report is attached as a PDF.\n\nCarol\n")
# A deterministic pseudo-PDF of about 6 KB: binary, so it is base64-encoded.
blob = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"".join(hashlib.sha256(bytes([i])).digest() for i in range(190))
m.add_attachment(blob, maintype="application", subtype="pdf", filename="report-q3.pdf")
box.add(m)
m = msg(3, "Newsletter: wirelens 0.1", "News <news@example.org>",
        "wirelens 0.1 is out. Plain-text version of the newsletter.\n")
m.add_alternative("<html><body><h1>wirelens 0.1</h1><p>is <b>out</b>.</p></body></html>\n", subtype="html")
box.add(m)
lines = "".join(f"Line {i:03d} of a longer message, so TOP has something to cut.\n" for i in range(1, 61))
box.add(msg(4, "Meeting notes", "Dave <dave@example.net>", lines))
PY
  chown -R 65534:65534 "$home"
}

# assert_capture FILE DISPLAY_FILTER [tshark options...]: fails the run unless tshark finds at
# least one frame matching the filter in captures/FILE (the scenario is really in it).
assert_capture() {
  local file=$1 filter=$2; shift 2
  local n
  n=$(tshark -r "$CAPTURES/$file" "$@" -Y "$filter" -T fields -e frame.number 2>/dev/null | wc -l)
  if [ "$n" -eq 0 ]; then echo "assert_capture: no frame matches '$filter' in $file" >&2; return 1; fi
}

# start_postfix LISTENERS: postfix (own config directory $WORK/postfix, master in the
# foreground) with the master.cf listener lines LISTENERS, SASL through dovecot's auth socket
# $WORK/dovecot/run/auth-postfix (start dovecot first: every write_dovecot_conf config has it),
# STARTTLS offered with a self-signed certificate. Mail for wirelens.test goes to Maildirs
# under $WORK/postfix/vmail; every other destination goes to the error: transport and no DNS
# is used, so nothing leaves the machine. Sets POSTFIX_PID; the caller waits for its ports.
# (Heredocs below are not indented: their text is written as it stands.)
start_postfix() {
local listeners=$1
pf="$WORK/postfix"
mkdir -p "$pf/etc" "$pf/vmail" "$pf/spool" "$pf/data"
chown 65534:65534 "$pf/vmail"
chown postfix "$pf/data"
self_signed_cert postfix
cat >"$pf/etc/main.cf" <<CONF
compatibility_level = 3.6
queue_directory = $pf/spool
data_directory = $pf/data
maillog_file_prefixes = $pf
maillog_file = $pf/maillog
myhostname = mx.wirelens.test
mydomain = wirelens.test
myorigin = \$mydomain
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
alias_maps =
alias_database =
biff = no
# Nothing leaves the machine: no DNS, and anything not for wirelens.test bounces locally.
disable_dns_lookups = yes
smtp_dns_support_level = disabled
default_transport = error:outbound mail is disabled in the capture lab
relay_transport = error:outbound mail is disabled in the capture lab
virtual_mailbox_domains = wirelens.test
virtual_mailbox_base = $pf/vmail
virtual_mailbox_maps = texthash:$pf/etc/vmailbox
virtual_uid_maps = static:65534
virtual_gid_maps = static:65534
smtpd_sasl_auth_enable = yes
smtpd_sasl_type = dovecot
smtpd_sasl_path = $WORK/dovecot/run/auth-postfix
smtpd_tls_auth_only = no
smtpd_tls_security_level = may
smtpd_tls_cert_file = $WORK/postfix.crt
smtpd_tls_key_file = $WORK/postfix.key
smtpd_relay_restrictions = permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
smtpd_recipient_restrictions = check_recipient_access texthash:$pf/etc/recipient_access, permit_mynetworks, permit_sasl_authenticated, reject_unauth_destination
CONF
cat >"$pf/etc/vmailbox" <<MAP
alice@wirelens.test alice/Maildir/
bob@wirelens.test bob/Maildir/
carol@wirelens.test carol/Maildir/
staff@wirelens.test staff/Maildir/
blocked@wirelens.test blocked/Maildir/
MAP
# blocked@ exists but policy refuses it; unknown local parts fail the mailbox lookup (550 5.1.1).
printf 'blocked@wirelens.test REJECT 5.7.1 recipient blocked by local policy\n' >"$pf/etc/recipient_access"
# No chroot (the spool is under $WORK); only the services that local delivery needs.
{ printf '%s\n' "$listeners"; cat <<'CONF'
cleanup   unix  n       -       n       -       0       cleanup
qmgr      unix  n       -       n       300     1       qmgr
tlsmgr    unix  -       -       n       1000?   1       tlsmgr
rewrite   unix  -       -       n       -       -       trivial-rewrite
bounce    unix  -       -       n       -       0       bounce
defer     unix  -       -       n       -       0       bounce
trace     unix  -       -       n       -       0       bounce
verify    unix  -       -       n       -       1       verify
flush     unix  n       -       n       1000?   0       flush
proxymap  unix  -       -       n       -       -       proxymap
proxywrite unix -       -       n       -       1       proxymap
showq     unix  n       -       n       -       -       showq
error     unix  -       -       n       -       -       error
retry     unix  -       -       n       -       -       error
discard   unix  -       -       n       -       -       discard
virtual   unix  -       n       n       -       -       virtual
anvil     unix  -       -       n       -       1       anvil
scache    unix  -       -       n       -       1       scache
postlog   unix-dgram n  -       n       -       1       postlogd
CONF
} >"$pf/etc/master.cf"
# postfix(1) reports fatal errors only to syslog or a terminal: re-run under script(1) to see them.
postfix -c "$pf/etc" check || { script -qc "postfix -c $pf/etc check" /dev/null; return 1; }
serve /usr/lib/postfix/sbin/master -c "$pf/etc" -d
POSTFIX_PID=$SERVE_PID
}
