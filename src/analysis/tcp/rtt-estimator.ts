/**
 * The retransmission-timer arithmetic of Kurose & Ross (and RFC 6298):
 * EstimatedRTT = (1 - α)·EstimatedRTT + α·SampleRTT, α = 0.125;
 * DevRTT = (1 - β)·DevRTT + β·|SampleRTT - EstimatedRTT|, β = 0.25;
 * TimeoutInterval = EstimatedRTT + 4·DevRTT.
 * The first sample sets EstimatedRTT to itself and DevRTT to half of it (RFC 6298 §2.2),
 * DevRTT being updated with the EstimatedRTT before this sample, as RFC 6298 orders it.
 */
import { DOUBLE_ZERO } from '../../dissect/double.js';

export const RTT_ALPHA = 0.125;
export const RTT_BETA = 0.25;

export class RttEstimator {
  samples = 0;
  estimated = DOUBLE_ZERO;
  dev = DOUBLE_ZERO;
  min = Infinity;
  max = DOUBLE_ZERO;
  sum = DOUBLE_ZERO;

  add(sample: number): void {
    if (this.samples === 0) {
      this.estimated = sample;
      this.dev = sample / 2;
    } else {
      this.dev = (1 - RTT_BETA) * this.dev + RTT_BETA * Math.abs(sample - this.estimated);
      this.estimated = (1 - RTT_ALPHA) * this.estimated + RTT_ALPHA * sample;
    }
    this.samples++;
    this.sum += sample;
    if (sample < this.min) this.min = sample;
    if (sample > this.max) this.max = sample;
  }

  get timeout(): number {
    return this.estimated + 4 * this.dev;
  }
}
