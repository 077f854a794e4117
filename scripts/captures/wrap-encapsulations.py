#!/usr/bin/env python3
"""Wraps a recorded plain TCP exchange (Ethernet + IPv4, pcap) in tunnels and in 802.11.

Used by scripts/captures/tunnels.sh because this kernel has no gre, gretap, erspan, geneve,
ipip, sit, ip6tnl or gtp devices and no mac80211_hwsim. Every copy of the exchange gets its
own inner addresses (10.80.K.1/.2 or fd00:80:K::1/2, checksums recomputed) and starts one
second after the previous copy, so each is its own flow.

  wrap-encapsulations.py PLAIN.pcap TUNNELS.pcap WLAN.pcapng

Tunnel headers (outer IPv4 198.18.K.1/.2, outer IPv6 fd00:18:K::1/2):
  1 GRE (RFC 2784) carrying IPv4            2 GRE with checksum, key and sequence (RFC 2890)
  3 GRE/TEB 0x6558 carrying Ethernet        4 ERSPAN type II (GRE 0x88BE, seq, 8-byte header)
  5 ERSPAN type III (GRE 0x22EB, 12 bytes)  6 PPTP: enhanced GRE v1 (RFC 2637) + PPP, and an ack-only packet
  7 Geneve (RFC 8926, UDP 6081, one option) 8 IP in IP (RFC 2003)
  9 6in4 (RFC 4213)                         10 4in6 (RFC 2473)
  11 6in6 (RFC 2473)                        12 GTP-U (TS 29.281, UDP 2152, S flag) and an Echo Request
  13 PPPoE session (RFC 2516, 0x8864) after a PADI (0x8863)
  14 IP in IP nested 9 deep (one more than wirelens's max_tunnel_depth of 8): SYN and SYN-ACK only

802.11 (pcapng, one interface per link type): 105 plain, 127 radiotap (TSFT, flags with FCS
and data-pad, rate, channel, signal; QoS data), 192 PPI (802.11-Common with the FCS flag),
119 Prism (144-byte header), 163 AVS (64-byte v1 header). Data frames carry LLC/SNAP +
IPv4; each interface also has a beacon, an ACK, a null-function frame and a protected
(CCMP) data frame.
"""
import struct
import sys
import zlib

MAC_C = bytes.fromhex("020000000c01")
MAC_S = bytes.fromhex("020000000c02")
MAC_AP = bytes.fromhex("020000000a01")


def csum(b: bytes) -> int:
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF


def read_pcap(path):
    d = open(path, "rb").read()
    magic = struct.unpack("<I", d[:4])[0]
    e = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    nano = magic in (0xA1B23C4D, 0x4D3CB2A1)
    link = struct.unpack(e + "I", d[20:24])[0]
    assert link == 1, "expects Ethernet"
    off, out = 24, []
    while off + 16 <= len(d):
        sec, frac, caplen, _ = struct.unpack(e + "IIII", d[off : off + 16])
        frame = d[off + 16 : off + 16 + caplen]
        off += 16 + caplen
        us = frac // 1000 if nano else frac
        if frame[12:14] == b"\x08\x00":
            out.append((sec, us, frame[14:]))
    return out


def retcp(ip: bytes, src: bytes, dst: bytes, v6: bool) -> bytes:
    """The IPv4 packet's TCP segment with new addresses, as IPv4 or IPv6."""
    hl = (ip[0] & 15) * 4
    total = struct.unpack("!H", ip[2:4])[0]
    seg = bytearray(ip[hl:total])
    seg[16:18] = b"\0\0"
    if v6:
        pseudo = src + dst + struct.pack("!IxxxB", len(seg), 6)
    else:
        pseudo = src + dst + struct.pack("!xBH", 6, len(seg))
    seg[16:18] = struct.pack("!H", csum(pseudo + bytes(seg)))
    if v6:
        return ipv6(src, dst, 6, bytes(seg))
    h = bytearray(ip[:hl])
    h[12:16], h[16:20], h[10:12] = src, dst, b"\0\0"
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    return bytes(h) + bytes(seg)


