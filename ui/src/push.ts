import { notifyApi } from './api/notify.api.js';

/** The service worker that shows pushes (ui/public/sw.js); registered at start so the app is installable. */
export function registerServiceWorker(): void {
  if (!('serviceWorker' in navigator)) return;
  void navigator.serviceWorker.register('/sw.js').catch(() => undefined);
}

export type PushSupport = 'unsupported' | 'denied' | 'off' | 'on';

export async function pushState(): Promise<PushSupport> {
  if (!('serviceWorker' in navigator) || !('PushManager' in window) || !('Notification' in window)) return 'unsupported';
  if (Notification.permission === 'denied') return 'denied';
  const reg = await navigator.serviceWorker.getRegistration('/');
  return (await reg?.pushManager.getSubscription()) ? 'on' : 'off';
}

/**
 * Asks for permission only when the user pressed the button (a sensible moment, and browsers
 * refuse a prompt without a gesture), subscribes with the server's VAPID key and registers it.
 */
export async function enablePush(): Promise<PushSupport> {
  if ((await Notification.requestPermission()) !== 'granted') return 'denied';
  const reg = await navigator.serviceWorker.register('/sw.js');
  await navigator.serviceWorker.ready;
  const { publicKey } = await notifyApi.pushKey();
  const sub = await reg.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: publicKey });
  await notifyApi.subscribePush(sub.toJSON());
  return 'on';
}

export async function disablePush(): Promise<PushSupport> {
  const reg = await navigator.serviceWorker.getRegistration('/');
  const sub = await reg?.pushManager.getSubscription();
  if (sub) {
    await notifyApi.unsubscribePush(sub.endpoint);
    await sub.unsubscribe();
  }
  return 'off';
}
