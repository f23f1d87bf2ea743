import { reportsApi } from '../api/reports.api.js';
import type { ReportMessage, ReportState } from '../api/types.js';
import { call, type AppSocket } from './socket.js';

export const OPEN_REPORT_STATES: readonly ReportState[] = ['new', 'received', 'verifying'];
const WALL_REPORTS = 50;

/**
 * The wall's reports: on every (re)connect it joins the report rooms and reloads the newest
 * reports (what was missed while away), then applies `report:new` / `report:updated`. A user
 * who may not list reports (a technician on the wall) simply gets none.
 */
export function trackReports(socket: AppSocket, out: { set(list: ReportMessage[]): void; arrived(r: ReportMessage): void }): void {
  const byId = new Map<number, ReportMessage>();
  const publish = () => out.set([...byId.values()].sort((a, b) => b.id - a.id).slice(0, WALL_REPORTS));
  socket.on('connect', () => {
    void call(socket, 'reports:subscribe', {})
      .then(() => reportsApi.list({ limit: WALL_REPORTS }))
      .then((page) => {
        for (const r of page.items) byId.set(r.id, r);
        publish();
      })
      .catch(() => undefined); // not allowed to see reports: the panel stays empty
  });
  socket.on('report:new', (r) => {
    const known = byId.has(r.id);
    byId.set(r.id, r);
    publish();
    if (!known) out.arrived(r);
  });
  socket.on('report:updated', (r) => {
    byId.set(r.id, r);
    publish();
  });
}