def ipv4(src: bytes, dst: bytes, proto: int, payload: bytes, ident: int = 0) -> bytes:
    h = bytearray(struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(payload), ident, 0x4000, 64, proto, 0, src, dst))
    h[10:12] = struct.pack("!H", csum(bytes(h)))
    return bytes(h) + payload


def ipv6(src: bytes, dst: bytes, nxt: int, payload: bytes) -> bytes:
    return struct.pack("!IHBB16s16s", 0x60000000, len(payload), nxt, 64, src, dst) + payload


def udp(sport: int, dport: int, payload: bytes) -> bytes:
    # Checksum 0: allowed over IPv4 (RFC 768), and what VXLAN/Geneve/GTP-U senders often do.
    return struct.pack("!HHHH", sport, dport, 8 + len(payload), 0) + payload


def eth(dst: bytes, src: bytes, etype: int, payload: bytes) -> bytes:
    return dst + src + struct.pack("!H", etype) + payload


def a4(k: int, h: int, net: int = 80) -> bytes:
    return bytes([10, net, k, h])


def a6(k: int, h: int, net: int = 0x80) -> bytes:
    return bytes.fromhex(f"fd00{net:04x}{k:04x}") + bytes(9) + bytes([h])


def o4(k: int, h: int) -> bytes:
    return bytes([198, 18, k, h])


def o6(k: int, h: int) -> bytes:
    return a6(k, h, 0x18)


def gre(proto: int, payload: bytes, flags: int = 0, key=None, seq=None, checksum=False) -> bytes:
    f = flags | (0x8000 if checksum else 0) | (0x2000 if key is not None else 0) | (0x1000 if seq is not None else 0)
    opt = b""
    if checksum:
        opt += b"\0\0\0\0"
    if key is not None:
        opt += struct.pack("!I", key)
    if seq is not None:
        opt += struct.pack("!I", seq)
    b = bytearray(struct.pack("!HH", f, proto) + opt + payload)
    if checksum:
        b[4:6] = struct.pack("!H", csum(bytes(b)))
    return bytes(b)


