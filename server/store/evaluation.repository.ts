import type { Executor } from './db.js';
import { toNumberOrNull } from './repository.util.js';

/** One alert or report as the evaluation needs it: when it came, when someone first acted, when it closed. */
export interface TimedCase {
  id: number;
  state: string;
  createdAt: number;
  firstActionAt: number | null;
  closedAt: number | null;
}
export interface ReportCase extends TimedCase {
  reporterId: number | null;
}
export interface Period {
  from: number;
  to: number;
}

type Row = Record<string, unknown>;
const timed = (r: Row): TimedCase => ({
  id: Number(r.id),
  state: String(r.state),
  createdAt: Number(r.created_at),
  firstActionAt: toNumberOrNull(r.first_action_at as number | null),
  closedAt: toNumberOrNull(r.closed_at as number | null),
});

/** The evaluation's raw figures for a set of areas and a period (server/reports/report.evaluation.ts computes the numbers). */
export class EvaluationRepository {
  constructor(private readonly db: Executor) {}

  /** Camera alerts raised in the period (system alerts belong to no area). */
  async alerts(areaIds: number[], p: Period): Promise<TimedCase[]> {
    const first = this.db('alert_history').min('at').whereRaw('alert_history.alert_id = alerts.id').whereNotNull('from_state').as('first_action_at');
    const rows = (await this.db('alerts')
      .select('id', 'state', 'created_at', 'closed_at', first)
      .whereIn('area_id', areaIds)
      .where('created_at', '>=', p.from)
      .where('created_at', '<', p.to)) as Row[];
    return rows.map(timed);
  }

  async reports(areaIds: number[], p: Period): Promise<ReportCase[]> {
    const first = this.db('report_history').min('at').whereRaw('report_history.report_id = reports.id').whereNotNull('from_state').as('first_action_at');
    const rows = (await this.db('reports')
      .select('id', 'state', 'reporter_id', 'created_at', 'closed_at', first)
      .whereIn('area_id', areaIds)
      .where('created_at', '>=', p.from)
      .where('created_at', '<', p.to)) as Row[];
    return rows.map((r) => ({ ...timed(r), reporterId: toNumberOrNull(r.reporter_id as number | null) }));
  }

  /** Registered (not removed) cameras of the areas with their state now. */
  async cameras(areaIds: number[]): Promise<{ id: number; state: string }[]> {
    const rows = (await this.db('cameras').select('id', 'state').whereIn('area_id', areaIds).whereNull('removed_at')) as Row[];
    return rows.map((r) => ({ id: Number(r.id), state: String(r.state) }));
  }

  /**
   * Recorded milliseconds inside the period, all cameras together: whole segments summed in
   * SQL, the few that straddle an edge clipped here (no LEAST/GREATEST: SQLite lacks them).
   */
  async recordedMs(cameraIds: number[], p: Period): Promise<number> {
    if (!cameraIds.length) return 0;
    const [inside] = (await this.db('recordings')
      .whereIn('camera_id', cameraIds)
      .where('start_at', '>=', p.from)
      .where('end_at', '<=', p.to)
      .sum({ ms: this.db.raw('end_at - start_at') })) as Row[];
    const edges = (await this.db('recordings')
      .select('start_at', 'end_at')
      .whereIn('camera_id', cameraIds)
      .where('end_at', '>', p.from)
      .where('start_at', '<', p.to)
      .where((w) => w.where('start_at', '<', p.from).orWhere('end_at', '>', p.to))) as Row[];
    const clipped = edges.reduce((sum, r) => sum + Math.max(0, Math.min(Number(r.end_at), p.to) - Math.max(Number(r.start_at), p.from)), 0);
    return Number(inside?.ms ?? 0) + clipped;
  }

  /** Residents who commented on or flagged this area's events in the period. */
  async commenters(areaIds: number[], p: Period): Promise<number[]> {
    const rows = (await this.db('event_comments')
      .join('events', 'events.id', 'event_comments.event_id')
      .distinct('event_comments.user_id')
      .whereIn('events.area_id', areaIds)
      .whereNotNull('event_comments.user_id')
      .where('event_comments.created_at', '>=', p.from)
      .where('event_comments.created_at', '<', p.to)) as Row[];
    return rows.map((r) => Number(r.user_id));
  }

  /** Residents with reports handled in the period (those who opted out left out), with how many. */
  async handledByReporter(areaIds: number[], p: Period): Promise<{ userId: number; name: string; handled: number }[]> {
    const rows = (await this.db('reports')
      .join('users', 'users.id', 'reports.reporter_id')
      .whereIn('reports.area_id', areaIds)
      .where('reports.state', 'handled')
      .where('reports.created_at', '>=', p.from)
      .where('reports.created_at', '<', p.to)
      .where('users.commend_opt_out', false)
      .groupBy('users.id', 'users.display_name')
      .select({ user_id: 'users.id', name: 'users.display_name' })
      .count({ n: 'reports.id' })) as Row[];
    return rows.map((r) => ({ userId: Number(r.user_id), name: String(r.name), handled: Number(r.n) }));
  }

  /** Cameras with a recorded owner, each with its recorded milliseconds in the period. */
  async ownedCameras(
    areaIds: number[],
    p: Period,
  ): Promise<{ id: number; name: string; ownerName: string; ownerKind: string | null; areaId: number; recordedMs: number }[]> {
    const cams = (await this.db('cameras')
      .whereIn('area_id', areaIds)
      .whereNull('removed_at')
      .whereNotNull('owner_name')
      .select('id', 'name', 'owner_name', 'owner_kind', 'area_id')) as Row[];
    return Promise.all(
      cams.map(async (c) => ({
        id: Number(c.id),
        name: String(c.name),
        ownerName: String(c.owner_name),
        ownerKind: (c.owner_kind as string | null) ?? null,
        areaId: Number(c.area_id),
        recordedMs: await this.recordedMs([Number(c.id)], p),
      })),
    );
  }

  async optOut(userId: number): Promise<boolean> {
    const row = (await this.db('users').where({ id: userId }).first('commend_opt_out')) as Row | undefined;
    return row?.commend_opt_out === true || row?.commend_opt_out === 1;
  }

  async setOptOut(userId: number, optOut: boolean): Promise<void> {
    await this.db('users').where({ id: userId }).update({ commend_opt_out: optOut });
  }
}
