/* global self */
/* BinhYen service worker (issue 14): shows Web Push notifications and opens the alert on a tap.
 * No caching: the control panel is live data, and an old cached shell would hide new alerts. */
self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('push', (event) => {
  let m = { title: 'BinhYen', body: '', url: '/', image: null, tag: 'binhyen', count: 1 };
  try {
    m = { ...m, ...event.data.json() };
  } catch {
    m.body = event.data ? event.data.text() : '';
  }
  event.waitUntil(
    self.registration.showNotification(m.title, {
      body: m.body,
      icon: '/icons/icon-192.png',
      badge: '/icons/icon-192.png',
      image: m.image || undefined,
      tag: m.tag,
      renotify: true,
      lang: 'vi',
      data: { url: m.url },
    }),
  );
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = new URL((event.notification.data && event.notification.data.url) || '/', self.location.origin).href;
  event.waitUntil(
    self.clients.matchAll({ type: 'window', includeUncontrolled: true }).then((wins) => {
      const open = wins.find((w) => w.url === url);
      if (open) return open.focus();
      return self.clients.openWindow(url);
    }),
  );
});
