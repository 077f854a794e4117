/**
 * Every protocol's event declarations in one place: importing this module brings each
 * `events.ts` (and its additions to `EventMap` and `AnomalyCatalogue`) into a program, the
 * library's `.d.ts` files included. The registry (`index.ts`) imports the dissectors, which
 * import their events, so inside wirelens this adds nothing.
 */
import './bittorrent/events.js';
import './dns/events.js';
import './ftp/events.js';
import './http/events.js';
import './http2/events.js';
import './http3/events.js';
import './imap/events.js';
import './pop3/events.js';
import './quic/events.js';
import './smtp/events.js';
import './socks/events.js';
import './tls/events.js';
