/** What warm-child measures and hands back to the parent. */
export const SUBJECTS = ['bare fetch', 'bare http', 'ours', 'naive'] as const;
export type Subject = (typeof SUBJECTS)[number];

/** One value per subject. */
export const perSubject = <T>(value: (name: Subject) => T) =>
  Object.fromEntries(SUBJECTS.map((name) => [name, value(name)])) as Record<Subject, T>;

export interface OverheadResult {
  /** Per-request wall time of every timed request. */
  readonly samplesMs: Record<Subject, number[]>;
  /** CPU time (user + system) of the process per request. */
  readonly cpuMsPerRequest: Record<Subject, number>;
}

export interface ReuseResult {
  readonly mints: number;
  readonly secretCalls: number;
  /** Resident memory after the mints (bench libraries included, so an upper bound). */
  readonly rssBytes: number;
}
