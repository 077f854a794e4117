/**
 * TLS 1.3 key schedule and record protection against RFC 8448 §3 (simple 1-RTT handshake):
 * every derived value, then the decryptor fed the trace's encrypted records in order, as
 * the dissector will, with the secrets given the way a key log gives them.
 */
import { describe, expect, it } from 'vitest';
import { MutableSecretStore } from '../../src/dissect/secrets.js';
import { TlsDecryptor } from '../../src/protocols/tls/crypto/decryptor.js';
import { deriveSecret, digest, hkdfExpandLabel, hkdfExtract, hkdfLabel, trafficKeys } from '../../src/protocols/tls/crypto/hkdf.js';
import { hex, RFC8448_1RTT as V } from './fixtures/rfc8448.js';

const b = (s: string): string => Buffer.from(hex(s)).toString('hex');
const h = (u: Uint8Array): string => Buffer.from(u).toString('hex');
const EMPTY = new Uint8Array(0);

describe('RFC 8448 key schedule', () => {
  it('extracts the early, handshake and master secrets', () => {
    const early = hkdfExtract('sha256', EMPTY, new Uint8Array(32));
    expect(h(early)).toBe(b(V.early_secret));
    const derived = deriveSecret('sha256', early, 'derived', digest('sha256'));
    expect(h(derived)).toBe(b(V.derived_for_handshake));
    const hs = hkdfExtract('sha256', derived, hex(V.shared_secret));
    expect(h(hs)).toBe(b(V.handshake_secret));
    const derived2 = deriveSecret('sha256', hs, 'derived', digest('sha256'));
    expect(h(derived2)).toBe(b(V.derived_for_master));
    expect(h(hkdfExtract('sha256', derived2, new Uint8Array(32)))).toBe(b(V.master_secret));
  });

  it('builds the HkdfLabel the RFC shows as "info"', () => {
    expect(h(hkdfLabel('c hs traffic', hex(V.hello_hash), 32))).toBe(b(V.c_hs_info));
    expect(h(hkdfLabel('finished', EMPTY, 32))).toBe('00200e746c7331332066696e697368656400');
    expect(h(hkdfLabel('key', EMPTY, 16))).toBe('001009746c733133206b657900');
  });

  it('derives the traffic secrets, finished keys, and write keys and IVs', () => {
    const hs = hex(V.handshake_secret);
    expect(h(deriveSecret('sha256', hs, 'c hs traffic', hex(V.hello_hash)))).toBe(b(V.client_handshake_traffic_secret));
    expect(h(deriveSecret('sha256', hs, 's hs traffic', hex(V.hello_hash)))).toBe(b(V.server_handshake_traffic_secret));
    expect(h(hkdfExpandLabel('sha256', hex(V.client_handshake_traffic_secret), 'finished', EMPTY, 32))).toBe(b(V.client_finished_key));
    expect(h(hkdfExpandLabel('sha256', hex(V.server_handshake_traffic_secret), 'finished', EMPTY, 32))).toBe(b(V.server_finished_key));
    const sh = trafficKeys('sha256', hex(V.server_handshake_traffic_secret), 16, 12);
    expect([h(sh.key), h(sh.iv)]).toEqual([b(V.server_handshake_key), b(V.server_handshake_iv)]);
    const ch = trafficKeys('sha256', hex(V.client_handshake_traffic_secret), 16, 12);
    expect([h(ch.key), h(ch.iv)]).toEqual([b(V.client_handshake_key), b(V.client_handshake_iv)]);
    const sa = trafficKeys('sha256', hex(V.server_application_traffic_secret), 16, 12);
    expect([h(sa.key), h(sa.iv)]).toEqual([b(V.server_application_key), b(V.server_application_iv)]);
    const ca = trafficKeys('sha256', hex(V.client_application_traffic_secret), 16, 12);
    expect([h(ca.key), h(ca.iv)]).toEqual([b(V.client_application_key), b(V.client_application_iv)]);
  });
});

