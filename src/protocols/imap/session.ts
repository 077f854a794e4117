/**
 * What one IMAP connection did, for the `imap.session` record: the mailbox being selected
 * and its counts, sequence-number-to-UID bookkeeping (EXPUNGE renumbers, RFC 3501 §7.4.1),
 * messages fetched, flags changed, copies, uploads, expunges, logins. Every list is bounded;
 * past the bound items are counted, not kept.
 */
import type { AppendedMessage, FetchedMessage, ImapCopy, ImapFlagChange, ImapSessionFields, SelectedMailbox } from './events.js';

/** A list that keeps at most `cap` items and counts the rest. */
export class CappedList<T> {
  readonly items: T[] = [];
  total = 0;

  constructor(
    private readonly cap: number,
    private readonly overflow: () => void,
  ) {}

  push(item: T): boolean {
    this.total++;
    if (this.items.length >= this.cap) {
      if (this.total === this.cap + 1) this.overflow();
      return false;
    }
    this.items.push(item);
    return true;
  }
}


export class SessionState {
  user: string | null = null;
  mechanism: string | null = null;
  authenticated = false;
  preauth = false;
  tls = false;
  compressed = false;
  greeting: string | null = null;
  bye: string | null = null;
  capabilities: string[] = [];
  enabled: string[] = [];
  clientId: Record<string, string> | null = null;
  serverId: Record<string, string> | null = null;
  commands = 0;

  /** The mailbox a SELECT/EXAMINE in flight is opening; untagged data goes to it. */
  opening: SelectedMailbox | null = null;
  selected: SelectedMailbox | null = null;
  /** seq - 1 -> UID in the selected mailbox, as far as FETCH responses told. */
  private seqToUid: Array<number | undefined> = [];
  private readonly messageIndex = new Map<string, FetchedMessage>();

  readonly mailboxes: CappedList<SelectedMailbox>;
  readonly listed: CappedList<{ name: string; flags: string[]; delimiter: string | null }>;
  private readonly listedNames = new Set<string>();
  readonly statuses: CappedList<{ mailbox: string; items: Record<string, number> }>;
  readonly messages: CappedList<FetchedMessage>;
  readonly flagsChanged: CappedList<ImapFlagChange>;
  readonly deleted: CappedList<{ mailbox: string | null; set: string; uid: boolean }>;
  readonly expunged: CappedList<{ mailbox: string | null; seq: number; uid: number | null }>;
  readonly copied: CappedList<ImapCopy>;
  readonly appended: CappedList<AppendedMessage>;
  readonly failedLogins: CappedList<{ user: string | null; mechanism: string; frame: number }>;

  constructor(cap: number, overflow: (what: string) => void) {
    const list = <T>(what: string) => new CappedList<T>(cap, () => overflow(what));
    this.mailboxes = list('mailboxes');
    this.listed = list('listed mailboxes');
    this.statuses = list('STATUS results');
    this.messages = list('messages');
    this.flagsChanged = list('flag changes');
    this.deleted = list('deletions');
    this.expunged = list('expunges');
    this.copied = list('copies');
    this.appended = list('appended messages');
    this.failedLogins = list('failed logins');
    this.cap = cap;
  }

  private readonly cap: number;

  /** Where untagged mailbox data (EXISTS, FLAGS, UIDVALIDITY...) belongs now. */
  get current(): SelectedMailbox | null {
    return this.opening ?? this.selected;
  }

  beginSelect(mailbox: string, readOnly: boolean, frame: number): void {
    this.opening = {
      mailbox,
      read_only: readOnly,
      status: null,
      exists: null,
      recent: null,
      unseen: null,
      uidvalidity: null,
      uidnext: null,
      flags: [],
      frame,
    };
  }

  /** The SELECT/EXAMINE completed: on OK it is the selected mailbox; otherwise none is (RFC 3501 §6.3.1). */
  endSelect(status: string, code: string | null): void {
    const m = this.opening;
    this.opening = null;
    if (!m) return;
    m.status = status;
    if (code === 'READ-ONLY') m.read_only = true;
    else if (code === 'READ-WRITE') m.read_only = false;
    this.mailboxes.push(m);
    this.selected = status === 'OK' ? m : null;
    this.seqToUid = [];
    this.messageIndex.clear();
  }