def tunnels(plain):
    """(sec, usec, Ethernet frame) per output packet."""
    client = plain[0][2][12:16]
    out = []
    t0 = plain[0][0]
    for k in range(1, 15):
        seq = 0
        pkts = plain[:2] if k == 14 else plain
        for i, (sec, us, ip) in enumerate(pkts):
            seq += 1
            fwd = ip[12:16] == client
            ch, sh = (1, 2) if fwd else (2, 1)
            os4, od4 = o4(k, ch), o4(k, sh)
            os6, od6 = o6(k, ch), o6(k, sh)
            in4 = retcp(ip, a4(k, ch), a4(k, sh), False)
            in6 = retcp(ip, a6(k, ch), a6(k, sh), True)
            inner_eth = eth(MAC_S if fwd else MAC_C, MAC_C if fwd else MAC_S, 0x0800, in4)
            ts = (t0 + k * 10 + (sec - t0), us)
            if k == 1:
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 47, gre(0x0800, in4)))
            elif k == 2:
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 47, gre(0x0800, in4, key=0x1234, seq=seq, checksum=True)))
            elif k == 3:
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 47, gre(0x6558, inner_eth, key=99)))
            elif k == 4:
                # Ver 1 (type II), VLAN 0; COS 0, En 0, T 0, session 123; index 0.
                hdr = struct.pack("!HHI", 0x1000, 123, 0)
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 47, gre(0x88BE, hdr + inner_eth, seq=seq)))
            elif k == 5:
                # Ver 2 (type III), VLAN 0; session 124; timestamp; SGT 0, P/FT/HW ID/D/Gra/O all 0.
                hdr = struct.pack("!HHIHH", 0x2000, 124, 1000 + seq, 0, 0)
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 47, gre(0x22EB, hdr + inner_eth, seq=seq)))
            elif k == 6:
                ppp = b"\xff\x03\x00\x21" + in4
                # Enhanced GRE: K and S set, version 1; key = payload length and call id.
                g = struct.pack("!HHHHI", 0x3001, 0x880B, len(ppp), 7 if fwd else 8, seq) + ppp
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 47, g))
                if i == 1:
                    # The peer acknowledges without data: K and A set, no payload.
                    ack = struct.pack("!HHHHI", 0x2081, 0x880B, 0, 7, seq - 1)
                    out.append((ts[0], max(0, ts[1] - 1), eth(MAC_C, MAC_S, 0x0800, ipv4(od4, os4, 47, ack))))
            elif k == 7:
                opt = struct.pack("!HBB", 0x0101, 0x01, 1) + b"\xde\xad\xbe\xef"  # class, type, length 1 (4 bytes)
                gen = struct.pack("!BBH", len(opt) // 4, 0, 0x6558) + struct.pack("!I", 43 << 8) + opt + inner_eth
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 17, udp(40000 + (1 if fwd else 2), 6081, gen)))
            elif k == 8:
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 4, in4))
            elif k == 9:
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 41, in6))
            elif k == 10:
                f = eth(MAC_S, MAC_C, 0x86DD, ipv6(os6, od6, 4, in4))
            elif k == 11:
                f = eth(MAC_S, MAC_C, 0x86DD, ipv6(os6, od6, 41, in6))
            elif k == 12:
                if i == 0:
                    echo = struct.pack("!BBHIHBB", 0x32, 1, 4, 0, 1, 0, 0)
                    out.append((ts[0], max(0, ts[1] - 1), eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 17, udp(2152, 2152, echo)))))
                # Version 1, PT 1, S set: sequence number, N-PDU number, next extension 0.
                body = struct.pack("!HBB", seq, 0, 0) + in4
                gtp = struct.pack("!BBHI", 0x32, 0xFF, len(body), 0x1000 + (1 if fwd else 2)) + body
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 17, udp(2152, 2152, gtp)))
            elif k == 13:
                if i == 0:
                    padi = struct.pack("!BBHH", 0x11, 0x09, 0, 4) + struct.pack("!HH", 0x0101, 0)
                    out.append((ts[0], max(0, ts[1] - 1), eth(b"\xff" * 6, MAC_C, 0x8863, padi)))
                ppp = b"\x00\x21" + in4
                pppoe = struct.pack("!BBHH", 0x11, 0, 0x0042, len(ppp)) + ppp
                f = eth(MAC_S if fwd else MAC_C, MAC_C if fwd else MAC_S, 0x8864, pppoe)
            else:
                p = in4
                for d in range(9):
                    p = ipv4(o4(k, ch + 10 * (d + 1)), o4(k, sh + 10 * (d + 1)), 4, p)
                f = eth(MAC_S, MAC_C, 0x0800, ipv4(os4, od4, 4, p))
            out.append((ts[0], ts[1], f))
    return out


def write_pcap(path, link, packets):
    with open(path, "wb") as fp:
        fp.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, link))
        for sec, us, data in packets:
            fp.write(struct.pack("<IIII", sec, us, len(data), len(data)) + data)


# ---- 802.11 -------------------------------------------------------------------------------

LLC_IP = b"\xaa\xaa\x03\x00\x00\x00\x08\x00"


def wlan_data(ip: bytes, to_ds: bool, qos: bool, seqno: int, pad: bool) -> bytes:
    fc = bytes([0x88 if qos else 0x08, 0x01 if to_ds else 0x02])
    # To DS: addr1 BSSID, addr2 SA, addr3 DA. From DS: addr1 DA, addr2 BSSID, addr3 SA.
    addrs = MAC_AP + MAC_C + MAC_S if to_ds else MAC_C + MAC_AP + MAC_S
    h = fc + struct.pack("<H", 44) + addrs + struct.pack("<H", seqno << 4)
    if qos:
        h += b"\x00\x00"
        if pad:
            h += b"\x00\x00"  # 26 -> 28: radiotap's data-pad flag
    return h + LLC_IP + ip


