/** The evaluation report's vocabulary, shared with ui/ so the page and the CSV write numbers the same way. */
/**
 * The movement's criteria made measurable, per area (the area and everything under it) and
 * period: alerts and reports received, time to first action and to close (median and p90,
 * nearest rank), the share of reports closed within the target time, false-alarm and unfounded
 * rates, cameras registered / online now / recorded share of the period, and residents active.
 */
export interface AreaEvaluation {
  areaId: number;
  areaName: string;
  alertsReceived: number;
  alertAckMedianMs: number | null;
  alertAckP90Ms: number | null;
  alertResolveMedianMs: number | null;
  alertResolveP90Ms: number | null;
  /** false alarms / closed alerts */
  falseAlarmRate: number | null;
  reportsReceived: number;
  reportReceiveMedianMs: number | null;
  reportReceiveP90Ms: number | null;
  reportResolveMedianMs: number | null;
  reportResolveP90Ms: number | null;
  /** The area's target time for feedback (its own, else the nearest area above's, else the server's), in minutes. */
  targetMinutes: number;
  /** reports closed within the area's target time / reports received */
  reportsWithinTarget: number | null;
  reportsHandled: number;
  /** unfounded / closed reports */
  unfoundedRate: number | null;
  camerasRegistered: number;
  camerasOnline: number;
  /** recorded time / (cameras × the period so far), in % */
  uptimePercent: number | null;
  /** distinct residents who filed a report or commented on an event */
  residentsActive: number;
}

export const EVALUATION_COLUMNS = [
  'alertsReceived',
  'alertAckMedianMs',
  'alertAckP90Ms',
  'alertResolveMedianMs',
  'alertResolveP90Ms',
  'falseAlarmRate',
  'reportsReceived',
  'reportReceiveMedianMs',
  'reportReceiveP90Ms',
  'reportResolveMedianMs',
  'reportResolveP90Ms',
  'targetMinutes',
  'reportsWithinTarget',
  'reportsHandled',
  'unfoundedRate',
  'camerasRegistered',
  'camerasOnline',
  'uptimePercent',
  'residentsActive',
] as const satisfies readonly (keyof AreaEvaluation)[];

/** How a number is written in the CSV and on the page: durations in minutes, rates in percent (one decimal). */
export function evaluationCell(key: (typeof EVALUATION_COLUMNS)[number], v: number | null): string {
  if (v === null) return '';
  if (key.endsWith('Ms')) return String(Math.round(v / 6_000) / 10);
  if (key.endsWith('Rate') || key === 'reportsWithinTarget') return String(Math.round(v * 1000) / 10);
  return String(v);
}
/** The CSV header: durations say minutes, rates percent. */
export const csvHeader = (key: string) =>
  key
    .replace(/Ms$/, 'Min')
    .replace(/Rate$/, 'Percent')
    .replace(/^reportsWithinTarget$/, 'reportsWithinTargetPercent');
