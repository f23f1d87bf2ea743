import { query, send } from '../api/http.js';
import type { AlertMessage, ListPage } from '../api/types.js';
import type { AlertFeed } from './alert.feed.js';
import { call, type AppSocket } from './socket.js';

export const INITIAL_PAGE = 100;
const MAX_CATCH_UP_PAGES = 3;

/** Newest alerts by REST, with the server's clock from the Date header for the first catch-up. */
async function newest(limit: number): Promise<{ items: AlertMessage[]; serverTime: number | undefined }> {
  const res = await send('GET', `/api/alerts${query({ limit, sort: '-id' })}`);
  const page = (await res.json()) as ListPage<AlertMessage>;
  const date = Date.parse(res.headers.get('date') ?? '');
  // Date has 1 s resolution: step back so nothing changed in that second is missed.
  return { items: page.items, serverTime: Number.isFinite(date) ? date - 2_000 : undefined };
}

/**
 * Brings the feed up to date after a (re)connect: the first time from the newest alerts (the
 * wall never replays history), then `alerts:subscribe` from the cursor (which also joins the
 * rooms), paging with `alerts:since`. A gap longer than a few pages starts again from the
 * newest. Returns the alerts that were new to the wall.
 */
export async function syncAlerts(socket: AppSocket, feed: AlertFeed, loaded: { current: boolean }): Promise<AlertMessage[]> {
  if (!loaded.current) {
    const first = await newest(INITIAL_PAGE);
    feed.reset(first.items, first.serverTime);
    loaded.current = true;
  }
  let page = await call(socket, 'alerts:subscribe', feed.beginCatchUp());
  const arrived = feed.applyCatchUp(page, true);
  for (let n = 1; page.more; n++) {
    if (n >= MAX_CATCH_UP_PAGES) {
      const again = await newest(INITIAL_PAGE);
      feed.reset(again.items, page.serverTime);
      feed.applyCatchUp({ alerts: [], changed: [], lastId: 0, more: false, serverTime: page.serverTime }, false);
      return arrived;
    }
    page = await call(socket, 'alerts:since', { afterId: page.lastId, limit: 200 });
    arrived.push(...feed.applyCatchUp(page, false));
  }
  return arrived;
}