def wlan_extras(seqno: int):
    beacon = b"\x80\x00" + b"\0\0" + b"\xff" * 6 + MAC_AP + MAC_AP + struct.pack("<H", seqno << 4)
    beacon += struct.pack("<QHH", 1000, 100, 0x0401) + b"\x00\x08wirelens" + b"\x01\x01\x82"
    ack = b"\xd4\x00\x00\x00" + MAC_C
    null = b"\x48\x01\x00\x00" + MAC_AP + MAC_C + MAC_AP + struct.pack("<H", (seqno + 1) << 4)
    # CCMP-protected data: the Protected bit, an 8-byte CCMP header, ciphertext, an 8-byte MIC.
    prot = b"\x08\x41\x2c\x00" + MAC_AP + MAC_C + MAC_S + struct.pack("<H", (seqno + 2) << 4)
    prot += bytes([0x01, 0x00, 0x00, 0x20, 0, 0, 0, 0]) + bytes((i * 37) & 0xFF for i in range(48)) + bytes(8)
    return [beacon, ack, null, prot]


def fcs(frame: bytes) -> bytes:
    return struct.pack("<I", zlib.crc32(frame) & 0xFFFFFFFF)


def radiotap(frame: bytes) -> bytes:
    present = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 5)
    # TSFT u64 at 8, flags u8 at 16 (FCS 0x10, data pad 0x20), rate u8, channel u16+u16 at 18, signal s8 at 22.
    flags = 0x10 | (0x20 if frame[0] == 0x88 else 0)
    h = struct.pack("<BBHI", 0, 0, 23, present) + struct.pack("<QBBHHb", 123456, flags, 108, 2437, 0x00C0, -42)
    return h + frame + fcs(frame)


def ppi(frame: bytes) -> bytes:
    common = struct.pack("<QHHHHBBbb", 123456, 0x0001, 108, 2437, 0x00C0, 0, 0, -42, -90)
    h = struct.pack("<BBHI", 0, 0, 8 + 4 + len(common), 105) + struct.pack("<HH", 2, len(common)) + common
    return h + frame + fcs(frame)


def prism(frame: bytes) -> bytes:
    items = b""
    for n, v in enumerate([123, 456, 6, 0, 0, 60, 0, 108, 0, len(frame)], start=1):
        items += struct.pack("<IHHI", (n << 16) | 0x0044, 0, 4, v)
    return struct.pack("<II", 0x44, 144) + b"wlan0".ljust(16, b"\0") + items + frame


def avs(frame: bytes) -> bytes:
    h = struct.pack(">IIQQIIIIIIiiII", 0x80211001, 64, 123456, 789, 4, 6, 540, 0, 0, 1, -42, -90, 0, 0)
    return h + frame


def write_wlan(path, plain):
    client = plain[0][2][12:16]
    kinds = [(105, lambda f: f), (127, radiotap), (192, ppi), (119, prism), (163, avs)]
    t0 = plain[0][0]

    def block(btype, body):
        n = 12 + len(body)
        return struct.pack("<II", btype, n) + body + struct.pack("<I", n)

    with open(path, "wb") as fp:
        fp.write(block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 0, -1)))
        for link, _ in kinds:
            fp.write(block(1, struct.pack("<HHI", link, 0, 262144)))
        for iface, (link, wrap) in enumerate(kinds):
            k = iface + 1
            pkts = []
            for i, (sec, us, ip) in enumerate(plain):
                fwd = ip[12:16] == client
                ch, sh = (1, 2) if fwd else (2, 1)
                in4 = retcp(ip, a4(k, ch, 81), a4(k, sh, 81), False)
                frame = wlan_data(in4, fwd, link == 127, i, link == 127)
                pkts.append((t0 + 10 * k + (sec - t0), us, wrap(frame)))
            for j, extra in enumerate(wlan_extras(100)):
                pkts.append((t0 + 10 * k + 5, j, wrap(extra)))
            for sec, us, data in pkts:
                t = sec * 1_000_000 + us
                fp.write(block(6, struct.pack("<IIIII", iface, t >> 32, t & 0xFFFFFFFF, len(data), len(data)) + data + bytes(-len(data) % 4)))


def main():
    plain = read_pcap(sys.argv[1])
    write_pcap(sys.argv[2], 1, tunnels(plain))
    write_wlan(sys.argv[3], plain)


if __name__ == "__main__":
    main()
