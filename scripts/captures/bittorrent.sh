#!/usr/bin/env bash
# BitTorrent captures: opentracker (HTTP and UDP on 127.0.0.1:6969, whitelisted info-hash),
# a torrent made by mktorrent, and real clients on their own loopback addresses: aria2c seeds
# from 127.0.0.2, leechers run on 127.0.0.3 (ctorrent for a plain handshake, aria2c for the
# extension protocol, magnet/ut_metadata, MSE and DHT). The file is ~2.8 MB in 12 pieces of
# 256 KiB, but each leecher starts with the first 11 pieces already on disk (hash-checked at
# start), so only the short last piece (40 KiB) crosses the wire and captures stay small.
# Each capture is one scenario; see captures/PROVENANCE.md.
set -euo pipefail
source "$(dirname "$0")/lib.sh"

need_packages opentracker mktorrent aria2 ctorrent python3 tcpdump

SEEDER_IP=127.0.0.2
LEECHER_IP=127.0.0.3
chmod 0711 "$WORK"

# --- content ------------------------------------------------------------------------------
# Deterministic data: a SHA-256 chain, 11 full pieces and a 40 KiB last piece.
python3 - "$WORK/wirelens-sample.bin" <<'PY'
import hashlib, sys
n, h, buf = (11 * 256 + 40) * 1024, b"wirelens", bytearray()
while len(buf) < n:
    h = hashlib.sha256(h).digest(); buf += h
