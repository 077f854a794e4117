/**
 * The `credentials` events of a request's Authorization and Proxy-Authorization headers,
 * shared by HTTP/1.x and HTTP/2: Basic (RFC 7617: user and password) and Digest (RFC 7616:
 * user, realm, uri; the response hash is the secret, marked `digest_response`, because it
 * is not the password: with the nonce it allows an offline guess only, §5.1).
 */
import type { CredentialsFields } from '../../events/event-map.js';
import { basicCredentials, digestCredentials, header, type HeaderList } from './parser.js';

const AUTH_FIELDS = ['authorization', 'proxy-authorization'] as const;

export function authCredentials(headers: HeaderList): CredentialsFields[] {
  const out: CredentialsFields[] = [];
  for (let i = 0; i < AUTH_FIELDS.length; i++) {
    const field = AUTH_FIELDS[i]!;
    const v = header(headers, field);
    if (!v) continue;
    const basic = basicCredentials(v);
    if (basic) {
      out.push({ protocol: 'http', user: basic.user, secret: basic.password, mechanism: 'basic', header: field });
      continue;
    }
    const d = digestCredentials(v);
    if (!d) continue;
    const ev: CredentialsFields = { protocol: 'http', user: d.user, secret: d.response ?? '', secret_kind: 'digest_response', mechanism: 'digest', header: field };
    if (d.userhash) ev.user_kind = 'userhash';
    if (d.realm !== undefined) ev.realm = d.realm;
    if (d.uri !== undefined) ev.uri = d.uri;
    if (d.algorithm !== undefined) ev.algorithm = d.algorithm;
    if (d.qop !== undefined) ev.qop = d.qop;
    out.push(ev);
  }
  return out;
}
