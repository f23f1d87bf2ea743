import { useEffect, useRef } from 'react';
import type { AnnouncementMessage, ReportMessage } from '../api/types.js';
import { call, connectSocket } from './socket.js';

/**
 * Live reports for a page: police hear new and changed reports of their areas; a reporter's
 * own socket hears the public changes of their own reports (the server's user room), so
 * `reports:subscribe` being refused or empty is fine. `onReconnect` reloads what was missed.
 */
export function useReportLive(on: { report(r: ReportMessage, isNew: boolean): void; reconnect?(): void }): void {
  const handlers = useRef(on);
  handlers.current = on;
  useEffect(() => {
    const socket = connectSocket();
    let first = true;
    socket.on('connect', () => {
      call(socket, 'reports:subscribe', {}).catch((err: unknown) => console.warn('report rooms unavailable', err));
      if (!first) handlers.current.reconnect?.();
      first = false;
    });
    socket.on('report:new', (r) => handlers.current.report(r, true));
    socket.on('report:updated', (r) => handlers.current.report(r, false));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);
}

/** Announcements reaching the user's areas, live (the page or badge reloads counts itself). */
export function useAnnouncementLive(on: (a: AnnouncementMessage) => void): void {
  const handler = useRef(on);
  handler.current = on;
  useEffect(() => {
    const socket = connectSocket();
    socket.on('connect', () => {
      call(socket, 'announcements:subscribe', {}).catch((err: unknown) => console.warn('announcement rooms unavailable', err));
    });
    socket.on('announcement:new', (a) => handler.current(a));
    return () => {
      socket.removeAllListeners();
      socket.disconnect();
    };
  }, []);
}
