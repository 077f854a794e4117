#!/usr/bin/env bash
# QUIC and HTTP/3 captures: ngtcp2's example server and client built on GnuTLS (gtlsserver,
# gtlsclient; HTTP/3 through nghttp3), on 127.0.0.1. GnuTLS honours SSLKEYLOGFILE, so the
# client writes its TLS 1.3 secrets next to the capture (captures/<name>.keys).
# The server runs with --max-gso-dgrams=1: with UDP segmentation offload a loopback capture
# holds 18-29 KB batches of several QUIC packets in one "datagram", which neither tshark nor a
# real network would show.
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

QUIC_PACKAGES=(ngtcp2-server ngtcp2-client libgnutls30)
QUIC_PORT=4433
QUIC_RETRY_PORT=4434
QUIC_GSO_PORT=4433
QUIC_HOST=test.wirelens

# quic_make_pki: a P-256 self-signed certificate for test.wirelens under $WORK/qpki (the
# example client does not verify it).
quic_make_pki() {
  mkdir -p "$WORK/qpki"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -keyout "$WORK/qpki/server.key" \
    -out "$WORK/qpki/server.pem" -days 3650 -subj "/O=wirelens test/CN=$QUIC_HOST" \
    -addext "subjectAltName=DNS:$QUIC_HOST,IP:127.0.0.1" 2>/dev/null
}

# quic_make_site: files of several sizes (seeded, the same bytes on every run).
quic_make_site() {
  local www=$WORK/quicwww
  mkdir -p "$www"
  chmod 755 "$WORK"
  printf '<!doctype html><title>h3</title><p>over HTTP/3</p>\n' >"$www/index.html"
  python3 - "$www" <<'PY'
import random, sys
www = sys.argv[1]
rng = random.Random(4433)
text = lambda n: "".join(rng.choice("abcdefghijklmnopqrstuvwxyz \n") for _ in range(n))
open(f"{www}/small.txt", "w").write(text(900))
open(f"{www}/medium.bin", "wb").write(rng.randbytes(12_000))
open(f"{www}/large.bin", "wb").write(rng.randbytes(100_000))
PY
  chmod -R a+rX "$www"
}

# quic_client NAME KEYS ARGS...: gtlsclient to 127.0.0.1; KEYS=yes writes captures/NAME.keys.
quic_client() {
  local name=$1 keys=$2; shift 2
  if [ "$keys" = yes ]; then
    rm -f "$CAPTURES/$name.keys"
    run env SSLKEYLOGFILE="captures/$name.keys" gtlsclient -q --exit-on-all-streams-close "$@" || true
  else
    run gtlsclient -q --exit-on-all-streams-close "$@" || true
  fi
}

# quic_want NAME: whether this run records captures/NAME (QUIC_ONLY="name ..." limits a run to
# some captures, so that re-recording one leaves the others and their key logs as they are).
quic_want() { [ -z "${QUIC_ONLY:-}" ] || [[ " $QUIC_ONLY " == *" $1 "* ]]; }

