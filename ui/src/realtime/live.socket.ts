import { connectSocket, type AppSocket } from './socket.js';

/**
 * One socket for all live videos of the page, opened by the first and closed after the last
 * (the wall with 16 tiles holds one connection, not 16).
 */
let shared: AppSocket | null = null;
let users = 0;

export function acquireLiveSocket(): AppSocket {
  shared ??= connectSocket();
  users += 1;
  return shared;
}

export function releaseLiveSocket(): void {
  users -= 1;
  if (users > 0 || !shared) return;
  shared.close();
  shared = null;
}

/** The MSE type of an fMP4 init segment: the H.264 profile and level from its avcC box. */
export function mimeOfInit(init: Uint8Array): string {
  const at = indexOfAscii(init, 'avcC');
  if (at < 0) return 'video/mp4; codecs="avc1.42E01E"';
  const hex = (b: number) => b.toString(16).padStart(2, '0').toUpperCase();
  return `video/mp4; codecs="avc1.${hex(init[at + 5]!)}${hex(init[at + 6]!)}${hex(init[at + 7]!)}"`;
}

function indexOfAscii(b: Uint8Array, s: string): number {
  const codes = [...s].map((c) => c.charCodeAt(0));
  outer: for (let i = 0; i + codes.length <= b.length; i++) {
    for (let j = 0; j < codes.length; j++) if (b[i + j] !== codes[j]) continue outer;
    return i;
  }
  return -1;
}