function store(omit: string[] = []): MutableSecretStore {
  const s = new MutableSecretStore();
  const cr = hex(V.client_random);
  const all = {
    CLIENT_HANDSHAKE_TRAFFIC_SECRET: V.client_handshake_traffic_secret,
    SERVER_HANDSHAKE_TRAFFIC_SECRET: V.server_handshake_traffic_secret,
    CLIENT_TRAFFIC_SECRET_0: V.client_application_traffic_secret,
    SERVER_TRAFFIC_SECRET_0: V.server_application_traffic_secret,
    EXPORTER_SECRET: V.exporter_master_secret,
  } as const;
  for (const [label, value] of Object.entries(all)) if (!omit.includes(label)) s.add(label as keyof typeof all, cr, hex(value));
  return s;
}

const facts = { version: 0x0304, cipher_suite: 0x1301, client_random: hex(V.client_random), server_random: hex(V.server_random), encrypt_then_mac: false };

/** Type, version, fragment of one record given as hex with its header. */
function record(s: string): [number, number, Uint8Array] {
  const r = hex(s);
  expect(r.length).toBe(5 + ((r[3]! << 8) | r[4]!));
  return [r[0]!, (r[1]! << 8) | r[2]!, r.subarray(5)];
}

const FIFTY = h(Uint8Array.from({ length: 50 }, (_, i) => i));

