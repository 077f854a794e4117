/**
 * The Info text of a frame that completes an application message, from the event the
 * dissector emitted for it (events carry the frame that completed them): what Wireshark's
 * Info column shows for that message. Transactions and summaries are not messages: a frame
 * is named by its request, response, command or reply.
 */
import type { WireEvent } from '../events/event.js';

const s = (v: unknown): string => (v === undefined || v === null ? '' : String(v));

/** Wireshark's protocol column name and the Info text, or null when the event is not a message. */
export function messageInfo(e: WireEvent): { protocol: string; info: string } | null {
  switch (e.type) {
    case 'http.request':
      return { protocol: 'HTTP', info: `${s(e.method)} ${s(e.uri)} HTTP/${s(e.version)}` };
    case 'http.response':
      return { protocol: 'HTTP', info: `HTTP/${s(e.version)} ${s(e.status_code)} ${s(e.status_msg)}`.trimEnd() };
    case 'dns.message': {
      const id = `0x${Number(e.trans_id ?? 0).toString(16).padStart(4, '0')}`;
      const q = `${s(e.qtype_name)} ${s(e.qname)}`;
      const kind = e.opcode === 5 ? 'Dynamic update' : 'Standard query';
      if (!e.response) return { protocol: 'DNS', info: `${kind} ${id} ${q}` };
      const answers = Array.isArray(e.answers) ? e.answers : [];
      const ans = answers
        .map((a) => (a && typeof a === 'object' && !Array.isArray(a) ? `${s(a.type_name ?? a.type)} ${s(a.text)}` : ''))
        .filter((x) => x.trim())
        .join(' ');
      const rcode = e.rcode ? ` ${s(e.rcode_name)}` : '';
      return { protocol: 'DNS', info: `${kind} response ${id}${rcode} ${q}${ans ? ` ${ans}` : ''}` };
    }
    case 'ftp.command':
      return { protocol: 'FTP', info: `Request: ${s(e.command)}${e.arg ? ` ${s(e.arg)}` : ''}` };
    case 'ftp.reply':
      return { protocol: 'FTP', info: `Response: ${s(e.code)} ${s(e.msg)}` };
    case 'smtp.command':
      return { protocol: 'SMTP', info: `C: ${s(e.command)}${e.arg ? ` ${s(e.arg)}` : ''}` };
    case 'smtp.reply':
      return { protocol: 'SMTP', info: `S: ${s(e.code)} ${s(e.msg)}` };
    case 'pop3.command':
      return { protocol: 'POP', info: `C: ${s(e.command)}${e.arg ? ` ${s(e.arg)}` : ''}` };
    case 'pop3.reply':
      return { protocol: 'POP', info: `S: ${s(e.status)} ${s(e.msg)}` };
    case 'imap.command':
      return { protocol: 'IMAP', info: `Request: ${s(e.tag)} ${s(e.command)}${e.arg ? ` ${s(e.arg)}` : ''}` };
    case 'imap.response':
      return { protocol: 'IMAP', info: `Response: ${s(e.tag)} ${s(e.status)}${e.text ? ` ${s(e.text)}` : ''}` };
    // TLS handshake messages in clear, named as tshark 4.0 names them (its Protocol column is
    // the record's version for a ClientHello, the negotiated one after the ServerHello).
    case 'tls.client_hello':
      return { protocol: tlsColumn(e.record_version), info: 'Client Hello' };
    case 'tls.server_hello':
      return { protocol: tlsColumn(e.version), info: e.hello_retry_request === true ? 'Hello Retry Request' : 'Server Hello' };
    case 'tls.alert':
      return e.encrypted === true ? null : { protocol: 'TLS', info: `Alert (Level: ${words(e.level)}, Description: ${words(e.description)})` };
    default:
      if (e.type.startsWith('bittorrent.') && e.type !== 'bittorrent.session' && e.type !== 'bittorrent.transfer') {
        return { protocol: 'BitTorrent', info: e.type.slice('bittorrent.'.length) + (e.msg_type ? ` ${s(e.msg_type)}` : '') };
      }
      if (e.type.startsWith('http2.') && e.frame_type !== undefined) return { protocol: 'HTTP2', info: s(e.frame_type) };
      if (e.type === 'http3.frame') return { protocol: 'HTTP3', info: s(e.frame_type) };
      if (e.type === 'quic.packet') return { protocol: 'QUIC', info: quicInfo(e) };
      return null;
  }
}

/** "TLSv1.0" -> "TLSv1" as tshark writes it; "TLSv1.3" stays. */
const tlsColumn = (v: unknown): string => (typeof v === 'string' && v ? v.replace(/^TLSv1\.0$/, 'TLSv1') : 'TLS');

/** "unknown_ca" -> "Unknown Ca", close to tshark's alert names ("Unknown CA"). */
const words = (v: unknown): string => s(v).split('_').map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');

const QUIC_TYPES: Record<string, string> = { initial: 'Initial', handshake: 'Handshake', '0rtt': '0-RTT', retry: 'Retry', version_negotiation: 'Version Negotiation' };

/** A QUIC packet as tshark's Info column writes it: type, connection IDs, packet number and frames once opened. */
function quicInfo(e: WireEvent): string {
  const opened = e.decrypted === true ? `, PKN: ${s(e.packet_number)}${Array.isArray(e.frames) && e.frames.length ? `, ${e.frames.map((f) => s(f)).join(', ')}` : ''}` : '';
  if (e.packet_type === '1rtt') return `Protected Payload${e.key_phase === 0 || e.key_phase === 1 ? ` (KP${e.key_phase})` : ''}, DCID=${s(e.dcid)}${opened}`;
  return `${QUIC_TYPES[String(e.packet_type)] ?? s(e.packet_type)}, DCID=${s(e.dcid)}, SCID=${s(e.scid)}${opened}`;
}
