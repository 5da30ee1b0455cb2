/**
 * Wall time spent in methods of a class, measured by wrapping its prototype methods (private
 * TypeScript methods included: at run time they are ordinary prototype methods). Times are
 * inclusive (a method's time contains the methods it calls) and, for methods that run
 * concurrently (Promise.all), add up to more than the elapsed time. Only benchmarks use this;
 * `restore()` puts the original methods back.
 */
export interface MethodFigures {
  calls: number;
  totalMs: number;
}

export class MethodTimer {
  private readonly figures = new Map<string, MethodFigures>();
  private readonly originals: { prototype: object; name: string; fn: unknown }[] = [];

  /** `<label>.<name>` of the names asked for that the class does not have (renamed since). */
  readonly missing: string[] = [];

  /** Wraps `names` of `prototype`, recorded as `<label>.<name>`; names it lacks are noted in `missing`. */
  wrap(prototype: object, label: string, names: string[]): void {
    const target = prototype as Record<string, unknown>;
    for (const name of names) {
      const original = target[name];
      if (typeof original !== 'function') {
        this.missing.push(`${label}.${name}`);
        continue;
      }
      this.originals.push({ prototype, name, fn: original });
      const key = `${label}.${name}`;
      const record = (started: bigint) => {
        const figure = this.figures.get(key) ?? { calls: 0, totalMs: 0 };
        figure.calls += 1;
        figure.totalMs += Number(process.hrtime.bigint() - started) / 1e6;
        this.figures.set(key, figure);
      };
      target[name] = function (this: unknown, ...args: unknown[]) {
        const started = process.hrtime.bigint();
        const result = (original as (...a: unknown[]) => unknown).apply(this, args);
        if (result instanceof Promise) {
          return result.finally(() => record(started));
        }
        record(started);
        return result;
      };
    }
  }

  /** Forgets what was recorded (the wrappers stay). */
  reset(): void {
    this.figures.clear();
  }

  get(key: string): MethodFigures {
    return this.figures.get(key) ?? { calls: 0, totalMs: 0 };
  }

  entries(): [string, MethodFigures][] {
    return [...this.figures.entries()];
  }

  restore(): void {
    for (const { prototype, name, fn } of this.originals.reverse()) {
      (prototype as Record<string, unknown>)[name] = fn;
    }
    this.originals.length = 0;
  }
}
