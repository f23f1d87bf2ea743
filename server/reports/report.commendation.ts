import type { Clock } from '../shared/clock.js';
import type { Period } from '../store/evaluation.repository.js';
import type { Repositories } from '../store/store.js';
import { percentile } from './report.evaluation.js';

/** Cameras that recorded at least this share of the period count as "stayed online". */
export const ONLINE_SHARE = 0.95;
const GROUP_KINDS = new Set(['residents_group', 'boarding_house', 'parish', 'border_club']);

/**
 * The basis for khen thưởng over a period: residents whose reports were handled (only handled
 * ones count, listed by name, never ranked by volume; those who opted out are not named),
 * camera owners whose cameras stayed online, and the groups that got the fastest response.
 */
export class Commendations {
  constructor(private readonly d: { store: Pick<Repositories, 'evaluation' | 'areas'>; clock: Clock }) {}

  async list(areaIds: number[], p: Period) {
    const ev = this.d.store.evaluation;
    const all = await this.d.store.areas.list();
    const name = (id: number) => all.find((a) => a.id === id)?.name ?? `#${id}`;
    const periodMs = Math.max(0, Math.min(p.to, this.d.clock.now()) - p.from);
    const residents = (await ev.handledByReporter(areaIds, p)).sort((a, b) => a.name.localeCompare(b.name, 'vi'));
    const cameraOwners = (await ev.ownedCameras(areaIds, p))
      .filter((c) => periodMs > 0 && c.recordedMs >= ONLINE_SHARE * periodMs)
      .map((c) => ({
        cameraId: c.id,
        cameraName: c.name,
        ownerName: c.ownerName,
        ownerKind: c.ownerKind,
        areaName: name(c.areaId),
        uptimePercent: Number(((100 * c.recordedMs) / periodMs).toFixed(1)),
      }))
      .sort((a, b) => a.ownerName.localeCompare(b.ownerName, 'vi'));
    const groups = (
      await Promise.all(
        all
          .filter((a) => GROUP_KINDS.has(a.kind) && areaIds.includes(a.id))
          .map(async (a) => {
            const closed = (await ev.reports(await this.d.store.areas.descendantIds(a.id), p)).filter((r) => r.closedAt !== null);
            return {
              areaId: a.id,
              areaName: a.name,
              kind: a.kind,
              reportsClosed: closed.length,
              resolveMedianMs: percentile(
                closed.map((r) => r.closedAt! - r.createdAt),
                0.5,
              ),
            };
          }),
      )
    )
      .filter((g) => g.reportsClosed > 0)
      .sort((a, b) => a.resolveMedianMs! - b.resolveMedianMs!);
    return { from: p.from, to: p.to, residents, cameraOwners, groups };
  }
}
