import { readFileSync } from 'node:fs';

/** Resident set size of a process in MB (VmRSS); 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** Samples the RSS of a few processes every `everyMs`; peaks over any window afterwards. */
export class RssSampler {
  readonly samples: { at: number; mb: Record<string, number> }[] = [];
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly pids: Record<string, number>,
    private readonly everyMs = 500,
  ) {}

  start(): void {
    const sample = () =>
      this.samples.push({
        at: Date.now(),
        mb: Object.fromEntries(Object.entries(this.pids).map(([k, pid]) => [k, rssMb(pid)])),
      });
    sample();
    this.timer = setInterval(sample, this.everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** The largest RSS of `label` between `from` and `to` (ms since 1970). */
  peak(label: string, from = 0, to = Infinity): number {
    let peak = 0;
    for (const { at, mb } of this.samples) {
      if (at >= from && at <= to) peak = Math.max(peak, mb[label] ?? 0);
    }
    return peak;
  }

  /** The last RSS of `label` seen at or before `at`. */
  at(label: string, at: number): number {
    let value = 0;
    for (const sample of this.samples) if (sample.at <= at) value = sample.mb[label] ?? 0;
    return value;
  }
}

export interface MachineCpuFigures {
  /** Everything but idle and iowait. */
  busy: number;
  /** Time in the kernel's soft interrupts (e.g. loopback TCP), charged to no process. */
  softirq: number;
  iowait: number;
}

/** The whole machine's CPU since a mark, in percent of one core (200 = both of 2 cores). */
export class MachineCpu {
  private start = MachineCpu.read();

  /** user nice system idle iowait irq softirq steal, in ticks. */
  private static read(): number[] {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
    return line.trim().split(/\s+/).slice(1, 9).map(Number);
  }

  begin(): void {
    this.start = MachineCpu.read();
  }

  end(cores: number): MachineCpuFigures {
    const now = MachineCpu.read();
    const delta = now.map((value, i) => value - (this.start[i] ?? 0));
    const total = delta.reduce((sum, n) => sum + n, 0);
    const share = (ticks: number) => (total > 0 ? Math.round((ticks / total) * 100 * cores) : 0);
    return {
      busy: share(total - delta[3] - delta[4]),
      softirq: share(delta[6]),
      iowait: share(delta[4]),
    };
  }
}
