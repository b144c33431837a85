/**
 * What a million mints cost with the stack's settings, from measured figures. `npm run bench`
 * prints it with the figures it just measured; on its own:
 *   npx tsx bench/cost-model.ts [--cpu-ms 1.1] [--naive-cpu-ms 0.9] [--log-bytes 570] [--cold-ms 150]
 */
import { parseArgs } from 'node:util';
import { parseServiceConfig } from '../lambda/mint-token/config';
import { MINT_TOKEN_MEMORY_MB } from '../lib/cartesia-token-api';
import { SECRET_READ_LATENCY_MS } from './lambda-harness';
import { markdownTable } from './table';

/** AWS public list prices, us-east-1, first tier, in USD (offline here: re-check before quoting). */
export const PRICES = {
  asOf: '2026-12-04',
  apiGatewayRestPerMillionRequests: 3.5,
  lambdaPerMillionRequests: 0.2,
  lambdaArm64PerGbSecond: 0.0000133334,
  secretsManagerPer10kCalls: 0.05,
  cloudWatchLogsPerGbIngested: 0.5,
} as const;

/** Assumptions the bench cannot measure here; each is named in docs/performance.md. */
export const ASSUMPTIONS = {
  /** Round trip from the function to Cartesia's /access-token (not measurable offline). */
  cartesiaRoundTripMs: 50,
  /** Warm containers serving the traffic; each reads the secret once per cache window. */
  warmContainers: 2,
  /** A month of traffic: a million mints spread over 30 days. */
  secondsPerMonth: 30 * 24 * 3600,
  /** Lambda's START, END and REPORT lines per invocation (text format). */
  platformLogBytes: 260,
  /** One API Gateway access log line with the stack's JSON standard fields. */
  accessLogBytes: 300,
  /** Memory at which Lambda gives a function one full vCPU; CPU share scales with memory below it. */
  fullVcpuMb: 1769,
} as const;

export interface MeasuredFigures {
  /** CPU per warm request, in ms, on one full core: ours and the naive implementation's. */
  readonly cpuMs: number;
  readonly naiveCpuMs: number;
  /** Log bytes the function writes per mint. */
  readonly logBytesPerMint: number;
}

export interface CostLine {
  readonly item: string;
  readonly ours: number;
  readonly naive: number;
  readonly basis: string;
}

/** Warm duration at a memory size: CPU work slowed by the CPU share, plus the wait for Cartesia. */
export function warmDurationMs(cpuMs: number, memoryMb: number): number {
  const slowdown = Math.max(1, ASSUMPTIONS.fullVcpuMb / memoryMb);
  return cpuMs * slowdown + ASSUMPTIONS.cartesiaRoundTripMs;
}

const gbSecondCost = (durationMs: number, memoryMb: number) =>
  (Math.ceil(durationMs) / 1000) * (memoryMb / 1024) * PRICES.lambdaArm64PerGbSecond * 1e6;

