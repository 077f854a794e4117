/**
 * BitTorrent HTTP trackers ride on HTTP: a GET of `.../announce` or `.../scrape` answered
 * with a bencoded dictionary. The parsers belong to the BitTorrent protocol folder
 * (`src/protocols/bittorrent/tracker.ts`); this module links HTTP transactions to them.
 */
import type { EventFields } from '../../events/event.js';
import type { TxModel } from './transaction.js';

const TRACKER_PATH = /\/(announce|scrape)(\.php)?(\?|$)/i;

function isTrackerRequest(tx: TxModel): boolean {
  return tx.method === 'GET' && tx.uri !== undefined && TRACKER_PATH.test(tx.uri);
}

/**
 * The `bittorrent.tracker` event for a finished tracker transaction, or null.
 * Until the BitTorrent tracker parsers exist this links nothing.
 */
export function trackerEvent(tx: TxModel, body: Uint8Array | undefined): EventFields | null {
  if (!isTrackerRequest(tx) || !body || body.length === 0 || body[0] !== 0x64 /* 'd' */) return null;
  return null;
}

/** Whether the response body must be kept for `trackerEvent`. */
trackerEvent.wants = (tx: TxModel): boolean => false && isTrackerRequest(tx);
