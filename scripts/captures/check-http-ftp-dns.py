#!/usr/bin/env python3
"""Checks with tshark that each HTTP, HTTP/2, FTP, DNS and demo capture really holds its scenario.

Run after re-recording: python3 scripts/captures/check-http-ftp-dns.py  (exit 1 on any failure).
Each check is (file, display filter, minimum number of matching frames), or with a fourth item, a
field: then the minimum applies to that field's values in the matching frames (an HTTP/2 segment can
carry many HEADERS frames, a tshark frame is a packet). A few decode options
(-d) are needed for prior-knowledge HTTP/2 and FTP on odd ports.
"""
import subprocess
import sys
from pathlib import Path

CAPTURES = Path(__file__).resolve().parents[2] / "captures"
DECODE = ["-d", "tcp.port==8082,http2", "-d", "tcp.port==8083,http2", "-d", "tcp.port==2121,ftp",
          "-d", "tcp.port==8081,http"]

CHECKS = [
    ("http-persistent.pcap", "http.request", 4),
    ("http-persistent.pcap", "tcp.flags.syn==1 && tcp.flags.ack==0", 1),
    ("http-nonpersistent.pcap", 'http.request.version=="HTTP/1.0"', 1),
    ("http-nonpersistent.pcap", 'http.connection=="close" && http.request', 1),
    ("http-conditional-304.pcap", "http.response.code==304", 2),
    ("http-conditional-304.pcap", "http.request.line contains \"If-Modified-Since\"", 1),
    ("http-conditional-304.pcap", "http.request.line contains \"If-None-Match\"", 2),
    ("http-post.pcap", 'http.request.method=="POST"', 3),
    ("http-post.pcap", "mime_multipart", 1),
    ("http-chunked-gzip.pcap", 'http.transfer_encoding=="chunked" && http.content_encoding=="gzip"', 2),
    ("http-basic-auth.pcap", "http.response.code==401", 2),
    ("http-basic-auth.pcap", "http.authbasic", 2),
    ("http-cookies.pcap", "http.set_cookie", 1),
    ("http-cookies.pcap", "http.cookie", 1),
    ("http-pipelined.pcap", "http.request && tcp.len > 0 && frame contains \"GET /c.txt\" && frame contains \"GET /a.txt\"", 1),
    ("http-pipelined.pcap", "http.response.code==200", 3),
    ("http-404-nanosecond.pcap", "http.response.code==404", 1),
    ("http-large-download.pcap", "http.content_length==1048576", 1),
    ("http-page-nonpersistent.pcap", "tcp.flags.syn==1 && tcp.flags.ack==0", 6),
    ("http-page-persistent.pcap", "tcp.flags.syn==1 && tcp.flags.ack==0", 1),
    ("http-page-persistent.pcap", "http.request", 6),
    ("http-port8081-sll2.pcap", "sll && tcp.port==8081 && http.request", 3),
    ("http2-prior-knowledge-streams.pcap", "http2.magic", 1),
    ("http2-prior-knowledge-streams.pcap", "http2.type==1", 16, "http2.type"),
    ("http2-prior-knowledge-streams.pcap", "http2.type==2", 5, "http2.type"),
    ("http2-h2load-concurrent.pcap", "http2.type==1", 48, "http2.type"),
    ("http2-server-push.pcap", "http2.type==5", 2, "http2.type"),
    ("http2-nginx-prior-knowledge.pcap", "http2.headers.status==404", 1),
    ("http2-upgrade-h2c-curl.pcap", "http.response.code==101", 2),
    ("http2-upgrade-h2c-curl.pcap", "http2.headers.status==200", 2),
    ("http2-upgrade-h2c-nghttp.pcap", "http.response.code==101", 1),
    ("http2-upgrade-h2c-nghttp.pcap", "http2.headers.status==200", 4, "http2.headers.status"),
    ("ftp-epsv-retr.pcap", 'ftp.request.command=="EPSV"', 1),
    ("ftp-epsv-retr.pcap", "ftp-data", 1),
    ("ftp-pasv-retr.pcap", 'ftp.request.command=="PASV"', 1),
    ("ftp-active-port-retr.pcap", 'ftp.request.command=="PORT"', 1),
    ("ftp-active-port-retr.pcap", "tcp.srcport==20 && tcp.flags.syn==1 && tcp.flags.ack==0", 1),
    ("ftp-active-eprt-retr.pcap", 'ftp.request.command=="EPRT"', 1),
    ("ftp-stor-upload.pcap", 'ftp.request.command=="STOR"', 1),
    ("ftp-stor-upload.pcap", "ftp.response.code==226", 1),
    ("ftp-listing.pcap", 'ftp.request.command=="LIST"', 1),
    ("ftp-listing.pcap", 'ftp.request.command=="NLST"', 1),
    ("ftp-navigation.pcap", 'ftp.request.command=="CDUP"', 2),
    ("ftp-navigation.pcap", 'ftp.request.command=="PWD"', 4),
    ("ftp-navigation.pcap", "ftp.response.code==550", 2),
    ("ftp-login-failed.pcap", "ftp.response.code==530", 2),
    ("ftp-anonymous.pcap", 'ftp.request.arg=="anonymous"', 1),
    ("ftp-rest-resume.pcap", 'ftp.request.command=="REST"', 1),
    ("ftp-rest-resume.pcap", "ftp.response.code==350", 1),
    ("ftp-ipv6-epsv-eprt.pcap", 'ipv6 && ftp.request.command=="EPSV"', 1),
    ("ftp-ipv6-epsv-eprt.pcap", 'ipv6 && ftp.request.command=="EPRT"', 1),
    ("ftp-mlsd-pyftpdlib.pcap", 'ftp.request.command=="MLSD"', 1),
    ("ftp-mlsd-pyftpdlib.pcap", 'ftp.request.command=="MLST"', 1),
    ("dns-recursive.pcap", "dns.flags.response==1 && dns.flags.recavail==1", 15),
    ("dns-recursive.pcap", "ip.dst==127.0.0.2 && dns.flags.recdesired==0", 15),
    ("dns-recursive.pcap", "dns.flags.rcode==3", 2),
    ("dns-recursive.pcap", "dns.qry.type==12 && dns.flags.response==1", 2),
    ("dns-recursive.pcap", "dns.qry.type==65 || dns.qry.type==64 || dns.qry.type==257 || dns.qry.type==33", 8),
    ("dns-authoritative.pcap", "dns.flags.authoritative==1", 6),
    ("dns-authoritative.pcap", "dns.flags.rcode==5", 1),
    ("dns-authoritative.pcap", "ipv6 && dns", 4),
    ("dns-truncated-tcp.pcap", "udp && dns.flags.truncated==1", 1),
    ("dns-truncated-tcp.pcap", "tcp && dns.flags.response==1 && dns.count.answers==1", 1),
    ("dns-axfr.pcap", "dns.qry.type==252 && dns.flags.response==1 && dns.flags.rcode==0", 1),
    ("dns-axfr.pcap", "dns.qry.type==252 && dns.flags.rcode==5", 1),
    ("dns-edns-options.pcap", "dns.opt.code==8", 1),
    ("dns-edns-options.pcap", "dns.opt.code==3 && dns.flags.response==1", 1),
    ("dns-edns-options.pcap", "dns.resp.z.do==1", 1),
    ("dns-update.pcap", "dns.flags.opcode==5 && dns.flags.response==1 && dns.flags.rcode==0", 2),
    ("demo.pcap", "dns", 4),
    ("demo.pcap", "http.response.code==404", 1),
    ("demo.pcap", 'ftp.request.command=="RETR"', 1),
    ("demo.pcap", "ftp-data", 1),
]