open(sys.argv[1], "wb").write(buf[:n])
PY
(cd "$WORK" &&
  mktorrent -d -l 18 -c 'wirelens capture sample' -a http://127.0.0.1:6969/announce -o http.torrent wirelens-sample.bin &&
  mktorrent -d -l 18 -c 'wirelens capture sample' -a udp://127.0.0.1:6969/announce -o udp.torrent wirelens-sample.bin &&
  mktorrent -d -l 18 -n unlisted-sample.bin -a http://127.0.0.1:6969/announce -o unlisted.torrent wirelens-sample.bin) >/dev/null
infohash() { aria2c -S "$1" | awk '/^Info Hash:/ {print $3}'; }
HASH=$(infohash "$WORK/http.torrent")
[ "$HASH" = "$(infohash "$WORK/udp.torrent")" ] # the announce URL is outside the info dict
MAGNET="magnet:?xt=urn:btih:$HASH&dn=wirelens-sample.bin&tr=http%3A%2F%2F127.0.0.1%3A6969%2Fannounce"

# seed_dir NAME: a directory holding the complete file. leech_dir NAME: the file with its last
# piece zeroed, so a client hash-checks 11 good pieces and downloads only piece 11.
seed_dir() { rm -rf "$WORK/$1"; mkdir -p "$WORK/$1"; cp "$WORK/wirelens-sample.bin" "$WORK/$1/"; }
leech_dir() {
  rm -rf "$WORK/$1"; mkdir -p "$WORK/$1"
  python3 - "$WORK/wirelens-sample.bin" "$WORK/$1/wirelens-sample.bin" <<'PY'
import sys
d = bytearray(open(sys.argv[1], "rb").read())
d[11 * 262144:] = bytes(len(d) - 11 * 262144)
open(sys.argv[2], "wb").write(d)
PY
}

# --- tracker: a fresh opentracker per capture, so no peer from an earlier capture is handed out
mkdir -p "$WORK/ot"
echo "$HASH" >"$WORK/ot/whitelist"
chmod 755 "$WORK/ot"; chmod 644 "$WORK/ot/whitelist"
tracker_start() {
  # -d: opentracker chroots there and reads the whitelist (-w, relative to it) as user nobody.
  serve opentracker -i 127.0.0.1 -p 6969 -P 6969 -d "$WORK/ot" -w whitelist -u nobody
  TRACKER_PID=$SERVE_PID
  wait_port 6969
}

# A background client, bounded by timeout and logged for provenance: BG_PID is its PID.
bg_client() { printf '%s &\n' "$(_quoted "$@")" >>"$CMD_LOG"; "$@" >>"$WORK/bg-clients.log" 2>&1 & BG_PID=$!; PIDS+=($BG_PID); }
# wait_seeder PORT: the tracker has answered an announce from the seeder (its peer port listens
# then, and one second covers the tracker round trip on loopback).
wait_seeder() { wait_port "$1" "$SEEDER_IP"; sleep 1; }

# Options every aria2c here shares: no DHT/LPD unless asked, IPv4 only, quiet, hash-check the
# existing file, do not preallocate.
ARIA=(--check-integrity=true --enable-dht=false --enable-dht6=false --bt-enable-lpd=false
  --disable-ipv6=true --file-allocation=none --summary-interval=0 --console-log-level=warn
  --allow-overwrite=true --auto-file-renaming=false)
SEED=("${ARIA[@]}" --seed-ratio=0.0 --interface=$SEEDER_IP)
LEECH=("${ARIA[@]}" --seed-time=0 --interface=$LEECHER_IP)
v="opentracker mktorrent aria2 ctorrent"
TORRENT_NOTE="Torrent: wirelens-sample.bin, $(stat -c %s "$WORK/wirelens-sample.bin") bytes, 12 pieces
of 256 KiB (mktorrent -l 18; the last piece is 40 KiB), info-hash $HASH, whitelisted in
opentracker. The leecher already holds pieces 0-10, so it requests only piece 11: three blocks
(16 KiB, 16 KiB, 8 KiB)."

# --- 1. plain handshake: ctorrent connects to an aria2c seeder on an odd port -------------
seed_dir seed; leech_dir leech
rm -f "$WORK/leech/ct.bf"
tracker_start
start_capture bittorrent-ctorrent-plain.pcap 'tcp port 6969 or tcp port 51413 or tcp port 6883'
bg_client timeout 90 aria2c "${SEED[@]}" --listen-port=51413 --bt-require-crypto=false --dir="$WORK/seed" "$WORK/http.torrent"
SEEDER_PID=$BG_PID
wait_seeder 51413
run timeout 60 ctorrent -e 0 -i $LEECHER_IP -p 6883 -s "$WORK/leech/wirelens-sample.bin" -b "$WORK/leech/ct.bf" "$WORK/http.torrent" >/dev/null
stop_server "$SEEDER_PID"
stop_capture
cmp "$WORK/seed/wirelens-sample.bin" "$WORK/leech/wirelens-sample.bin"
assert_capture bittorrent-ctorrent-plain.pcap 'bittorrent.msg.type == 7'
assert_capture bittorrent-ctorrent-plain.pcap 'http.request.uri contains "info_hash="'
describe_capture bittorrent-ctorrent-plain.pcap "A plain (unencrypted) BitTorrent session:
ctorrent $(version ctorrent) (-i $LEECHER_IP -p 6883) downloads from an aria2c seeder listening on
$SEEDER_IP:51413, a non-standard port; tshark finds it with its bittorrent_tcp heuristic (on by
default), because the stream starts with the handshake. ctorrent binds its listener and tracker
connections to $LEECHER_IP but opens the peer connection from 127.0.0.1. Handshake (ctorrent's
peer id -CD0303-, aria2's A2-1-36-0-), bitfield both ways, interested, unchoke, three requests
for piece 11, three piece messages. Also in the capture: the HTTP tracker announces
(GET /announce?info_hash=..., bencoded compact replies): the seeder's event=started, ctorrent's
event=started and, 14 s after completing (its exit), event=stopped; and the seeder's
connection to its own address (the tracker hands it back to itself): an MSE preamble, then
plain handshakes, after which aria2c drops the connection on seeing its own peer id.
$TORRENT_NOTE" $v
stop_server "$TRACKER_PID"

# --- 2. aria2c to aria2c: extension protocol and fast extension -----------------------------
seed_dir seed; leech_dir leech
tracker_start
start_capture bittorrent-aria2-extensions.pcap 'tcp port 6969 or tcp portrange 6881-6889'
bg_client timeout 90 aria2c "${SEED[@]}" --listen-port=6881 --bt-require-crypto=false --dir="$WORK/seed" "$WORK/http.torrent"
SEEDER_PID=$BG_PID
wait_seeder 6881
run timeout 60 aria2c "${LEECH[@]}" --listen-port=6882 --bt-require-crypto=false --dir="$WORK/leech" "$WORK/http.torrent" >/dev/null
stop_server "$SEEDER_PID"
stop_capture
cmp "$WORK/seed/wirelens-sample.bin" "$WORK/leech/wirelens-sample.bin"
assert_capture bittorrent-aria2-extensions.pcap 'bittorrent.msg.type == 20'
assert_capture bittorrent-aria2-extensions.pcap 'bittorrent.msg.type == 14'
describe_capture bittorrent-aria2-extensions.pcap "aria2c leecher ($LEECHER_IP:6882) downloads
from an aria2c seeder ($SEEDER_IP:6881), both with --bt-require-crypto=false. aria2c always
opens outgoing connections with an MSE handshake (DH keys, padding); with plaintext allowed the
peers select plaintext, so after the MSE preamble the BitTorrent handshake and messages are in
clear: extension handshake (BEP 10, message 20, bencoded m dictionary with ut_metadata and
ut_pex), fast extension (BEP 6: Have All, Allowed Fast), interested, unchoke, requests, pieces,
not interested. Also the HTTP tracker announces (seeder event=started; leecher
event=started, then event=stopped as it exits; the seeder, ended by SIGTERM, sends no stopped
announce) and each aria2c's connection to its own address. $TORRENT_NOTE" $v
stop_server "$TRACKER_PID"

# --- 3. magnet link: metadata over ut_metadata --------------------------------------------
seed_dir seed; leech_dir leech
tracker_start
start_capture bittorrent-magnet-metadata.pcap 'tcp port 6969 or tcp portrange 6881-6889'
bg_client timeout 90 aria2c "${SEED[@]}" --listen-port=6881 --bt-require-crypto=false --dir="$WORK/seed" "$WORK/http.torrent"
SEEDER_PID=$BG_PID
wait_seeder 6881
run timeout 60 aria2c "${LEECH[@]}" --listen-port=6882 --bt-require-crypto=false --bt-save-metadata=false --dir="$WORK/leech" "$MAGNET" >/dev/null
stop_server "$SEEDER_PID"
stop_capture
cmp "$WORK/seed/wirelens-sample.bin" "$WORK/leech/wirelens-sample.bin"
assert_capture bittorrent-magnet-metadata.pcap 'bittorrent.msg.type == 20 and frame contains "msg_type"'
describe_capture bittorrent-magnet-metadata.pcap "aria2c starts from a magnet URI (info-hash and
tracker only): it announces, connects to the aria2c seeder, and fetches the info dictionary
with the ut_metadata extension (BEP 9: extension messages {msg_type 0 request, piece N} and the
seeder's {msg_type 1 data, total_size} followed by the raw metadata), then checks its 11
pieces and downloads piece 11 as in bittorrent-aria2-extensions.pcap. Magnet: $MAGNET" $v
stop_server "$TRACKER_PID"

# --- 4. MSE/PE: encrypted peer connections --------------------------------------------------
seed_dir seed; leech_dir leech
tracker_start
start_capture bittorrent-mse-encrypted.pcap 'tcp port 6969 or tcp portrange 6881-6889'
bg_client timeout 90 aria2c "${SEED[@]}" --listen-port=6881 --bt-require-crypto=true --bt-min-crypto-level=arc4 --dir="$WORK/seed" "$WORK/http.torrent"
SEEDER_PID=$BG_PID
wait_seeder 6881
run timeout 60 aria2c "${LEECH[@]}" --listen-port=6882 --bt-require-crypto=true --bt-min-crypto-level=arc4 --dir="$WORK/leech" "$WORK/http.torrent" >/dev/null
stop_server "$SEEDER_PID"
stop_capture
cmp "$WORK/seed/wirelens-sample.bin" "$WORK/leech/wirelens-sample.bin"
describe_capture bittorrent-mse-encrypted.pcap "Message Stream Encryption (MSE/PE): both aria2c peers
run with --bt-require-crypto=true --bt-min-crypto-level=arc4, so the leecher's connection
starts with a 96-byte Diffie-Hellman public key plus random padding (no BitTorrent handshake
in clear) and everything after the key exchange is RC4-encrypted. tshark shows it as
'Continuation data' on port 6881. The piece still arrives (the files compare equal). The
HTTP tracker announces stay in clear. $TORRENT_NOTE" $v
stop_server "$TRACKER_PID"

# --- 5. DHT between two aria2c nodes --------------------------------------------------------
seed_dir seed; leech_dir leech
start_capture bittorrent-dht.pcap 'udp port 6911 or udp port 6912'
bg_client timeout 90 aria2c "${SEED[@]}" --listen-port=6881 --enable-dht=true --dht-listen-port=6911 \
  --dht-file-path="$WORK/dht-seed.dat" --bt-exclude-tracker='*' --dir="$WORK/seed" "$WORK/http.torrent"
SEEDER_PID=$BG_PID
wait_port 6881 $SEEDER_IP
run timeout 30 aria2c "${LEECH[@]}" --listen-port=6882 --enable-dht=true --dht-listen-port=6912 \
  --dht-entry-point=$SEEDER_IP:6911 --dht-file-path="$WORK/dht-leech.dat" --bt-exclude-tracker='*' \
  --bt-stop-timeout=20 --dir="$WORK/leech" "$WORK/http.torrent" >/dev/null || true
cmp -s "$WORK/seed/wirelens-sample.bin" "$WORK/leech/wirelens-sample.bin" && echo "DHT leecher completed" || echo "DHT leecher did not complete" 
stop_server "$SEEDER_PID"
stop_capture
assert_capture bittorrent-dht.pcap 'bt-dht'
describe_capture bittorrent-dht.pcap "Mainline DHT (BEP 5) between two aria2c nodes, no tracker
(--bt-exclude-tracker='*'), no LPD, no bootstrap nodes: the seeder's node listens on
$SEEDER_IP:6911, the leecher's node on $LEECHER_IP:6912 with --dht-entry-point=$SEEDER_IP:6911.
Bencoded KRPC queries and responses over UDP: ping, then get_peers (replies with a token, nodes
and, once the seeder has announced, compact peers) and announce_peer, in both directions.
With only two nodes each stores the other's announce_peer, so
get_peers hands each node back its own address: the leecher never learns the seeder, tries
itself (not recorded) and gives up after --bt-stop-timeout=20; the point here is the KRPC
traffic. Only the UDP DHT traffic is recorded. tshark 4.0 decodes it with its bt-dht heuristic, which
is on by default." $v

# --- 6. UDP tracker (BEP 15) ----------------------------------------------------------------
seed_dir seed; leech_dir leech
tracker_start
start_capture bittorrent-udp-tracker.pcap 'udp port 6969'
# aria2c talks to UDP trackers through its DHT socket, so DHT is on (ports 6911/6912; with
# no entry point and no routing table the nodes send no DHT queries).
bg_client timeout 90 aria2c "${SEED[@]}" --listen-port=6881 --enable-dht=true --dht-listen-port=6911 \
  --dht-file-path="$WORK/dht-udp-seed.dat" --dir="$WORK/seed" "$WORK/udp.torrent"
SEEDER_PID=$BG_PID
wait_seeder 6881
run timeout 60 aria2c "${LEECH[@]}" --listen-port=6882 --enable-dht=true --dht-listen-port=6912 \
  --dht-file-path="$WORK/dht-udp-leech.dat" --dir="$WORK/leech" "$WORK/udp.torrent" >/dev/null
stop_server "$SEEDER_PID"
stop_capture
cmp "$WORK/seed/wirelens-sample.bin" "$WORK/leech/wirelens-sample.bin"
assert_capture bittorrent-udp-tracker.pcap 'udp.dstport == 6969 and udp.length == 24 and udp.payload[0:8] == 00:00:04:17:27:10:19:80'
describe_capture bittorrent-udp-tracker.pcap "UDP tracker protocol (BEP 15) with opentracker on
127.0.0.1:6969/udp: the same torrent with announce udp://127.0.0.1:6969/announce (same
info-hash). aria2c sends UDP tracker requests from its DHT socket, so they come from
$SEEDER_IP:6911 (seeder) and $LEECHER_IP:6912 (leecher). Each sends a connect request (16 bytes:
protocol id 0x41727101980, action 0, transaction id) and gets a connection id (action 0), then
an announce (98 bytes: action 1, info-hash, peer id, downloaded/left/uploaded, event started,
key, num_want, port); the reply (action 1) has interval, leechers, seeders and compact peers
(the leecher's lists itself and the seeder). When the leecher exits it announces event 3
(stopped, num_want 0); the seeder, ended by SIGTERM, sends no stopped announce. Only the tracker's UDP port is recorded (the peer traffic is as in
bittorrent-aria2-extensions.pcap). tshark 4.0 has no BEP 15 dissector: it shows 'data'." $v
stop_server "$TRACKER_PID"

# --- 7. a torrent the tracker does not serve ------------------------------------------------
seed_dir seed
tracker_start
start_capture bittorrent-tracker-unlisted.pcap 'tcp port 6969'
run timeout 60 aria2c "${SEED[@]}" --listen-port=6881 --bt-stop-timeout=5 --bt-tracker-interval=2 \
  --dir="$WORK/seed" "$WORK/unlisted.torrent" >/dev/null || true
stop_capture
assert_capture bittorrent-tracker-unlisted.pcap 'frame contains "failure reason"'
describe_capture bittorrent-tracker-unlisted.pcap "An HTTP announce refused by the tracker: the
torrent is the same file under another name (info-hash $(infohash "$WORK/unlisted.torrent"),
not in opentracker's whitelist). The aria2c seeder's GET /announce gets a bencoded
{failure reason: Requested download is not authorized for use with this tracker.}; aria2c
gives up after --bt-stop-timeout=5." $v
stop_server "$TRACKER_PID"

provenance "bittorrent captures: checking them with tshark" "How to look at captures/bittorrent-*.pcap with tshark $(version tshark):
- Peer wire: \`tshark -r F -Y bittorrent -T fields -e bittorrent.msg.type -e bittorrent.piece.index\`.
  tshark decodes TCP ports 6881-6889 as BitTorrent by port, and other ports by its heuristic
  \`bittorrent_tcp\` (on by default; \`--disable-heuristic bittorrent_tcp\` turns it off), which
  needs the handshake at the start of the stream: it works for bittorrent-ctorrent-plain.pcap
  on port 51413. A stream that starts with an MSE preamble is only found by port (on 6881-6889
  tshark marks the preamble 'Continuation data' and then decodes the plain handshake if the
  peers chose plaintext); on another port it would need \`-d tcp.port==PORT,bittorrent\`.
  There is no \`bittorrent.analyze_sha1\` preference in tshark 4.0 (only bittorrent.desegment
  and bittorrent.decode_client).
- Extension protocol: msg type 20; the bencoded payload (m dictionary, ut_metadata msg_type,
  metadata pieces) is shown as raw bytes: use \`frame contains \"ut_metadata\"\`.
- Tracker: \`-Y http.request -T fields -e http.request.uri\`; the bencoded reply is text/plain.
- DHT: \`-Y bt-dht\`; heuristic \`bittorrent_dht_udp\`, on by default.
- UDP tracker (BEP 15): tshark 4.0 has no dissector; \`-Y 'udp.port==6969' -T fields -e udp.payload\`.
- MSE (bittorrent-mse-encrypted.pcap): no handshake anywhere; the peer connection is
  DH public keys (96 bytes + padding) and then RC4 data."
