/** SOCKS event fields (SOCKS 4/4a, RFC 1928 SOCKS 5, RFC 1929 user/password) and anomaly codes. */
import { declareEvent } from '../../events/declared.js';

export const SOCKS_ANOMALIES = {
  'socks.malformed': 'a SOCKS handshake message is not what the protocol allows at that point; the rest of the flow is not dissected',
  'socks.incomplete': 'the connection ended or lost bytes before the SOCKS handshake was over',
} as const;

/**
 * `socks.request`: one per handshake, when the server answered it (or the flow ended), in
 * the vocabulary of Zeek's socks.log: the target the client asked for, the user, the
 * server's status and the address it bound.
 */
export interface SocksRequestFields {
  version: 4 | 5;
  /** `connect`, `bind`, `udp_associate`. */
  command: string;
  /** Target as an IP address, when the client gave one. */
  request_host: string | undefined;
  /** Target as a host name (SOCKS 4a, SOCKS 5 address type 3). */
  request_name: string | undefined;
  request_p: number;
  /** SOCKS 5: the methods the client offered and the one the server chose (`none`, `userpass`, `gssapi`...). */
  methods: string[] | undefined;
  auth_method: string | undefined;
  /** SOCKS 4 user id, or the RFC 1929 user name. */
  user: string | undefined;
  /** RFC 1929 password, in clear on the wire. */
  password: string | undefined;
  /** The server's answer (`succeeded`, `connection refused`...); undefined when it never answered. */
  status: string | undefined;
  bound_host: string | undefined;
  bound_p: number | undefined;
  /** Frame of the client's request. */
  request_frame: number;
}

declare module '../../events/event-map.js' {
  interface EventMap {
    'socks.request': SocksRequestFields;
  }
  interface AnomalyCatalogue {
    socks: typeof SOCKS_ANOMALIES;
  }
}

/** Field order of the output (events/declared.ts): the interface's, which is the order the dissector's record has. */
export const SOCKS_REQUEST = declareEvent('socks.request', [
  'version', 'command', 'request_host', 'request_name', 'request_p', 'methods', 'auth_method', 'user', 'password',
  'status', 'bound_host', 'bound_p', 'request_frame',
]);