def count(file: str, display_filter: str, field: str | None) -> int:
    out = subprocess.run(["tshark", "-n", "-r", str(CAPTURES / file), *DECODE, "-Y", display_filter, "-T", "fields",
                          "-e", field or "frame.number"], capture_output=True, text=True, check=False)
    if out.returncode != 0:
        raise RuntimeError(out.stderr.strip().splitlines()[-1] if out.stderr.strip() else f"tshark rc {out.returncode}")
    lines = [line for line in out.stdout.splitlines() if line.strip()]
    if field is None:
        return len(lines)
    # Only the values that satisfy the filter's own comparison are wanted, e.g. HEADERS among all types.
    wanted = display_filter.split("==", 1)[1].strip() if "==" in display_filter else None
    values = [v for line in lines for v in line.split(",")]
    return len([v for v in values if wanted is None or v == wanted])


def main() -> int:
    failures = 0
    for file, display_filter, minimum, *field in CHECKS:
        try:
            n = count(file, display_filter, field[0] if field else None)
        except (RuntimeError, FileNotFoundError) as err:
            n, note = -1, str(err)
        else:
            note = ""
        ok = n >= minimum
        failures += not ok
        print(f"{'ok  ' if ok else 'FAIL'} {file:38} {n:4} >= {minimum:<3} {display_filter} {note}")
    sizes = {p.name: p.stat().st_size for p in CAPTURES.glob("*.pcap")}
    if sizes.get("demo.pcap", 0) >= 100_000:
        failures += 1
        print("FAIL demo.pcap is not under 100 KB")
    print(f"{len(CHECKS) - failures} of {len(CHECKS)} checks passed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
