/** Small statistics for noisy machines: medians, not means. */

export function median(values: readonly number[]): number {
  if (values.length === 0) throw new Error('median of no values');
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Rounds for a table: three significant digits are all these machines can tell apart. */
export function round(value: number, digits = 3): number {
  return Number(value.toPrecision(digits));
}
