import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Kernel clock ticks per second, the unit of utime and stime in /proc/<pid>/stat. */
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

/** CPU seconds (user + system) a process has used so far; 0 once it is gone. */
function cpuSecondsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may contain spaces; the fields after it are space-separated.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return 0;
  }
}

/**
 * The processes whose command name is `name` (e.g. every Postgres process) and, when given, whose
 * command line (a Postgres backend's title names its database) contains `cmdline`.
 */
function pidsNamed(name: string, cmdline?: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== name) continue;
      if (cmdline && !readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(cmdline)) continue;
      pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** What is measured: one process by id, or every process with a command name (and command line). */
export type CpuTarget = { pid: number } | { name: string; cmdline?: string };

/**
 * CPU used by a few processes over a window, in percent of one core (200 = both cores of a
 * 2-core machine). Processes by name are summed; those that end inside the window are missed.
 */
export class CpuSampler {
  private start = new Map<string, Map<number, number>>();
  private startedAt = 0;

  constructor(private readonly targets: Record<string, CpuTarget>) {}

  private read(): Map<string, Map<number, number>> {
    const now = new Map<string, Map<number, number>>();
    for (const [label, target] of Object.entries(this.targets)) {
      const pids = 'pid' in target ? [target.pid] : pidsNamed(target.name, target.cmdline);
      now.set(label, new Map(pids.map((pid) => [pid, cpuSecondsOf(pid)])));
    }
    return now;
  }

  begin(): void {
    this.start = this.read();
    this.startedAt = performance.now();
  }

  /** Percent of one core per target since begin(). */
  end(): Record<string, number> {
    const seconds = (performance.now() - this.startedAt) / 1000;
    const result: Record<string, number> = {};
    for (const [label, pids] of this.read()) {
      const before = this.start.get(label) ?? new Map<number, number>();
      let used = 0;
      for (const [pid, cpu] of pids) used += cpu - (before.get(pid) ?? 0);
      result[label] = Math.round((used / seconds) * 100);
    }
    return result;
  }
}