quic_main() {
  need_packages "${QUIC_PACKAGES[@]}" openssl tcpdump python3
  cd "$REPO"
  quic_make_pki
  quic_make_site
  local site=https://$QUIC_HOST:$QUIC_PORT
  serve gtlsserver --max-gso-dgrams=1 -q -d "$WORK/quicwww" 127.0.0.1 "$QUIC_PORT" "$WORK/qpki/server.key" "$WORK/qpki/server.pem"
  local pid=$SERVE_PID
  sleep 1

  if quic_want quic-h3-requests; then
  start_capture quic-h3-requests.pcap "udp port $QUIC_PORT"
  quic_client quic-h3-requests yes 127.0.0.1 "$QUIC_PORT" "$site/index.html" "$site/small.txt" "$site/medium.bin" "$site/large.bin" "$site/missing.txt"
  stop_capture
  describe_capture quic-h3-requests.pcap "QUIC v1 and HTTP/3: gtlsclient (ngtcp2 + nghttp3 + GnuTLS) asks gtlsserver for five
URIs on one connection, one request stream each: /index.html (51 bytes), /small.txt (900),
/medium.bin (12000), /large.bin (100000) and /missing.txt (404). ALPN h3, :authority
test.wirelens:4433 (gtlsclient 0.12 sends the SNI "localhost" whatever the URI).
Key log: \`captures/quic-h3-requests.keys\` (GnuTLS's SSLKEYLOGFILE)." "${QUIC_PACKAGES[@]}"

  # The same traffic with the key log embedded: a pcapng Decryption Secrets Block.
  editcap --inject-secrets "tls,$CAPTURES/quic-h3-requests.keys" "$CAPTURES/quic-h3-requests.pcap" "$CAPTURES/quic-h3-requests-dsb.pcapng"
  provenance quic-h3-requests-dsb.pcapng "quic-h3-requests.pcap with its key log embedded as a pcapng Decryption Secrets
Block: \`editcap --inject-secrets tls,captures/quic-h3-requests.keys captures/quic-h3-requests.pcap
captures/quic-h3-requests-dsb.pcapng\` (wireshark-common $(version wireshark-common)). Decrypted with no option."
  fi

  if quic_want quic-h3-nokeys; then
  start_capture quic-h3-nokeys.pcap "udp port $QUIC_PORT"
  quic_client quic-h3-nokeys no 127.0.0.1 "$QUIC_PORT" "$site/small.txt"
  stop_capture
  describe_capture quic-h3-nokeys.pcap "QUIC v1 without a key log: one HTTP/3 GET of /small.txt. Only the Initial packets
(ClientHello, ServerHello) can be read; everything after is counted." "${QUIC_PACKAGES[@]}"
  fi

  # A client offering a reserved version (RFC 9000 §15: 0x?a?a?a?a, never spoken by anyone):
  # the server answers the Initial with a Version Negotiation packet listing its versions.
  # (Not -v 0x6b3343cf: ngtcp2 0.12 predates RFC 9369 and protects such an Initial with the
  # draft-29 salt and v1 packet types, so it is no QUIC v2 packet.)
  if quic_want quic-version-negotiation; then
  start_capture quic-version-negotiation.pcap "udp port $QUIC_PORT"
  quic_client quic-version-negotiation no -v 0x1a2a3a4a 127.0.0.1 "$QUIC_PORT" "$site/index.html"
  stop_capture
  describe_capture quic-version-negotiation.pcap "A client Initial in a reserved version (0x1a2a3a4a, RFC 9000 §15; gtlsclient -v)
to gtlsserver, which answers with a Version Negotiation packet listing the versions it speaks.
ngtcp2 protects that Initial as a draft-29 one (Wireshark opens it so): its ClientHello is read." "${QUIC_PACKAGES[@]}"
  fi

  # Resumption with 0-RTT: the first connection stores the TLS session and the server's
  # transport parameters; the second resumes with them and sends its request as 0-RTT
  # (CLIENT_EARLY_TRAFFIC_SECRET in the key log). Both connections are in the capture.
  if quic_want quic-0rtt; then
  rm -f "$CAPTURES/quic-0rtt.keys"
  start_capture quic-0rtt.pcap "udp port $QUIC_PORT"
  run env SSLKEYLOGFILE=captures/quic-0rtt.keys gtlsclient -q --exit-on-all-streams-close --session-file="$WORK/quic.session" --tp-file="$WORK/quic.tp" 127.0.0.1 "$QUIC_PORT" "$site/index.html" || true
  run env SSLKEYLOGFILE=captures/quic-0rtt.keys gtlsclient -q --exit-on-all-streams-close --session-file="$WORK/quic.session" --tp-file="$WORK/quic.tp" 127.0.0.1 "$QUIC_PORT" "$site/small.txt" || true
  stop_capture
  describe_capture quic-0rtt.pcap "Two QUIC v1 connections from gtlsclient to gtlsserver: the first (GET /index.html) stores the
TLS session and transport parameters (--session-file, --tp-file); the second resumes it and
sends GET /small.txt in 0-RTT packets before the handshake completes. Key log (both
connections, with CLIENT_EARLY_TRAFFIC_SECRET): \`captures/quic-0rtt.keys\`." "${QUIC_PACKAGES[@]}"
  fi

  # Connection migration (RFC 9000 §9): gtlsclient --change-local-addr moves to a new local
  # address (on loopback: a new UDP port) shortly after the handshake, validates the new path
  # (PATH_CHALLENGE/PATH_RESPONSE) and goes on with a Destination Connection ID the server
  # issued in NEW_CONNECTION_ID. A small stream window keeps the download of /large.bin going
  # across the move, so one response's bytes travel on both paths.
  if quic_want quic-migration; then
  start_capture quic-migration.pcap "udp port $QUIC_PORT"
  quic_client quic-migration yes --change-local-addr=2ms --max-stream-data-bidi-local=16000 127.0.0.1 "$QUIC_PORT" "$site/large.bin" "$site/small.txt"
  stop_capture
  describe_capture quic-migration.pcap "QUIC v1 connection migration: gtlsclient --change-local-addr=2ms starts GET /large.bin
(100000 bytes; a 16000-byte stream window keeps it going) and GET /small.txt, then moves to a new
local port: the new path (a second UDP flow) is validated with PATH_CHALLENGE/PATH_RESPONSE and
uses a Destination Connection ID the server announced in NEW_CONNECTION_ID; the rest of the
response comes on it. Key log: \`captures/quic-migration.keys\`." "${QUIC_PACKAGES[@]}"
  fi

  # A NAT rebinding (gtlsclient --change-local-addr with --nat-rebinding): the client's port
  # changes without path validation and it keeps the Destination Connection ID, the server's
  # handshake SCID, so the new path is known by an ID seen in clear. Recorded without a key log.
  if quic_want quic-nat-rebinding; then
  start_capture quic-nat-rebinding.pcap "udp port $QUIC_PORT"
  quic_client quic-nat-rebinding no --change-local-addr=2ms --nat-rebinding --max-stream-data-bidi-local=16000 127.0.0.1 "$QUIC_PORT" "$site/large.bin"
  stop_capture
  describe_capture quic-nat-rebinding.pcap "QUIC v1 NAT rebinding, without a key log: gtlsclient --change-local-addr=2ms
--nat-rebinding starts GET /large.bin (100000 bytes, 16000-byte stream window) and moves to a new
local port without path validation, keeping the Destination Connection ID of the handshake (the
server's Source Connection ID, in clear in its Initial). The server answers on the new path." "${QUIC_PACKAGES[@]}"
  fi

  # QUIC version 2 as ngtcp2 0.12 speaks it ("v2draft": draft-ietf-quic-v2's provisional
  # 0x709a50c4, the drafts' Initial salt, the v2 labels and packet type numbers). No package
  # in bookworm speaks RFC 9369's 0x6b3343cf (ngtcp2 0.12.1 is the only QUIC stack there).
  if quic_want quic-v2draft; then
  start_capture quic-v2draft.pcap "udp port $QUIC_PORT"
  quic_client quic-v2draft yes -v v2draft 127.0.0.1 "$QUIC_PORT" "$site/small.txt"
  stop_capture
  describe_capture quic-v2draft.pcap "QUIC version 2, draft version 0x709a50c4 (gtlsclient -v v2draft; ngtcp2 0.12
predates RFC 9369's 0x6b3343cf): the client's Initial is in v2 from the start (v2 packet type
numbers, the draft's Initial salt, \"quicv2\" key labels); one HTTP/3 GET of /small.txt. tshark
4.0 does not know this version (it reads the long headers with v1's type numbers). Key log:
\`captures/quic-v2draft.keys\`." "${QUIC_PACKAGES[@]}"
  fi
  stop_server "$pid"

  # The same server with segmentation offload left on (gtlsserver's default): tcpdump on lo
  # sees each batch of packets as one "datagram" of up to 64 KB, before the kernel would cut
  # it into segments. wirelens splits them at the connection ID each segment repeats.
  if quic_want quic-h3-gso; then
  serve gtlsserver -q -d "$WORK/quicwww" 127.0.0.1 "$QUIC_GSO_PORT" "$WORK/qpki/server.key" "$WORK/qpki/server.pem"
  pid=$SERVE_PID
  sleep 1
  start_capture quic-h3-gso.pcap "udp port $QUIC_GSO_PORT"
  quic_client quic-h3-gso yes 127.0.0.1 "$QUIC_GSO_PORT" "https://$QUIC_HOST:$QUIC_GSO_PORT/large.bin" "https://$QUIC_HOST:$QUIC_GSO_PORT/medium.bin"
  stop_capture
  describe_capture quic-h3-gso.pcap "QUIC v1 and HTTP/3 with UDP segmentation offload on the server (gtlsserver without
--max-gso-dgrams=1): /large.bin (100000 bytes) and /medium.bin (12000). The server's
1-RTT packets reach the capture in batches: one captured UDP datagram holds several
full-size QUIC packets back to back, the last one shorter. Key log:
\`captures/quic-h3-gso.keys\`." "${QUIC_PACKAGES[@]}"
  stop_server "$pid"
  fi

  # Address validation (-V): the server answers the first Initial with a Retry and a token; the
  # client's key update timer makes it change key phase during a 100 kB download.
  quic_want quic-retry-keyupdate || return 0
  serve gtlsserver --max-gso-dgrams=1 -V -q -d "$WORK/quicwww" 127.0.0.1 "$QUIC_RETRY_PORT" "$WORK/qpki/server.key" "$WORK/qpki/server.pem"
  pid=$SERVE_PID
  sleep 1
  start_capture quic-retry-keyupdate.pcap "udp port $QUIC_RETRY_PORT"
  quic_client quic-retry-keyupdate yes --key-update=5ms 127.0.0.1 "$QUIC_RETRY_PORT" "https://$QUIC_HOST:$QUIC_RETRY_PORT/large.bin"
  stop_capture
  describe_capture quic-retry-keyupdate.pcap "QUIC v1 with a Retry (gtlsserver -V: stateless address validation) and key
updates (gtlsclient --key-update=5ms): the client's second Initial carries the Retry token to the
server's new connection ID; during the 100 kB download of /large.bin the key phase flips.
Key log: \`captures/quic-retry-keyupdate.keys\`." "${QUIC_PACKAGES[@]}"
  stop_server "$pid"
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then quic_main; fi