describe('RFC 8448 records through TlsDecryptor', () => {
  it('decrypts the whole trace in order, both ways', () => {
    const d = TlsDecryptor.create(facts, store());
    if ('error' in d) throw new Error(d.error);
    expect(d.missing).toEqual([]);
    expect(d.isEncrypting('c2s') && d.isEncrypting('s2c')).toBe(true);

    // The middlebox-compatibility ChangeCipherSpec is not protected and counts nothing.
    expect(d.decrypt('s2c', 20, 0x0303, Uint8Array.of(1))).toEqual({ ok: true, content_type: 20, plaintext: Uint8Array.of(1) });

    const flight = d.decrypt('s2c', ...record(V.server_flight_record));
    if (!flight.ok) throw new Error(flight.reason);
    expect(flight.content_type).toBe(22);
    expect(h(flight.plaintext.subarray(0, 40))).toBe(b(V.encrypted_extensions));
    expect(h(flight.plaintext.subarray(flight.plaintext.length - 36))).toBe(b(V.server_finished));
    expect(flight.plaintext.length).toBe(674 - 16 - 1);
    d.toApplication('s2c');

    const fin = d.decrypt('c2s', ...record(V.client_finished_record));
    expect(fin.ok && fin.content_type === 22 && h(fin.plaintext).startsWith('14000020')).toBe(true);
    d.toApplication('c2s');

    const nst = d.decrypt('s2c', ...record(V.new_session_ticket_record));
    expect(nst.ok && nst.content_type === 22 && nst.plaintext[0]).toBe(4);
    const c = d.decrypt('c2s', ...record(V.client_application_record));
    expect(c.ok && c.content_type === 23 && h(c.plaintext)).toBe(FIFTY);
    const s = d.decrypt('s2c', ...record(V.server_application_record));
    expect(s.ok && s.content_type === 23 && h(s.plaintext)).toBe(FIFTY);
    expect(d.decrypt('c2s', ...record(V.client_alert_record))).toEqual({ ok: true, content_type: 21, plaintext: Uint8Array.of(1, 0) });
    expect(d.decrypt('s2c', ...record(V.server_alert_record))).toEqual({ ok: true, content_type: 21, plaintext: Uint8Array.of(1, 0) });
  });

  it('a flipped byte fails the tag, and the next record still opens', () => {
    const d = TlsDecryptor.create(facts, store()) as TlsDecryptor;
    const [t, v, frag] = record(V.server_flight_record);
    const bad = Uint8Array.from(frag);
    bad[100]! ^= 1;
    expect(d.decrypt('s2c', t, v, bad)).toEqual({ ok: false, reason: 'bad record MAC' });
    // The damaged record was the first of its epoch: it could have been rejected 0-RTT data,
    // so it does not count; the real one opens with sequence number 0.
    expect(d.decrypt('s2c', t, v, frag).ok).toBe(true);
    d.toApplication('s2c');
    const [t2, v2, nst] = record(V.new_session_ticket_record);
    const bad2 = Uint8Array.from(nst);
    bad2[0]! ^= 0x80;
    expect(d.decrypt('s2c', t2, v2, bad2).ok).toBe(false);
    // In the application epoch a damaged record counts: the next is sequence number 1.
    const s = d.decrypt('s2c', ...record(V.server_application_record));
    expect(s.ok && h(s.plaintext)).toBe(FIFTY);
  });

  it('without the handshake secrets, the application records still open (trial on the tag)', () => {
    const d = TlsDecryptor.create(facts, store(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET'])) as TlsDecryptor;
    expect(d.missing).toEqual(['CLIENT_HANDSHAKE_TRAFFIC_SECRET', 'SERVER_HANDSHAKE_TRAFFIC_SECRET']);
    const flight = d.decrypt('s2c', ...record(V.server_flight_record));
    expect(flight).toEqual({ ok: false, reason: 'no key for handshake records (SERVER_HANDSHAKE_TRAFFIC_SECRET not in the key log)' });
    // The dissector never saw the Finished, so it never calls toApplication.
    const nst = d.decrypt('s2c', ...record(V.new_session_ticket_record));
    expect(nst.ok && nst.content_type).toBe(22);
    const s = d.decrypt('s2c', ...record(V.server_application_record));
    expect(s.ok && h(s.plaintext)).toBe(FIFTY);
  });

  it('a missed Finished: the application key takes over when the handshake key fails', () => {
    const d = TlsDecryptor.create(facts, store()) as TlsDecryptor;
    expect(d.decrypt('s2c', ...record(V.server_flight_record)).ok).toBe(true);
    // no toApplication('s2c')
    expect(d.decrypt('s2c', ...record(V.new_session_ticket_record)).ok).toBe(true);
    expect(d.decrypt('s2c', ...record(V.server_application_record)).ok).toBe(true);
    // toApplication after the switch must not reset the sequence number.
    d.toApplication('s2c');
    expect(d.decrypt('s2c', ...record(V.server_alert_record)).ok).toBe(true);
  });

  it('says why there is no decryptor', () => {
    expect(TlsDecryptor.create(facts, new MutableSecretStore())).toEqual({ error: 'no key for this session' });
    const only12 = new MutableSecretStore();
    only12.add('CLIENT_RANDOM', hex(V.client_random), new Uint8Array(48));
    expect(TlsDecryptor.create(facts, only12)).toEqual({ error: 'no key for this session (the key log has a TLS 1.2 CLIENT_RANDOM line for it)' });
    expect(TlsDecryptor.create({ ...facts, version: 0x0303 }, store())).toEqual({ error: 'cipher suite 0x1301 (TLS_AES_128_GCM_SHA256) is not valid in TLS 1.2' });
    expect(TlsDecryptor.create({ ...facts, cipher_suite: 0x1302 }, store())).toEqual({
      error: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET of 32 bytes does not fit TLS_AES_256_GCM_SHA384 (48 expected)',
    });
    expect(TlsDecryptor.create({ ...facts, version: 0x0303, cipher_suite: 0xc02f }, store())).toEqual({ error: 'no key for this session (the key log has only TLS 1.3 secrets for it)' });
    expect(TlsDecryptor.create({ ...facts, version: 0x0303, cipher_suite: 0x0005 }, store())).toEqual({ error: 'cipher suite 0x0005 (TLS_RSA_WITH_RC4_128_SHA) not supported' });
    expect(TlsDecryptor.create({ ...facts, version: 0x0303, cipher_suite: 0x1234 }, store())).toEqual({ error: 'cipher suite 0x1234 not supported' });
    expect(TlsDecryptor.create({ ...facts, version: 0x0300 }, store())).toEqual({ error: 'SSL 3.0 is not supported' });
  });
});