export function costPerMillion(figures: MeasuredFigures, memoryMb = MINT_TOKEN_MEMORY_MB): CostLine[] {
  const { secretCacheSeconds } = parseServiceConfig({ allowedOrigins: ['https://app.example.com'] });
  const secretReads = Math.min(
    1e6,
    ASSUMPTIONS.warmContainers * Math.ceil(ASSUMPTIONS.secondsPerMonth / secretCacheSeconds),
  );
  const duration = warmDurationMs(figures.cpuMs, memoryMb);
  const logBytes = figures.logBytesPerMint + ASSUMPTIONS.platformLogBytes + ASSUMPTIONS.accessLogBytes;
  const logCost = (bytes: number) => ((bytes * 1e6) / 1024 ** 3) * PRICES.cloudWatchLogsPerGbIngested;
  return [
    {
      item: 'API Gateway REST requests',
      ours: PRICES.apiGatewayRestPerMillionRequests,
      naive: PRICES.apiGatewayRestPerMillionRequests,
      basis: `$${PRICES.apiGatewayRestPerMillionRequests} per million`,
    },
    {
      item: 'Lambda requests',
      ours: PRICES.lambdaPerMillionRequests,
      naive: PRICES.lambdaPerMillionRequests,
      basis: `$${PRICES.lambdaPerMillionRequests} per million`,
    },
    {
      item: `Lambda arm64 compute at ${memoryMb} MB`,
      ours: gbSecondCost(duration, memoryMb),
      // The naive implementation also waits for its secret read on every mint.
      naive: gbSecondCost(warmDurationMs(figures.naiveCpuMs, memoryMb) + SECRET_READ_LATENCY_MS, memoryMb),
      basis: `${Math.ceil(duration)} ms billed (${figures.cpuMs.toFixed(2)} ms CPU × ${(ASSUMPTIONS.fullVcpuMb / memoryMb).toFixed(1)} + ${ASSUMPTIONS.cartesiaRoundTripMs} ms Cartesia)`,
    },
    {
      item: 'Secrets Manager GetSecretValue',
      ours: (secretReads / 1e4) * PRICES.secretsManagerPer10kCalls,
      naive: (1e6 / 1e4) * PRICES.secretsManagerPer10kCalls,
      basis: `ours ${secretReads.toLocaleString('en-US')} reads (${ASSUMPTIONS.warmContainers} containers × one per ${secretCacheSeconds} s over 30 days); naive one per mint`,
    },
    {
      item: 'CloudWatch Logs ingestion',
      ours: logCost(logBytes),
      naive: logCost(ASSUMPTIONS.platformLogBytes + ASSUMPTIONS.accessLogBytes),
      basis: `${Math.round(logBytes)} B per mint: audit line ${Math.round(figures.logBytesPerMint)} B (measured) + platform ${ASSUMPTIONS.platformLogBytes} B + access log ${ASSUMPTIONS.accessLogBytes} B`,
    },
  ];
}

const dollars = (value: number) => `$${value.toFixed(value < 1 ? 3 : 2)}`;

export function costTable(figures: MeasuredFigures): string {
  const lines = costPerMillion(figures);
  const total = (pick: (line: CostLine) => number) => lines.reduce((sum, line) => sum + pick(line), 0);
  return markdownTable(
    ['per million mints (us-east-1)', 'ours', 'naive', 'basis'],
    [
      ...lines.map((line) => [line.item, dollars(line.ours), dollars(line.naive), line.basis]),
      [
        '**total**',
        `**${dollars(total((l) => l.ours))}**`,
        `**${dollars(total((l) => l.naive))}**`,
        `prices as of ${PRICES.asOf}`,
      ],
    ],
  );
}

/** Memory sizes side by side: modelled warm and cold durations, cost per million of compute. */
export function memoryTable(
  figures: MeasuredFigures & { readonly coldMs: number },
  sizes = [128, 256, 512, 1024],
): string {
  return markdownTable(
    ['memory', 'CPU share', 'warm mint (model)', 'cold start (model)', 'Lambda compute per million'],
    sizes.map((memoryMb) => {
      const slowdown = Math.max(1, ASSUMPTIONS.fullVcpuMb / memoryMb);
      const duration = warmDurationMs(figures.cpuMs, memoryMb);
      return [
        `${memoryMb} MB${memoryMb === MINT_TOKEN_MEMORY_MB ? ' (stack)' : ''}`,
        `${(100 / slowdown).toFixed(0)} %`,
        `${duration.toFixed(0)} ms`,
        `${(figures.coldMs * slowdown).toFixed(0)} ms`,
        dollars(gbSecondCost(duration, memoryMb)),
      ];
    }),
  );
}

if (require.main === module) {
  const { values } = parseArgs({
    options: {
      'cpu-ms': { type: 'string', default: '1.1' },
      'naive-cpu-ms': { type: 'string', default: '0.9' },
      'log-bytes': { type: 'string', default: '570' },
      'cold-ms': { type: 'string', default: '150' },
    },
  });
  const figures = {
    cpuMs: Number(values['cpu-ms']),
    naiveCpuMs: Number(values['naive-cpu-ms']),
    logBytesPerMint: Number(values['log-bytes']),
    coldMs: Number(values['cold-ms']),
  };
  console.log(`${costTable(figures)}\n\n${memoryTable(figures)}`);
}
