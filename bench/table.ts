/** Markdown tables, as the bench prints them and docs/performance.md quotes them. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  return [line(header), line(header.map(() => '---')), ...rows.map(line)].join('\n');
}

export const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
export const ms = (value: number) => `${value.toFixed(1)} ms`;
export const micros = (value: number) => `${Math.round(value)} µs`;
/** A difference in microseconds, with its sign. */
export const signedMicros = (value: number) => `${value < 0 ? '−' : '+'}${micros(Math.abs(value))}`;
export const times = (value: number) => `${value.toFixed(2)}×`;
