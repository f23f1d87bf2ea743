import { areaChain } from '../auth/access.policy.js';
import type { Clock } from '../shared/clock.js';
import type { Area } from '../store/area.repository.js';
import type { Period, ReportCase, TimedCase } from '../store/evaluation.repository.js';
import type { Repositories } from '../store/store.js';
import { csvHeader, EVALUATION_COLUMNS, evaluationCell, type AreaEvaluation } from '../domain/evaluation.js';

export type { AreaEvaluation };

/** Nearest-rank percentile (p in 0…1) of the values; null for none. */
export function percentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(0, Math.ceil(p * sorted.length) - 1)]!;
}

const ratio = (n: number, d: number, digits = 4) => (d === 0 ? null : Number((n / d).toFixed(digits)));
const waits = (cases: TimedCase[], end: 'firstActionAt' | 'closedAt') => cases.flatMap((c) => (c[end] !== null ? [c[end] - c.createdAt] : []));

export function evaluateCases(
  a: { alerts: TimedCase[]; reports: ReportCase[]; cameras: { state: string }[]; recordedMs: number; commenters: number[] },
  o: { targetMs: number; periodMs: number },
): Omit<AreaEvaluation, 'areaId' | 'areaName' | 'targetMinutes'> {
  const closedAlerts = a.alerts.filter((x) => x.closedAt !== null);
  const closedReports = a.reports.filter((x) => x.closedAt !== null);
  const [ack, alertResolve, receive, resolve] = [
    waits(a.alerts, 'firstActionAt'),
    waits(a.alerts, 'closedAt'),
    waits(a.reports, 'firstActionAt'),
    waits(a.reports, 'closedAt'),
  ];
  const active = new Set([...a.reports.flatMap((r) => (r.reporterId !== null ? [r.reporterId] : [])), ...a.commenters]);
  return {
    alertsReceived: a.alerts.length,
    alertAckMedianMs: percentile(ack, 0.5),
    alertAckP90Ms: percentile(ack, 0.9),
    alertResolveMedianMs: percentile(alertResolve, 0.5),
    alertResolveP90Ms: percentile(alertResolve, 0.9),
    falseAlarmRate: ratio(closedAlerts.filter((x) => x.state === 'false_alarm').length, closedAlerts.length),
    reportsReceived: a.reports.length,
    reportReceiveMedianMs: percentile(receive, 0.5),
    reportReceiveP90Ms: percentile(receive, 0.9),
    reportResolveMedianMs: percentile(resolve, 0.5),
    reportResolveP90Ms: percentile(resolve, 0.9),
    reportsWithinTarget: ratio(resolve.filter((ms) => ms <= o.targetMs).length, a.reports.length),
    reportsHandled: a.reports.filter((r) => r.state === 'handled').length,
    unfoundedRate: ratio(closedReports.filter((r) => r.state === 'unfounded').length, closedReports.length),
    camerasRegistered: a.cameras.length,
    camerasOnline: a.cameras.filter((c) => c.state === 'online').length,
    uptimePercent: a.cameras.length && o.periodMs > 0 ? Number(((100 * a.recordedMs) / (a.cameras.length * o.periodMs)).toFixed(2)) : null,
    residentsActive: active.size,
  };
}

/** The area's target time for feedback: its own, else the nearest area above that has one, else the server's default. */
export function targetOf(all: readonly Area[], areaId: number, fallbackMs: number): number {
  const byId = new Map(all.map((a) => [a.id, a]));
  for (const id of areaChain(all, areaId)) {
    const minutes = byId.get(id)?.feedbackTargetMinutes;
    if (minutes !== null && minutes !== undefined) return minutes * 60_000;
  }
  return fallbackMs;
}

export interface EvaluationDeps {
  store: Pick<Repositories, 'evaluation' | 'areas'>;
  clock: Clock;
  targetMs: number;
}

export class ReportEvaluation {
  constructor(private readonly d: EvaluationDeps) {}

  /** One row per area in `areaIds`, each over the area and everything under it. */
  async evaluate(areaIds: number[], p: Period): Promise<{ from: number; to: number; targetMs: number; areas: AreaEvaluation[] }> {
    const all = await this.d.store.areas.list();
    const periodMs = Math.max(0, Math.min(p.to, this.d.clock.now()) - p.from);
    const rows = await Promise.all(
      areaIds.map(async (id) => {
        const ids = await this.d.store.areas.descendantIds(id);
        const ev = this.d.store.evaluation;
        const [alerts, reports, cameras, commenters] = await Promise.all([ev.alerts(ids, p), ev.reports(ids, p), ev.cameras(ids), ev.commenters(ids, p)]);
        const recordedMs = await ev.recordedMs(
          cameras.map((c) => c.id),
          p,
        );
        const targetMs = targetOf(all, id, this.d.targetMs);
        const numbers = evaluateCases({ alerts, reports, cameras, recordedMs, commenters }, { targetMs, periodMs });
        return { areaId: id, areaName: all.find((a) => a.id === id)?.name ?? `#${id}`, targetMinutes: Math.round(targetMs / 60_000), ...numbers };
      }),
    );
    return { from: p.from, to: p.to, targetMs: this.d.targetMs, areas: rows };
  }
}

/** CSV (RFC 4180, UTF-8 with BOM so spreadsheet programs read Vietnamese names): one row per area, written as the page shows them. */
export function evaluationCsv(rows: AreaEvaluation[]): string {
  const quote = (s: string) => (/[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s);
  const lines = [['areaId', 'areaName', ...EVALUATION_COLUMNS.map(csvHeader)].join(',')];
  for (const r of rows) lines.push([String(r.areaId), r.areaName, ...EVALUATION_COLUMNS.map((k) => evaluationCell(k, r[k]))].map(quote).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}
