// At most `limit` probes at once against one server: a scan must not look like a flood, and a small server
// (or a rate limit in front of it) would otherwise refuse connections and turn facts into noise.
import { ScanCancelled } from './probe';

export interface ScanProgress {
  /** Probes finished. */
  done: number;
  /** Probes known so far (grows as answers decide what to ask next). */
  total: number;
  /** What the probe that just finished asked. */
  probe: string;
}

export class ProbePool {
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  done = 0;
  total = 0;

  constructor(private readonly limit: number, private readonly signal?: AbortSignal, private readonly onProgress?: (p: ScanProgress) => void) {
    if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`concurrency ${limit}: give a whole number of at least 1`);
  }

  async run<T>(label: string, job: () => Promise<T>): Promise<T> {
    this.total++;
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      if (this.signal?.aborted) throw new ScanCancelled();
      return await job();
    } finally {
      this.running--;
      this.done++;
      this.waiting.shift()?.();
      if (!this.signal?.aborted) this.onProgress?.({ done: this.done, total: this.total, probe: label });
    }
  }
}
