/**
 * Where an event falls in the output, for merging the shares of `--workers`. One thread
 * emits events in exactly this order; a worker emits its share in it too, marking each
 * group of events with its key (frame, phase, a, b), and the main thread merges the
 * groups of all workers by key.
 *
 * Within one frame: the capture reader's problems, then the tick of a new capture second
 * (flows ending by time-out in id order, lapsed fragments by first frame, lapsed
 * expectations in announcement order), then the packet itself. After the last packet,
 * the end of capture (at frame `END_FRAME`) in the same three steps and the summary.
 */
export const enum Phase {
  Problem = 0,
  FlowExpiry = 1,
  FragmentExpiry = 2,
  ExpectationExpiry = 3,
  Packet = 4,
  EndFragments = 5,
  EndFlows = 6,
  EndExpectations = 7,
  Summary = 8,
}

export const END_FRAME = Number.MAX_SAFE_INTEGER;

/** Receives the key of each group of events before the group's events. */
export type GroupMark = (frame: number, phase: Phase, a: number, b: number) => void;
