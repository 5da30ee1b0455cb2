/** Prints a readable account of a run: sections, steps and small tables. */
export class Narrator {
  private readonly started = Date.now();

  section(title: string): void {
    console.log(`\n== ${title}`);
  }

  step(line: string): void {
    console.log(`   ${line}`);
  }

  warn(line: string): void {
    console.log(`   ! ${line}`);
  }

  table(headers: string[], rows: string[][]): void {
    const widths = headers.map((header, i) =>
      Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
    );
    const line = (cells: string[]) =>
      ('   ' + cells.map((cell, i) => cell.padEnd(widths[i])).join('  ')).trimEnd();
    console.log(line(headers));
    console.log(line(widths.map((width) => '-'.repeat(width))));
    rows.forEach((row) => console.log(line(row)));
  }

  done(): void {
    console.log(`\nDone in ${((Date.now() - this.started) / 1000).toFixed(1)} s.`);
  }
}