  deselect(): void {
    this.selected = null;
    this.seqToUid = [];
  }

  list(entry: { name: string; flags: string[]; delimiter: string | null }): void {
    if (this.listedNames.has(entry.name)) return;
    if (this.listedNames.size < this.cap) this.listedNames.add(entry.name);
    this.listed.push(entry);
  }

  exists(n: number): void {
    const m = this.current;
    if (m) m.exists = n;
    if (this.seqToUid.length > n && n >= 0) this.seqToUid.length = n;
  }

  /** `* n EXPUNGE`: message n is gone and every later one moves down by one. */
  expunge(seq: number): void {
    const uid = this.uidOf(seq);
    const m = this.current;
    this.expunged.push({ mailbox: m?.mailbox ?? null, seq, uid });
    if (seq >= 1 && seq <= this.seqToUid.length) this.seqToUid.splice(seq - 1, 1);
    if (m && m.exists !== null && m.exists > 0) m.exists--;
    // Sequence numbers moved: entries can now be found by UID only.
    for (const k of [...this.messageIndex.keys()]) if (k.startsWith('s')) this.messageIndex.delete(k);
  }

  uidOf(seq: number): number | null {
    return this.seqToUid[seq - 1] ?? null;
  }

  noteUid(seq: number, uid: number): void {
    // Bounded: a hostile `* 4000000000 FETCH (UID 1)` must not allocate a huge array.
    if (seq >= 1 && seq <= this.cap * 4) {
      while (this.seqToUid.length < seq - 1) this.seqToUid.push(undefined);
      this.seqToUid[seq - 1] = uid;
    }
  }

  /** The record of a message in the current mailbox; created when `create`, else only found. */
  message(seq: number, uid: number | null, create: boolean, frame: number): FetchedMessage | null {
    const box = this.current;
    const prefix = `${box?.mailbox ?? ''}\u0000${box?.uidvalidity ?? ''}\u0000`;
    const byUid = uid !== null ? this.messageIndex.get(`u${prefix}${uid}`) : undefined;
    let entry = byUid ?? this.messageIndex.get(`s${prefix}${seq}`) ?? null;
    if (!entry && create) {
      entry = {
        mailbox: box?.mailbox ?? null,
        seq,
        uid,
        flags: null,
        size: null,
        internaldate: null,
        from: null,
        to: [],
        subject: null,
        date: null,
        message_id: null,
        attachments: [],
        sections: [],
        frame,
      };
      if (!this.messages.push(entry)) return null;
    }
    if (!entry) return null;
    if (uid !== null) {
      entry.uid = uid;
      if (this.messageIndex.size < this.cap * 2) this.messageIndex.set(`u${prefix}${uid}`, entry);
    }
    if (this.messageIndex.size < this.cap * 2) this.messageIndex.set(`s${prefix}${seq}`, entry);
    return entry;
  }

  record(unanswered: string[]): ImapSessionFields {
    const withTotal = <T>(l: CappedList<T>): T[] => l.items;
    return {
      user: this.user,
      mechanism: this.mechanism,
      authenticated: this.authenticated,
      preauth: this.preauth,
      tls: this.tls,
      compressed: this.compressed || undefined,
      greeting: this.greeting,
      capabilities: this.capabilities,
      enabled: this.enabled.length ? this.enabled : undefined,
      client_id: this.clientId ?? undefined,
      server_id: this.serverId ?? undefined,
      commands: this.commands,
      mailboxes: this.mailboxes.items.map((m) => ({ ...m })),
      listed: this.listed.items.map((l) => ({ ...l })),
      status: this.statuses.items.map((s) => ({ ...s })),
      messages: this.messages.items.map((m) => ({ ...m })),
      messages_total: this.messages.total,
      flags_changed: withTotal(this.flagsChanged),
      deleted: withTotal(this.deleted),
      expunged: this.expunged.items.map((e) => ({ ...e })),
      copied: withTotal(this.copied),
      appended: this.appended.items.map((a) => ({ ...a })),
      failed_logins: this.failedLogins.items.map((f) => ({ ...f })),
      unanswered,
      bye: this.bye,
    };
  }
}
