/**
 * BitTorrent HTTP trackers ride on HTTP: a GET of `.../announce` or `.../scrape` answered
 * with a bencoded dictionary. The parsers belong to the BitTorrent folder
 * (`bittorrent/tracker.ts`); this module links finished HTTP transactions to them and
 * builds the `bittorrent.tracker` event (transport `http`), which the BitTorrent report
 * section reads beside the UDP tracker's.
 */
import type { BittorrentTrackerFields } from '../bittorrent/events.js';
import { parseTrackerAnnounce, parseTrackerResponse, trackerAction } from '../bittorrent/tracker.js';
import type { TxModel } from './transaction.js';

function isTrackerRequest(tx: TxModel): boolean {
  return tx.method === 'GET' && tx.uri !== undefined && trackerAction(tx.uri) !== null;
}

/** The `bittorrent.tracker` event for a finished tracker transaction with a bencoded body, or null. */
export function trackerEvent(tx: TxModel, body: Uint8Array | undefined): BittorrentTrackerFields | null {
  if (!isTrackerRequest(tx) || !body || body.length === 0 || body[0] !== 0x64 /* 'd' */) return null;
  const request = parseTrackerAnnounce(tx.uri!);
  if (!request) return null;
  const response = parseTrackerResponse(body);
  return {
    transport: 'http',
    message: 'transaction',
    ...request,
    ...response,
    status_code: tx.status_code,
    host: tx.host,
    request_frame: tx.request.first?.frame,
    response_frame: tx.response.last?.frame,
  };
}

/** Whether the response body must be kept for `trackerEvent`. */
trackerEvent.wants = (tx: TxModel): boolean => isTrackerRequest(tx);
