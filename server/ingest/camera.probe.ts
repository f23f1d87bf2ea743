import net from 'node:net';
import type { Failure } from './ffmpeg.stderr.js';
import type { SourceSpec } from './stream.source.js';

/**
 * A cheap look at whether a camera answers, without ffmpeg: for RTSP an OPTIONS request (no
 * credentials: cameras answer it, or say 401, either way they are up), for HTTP sources a TCP
 * connection. Used while a session waits out its backoff (restart as soon as a camera that was
 * down answers) and to tell a camera that accepted the connection but sent nothing from one
 * that sent something ffmpeg could not read.
 *   answers: bytes came back (or, for HTTP, the connection was accepted)
 *   silent:  the connection was accepted, nothing came back within the timeout
 *   down:    no connection (refused, unreachable, timed out)
 */
export type ProbeAnswer = 'answers' | 'silent' | 'down';

const DEFAULT_PORT: Record<string, number> = { 'rtsp:': 554, 'rtsps:': 322, 'http:': 80, 'https:': 443 };

/** Undefined for sources that are not on the network (files, lavfi). */
export function probeSource(src: SourceSpec, timeoutMs: number): Promise<ProbeAnswer> | undefined {
  if (src.kind === 'file' || src.kind === 'lavfi') return undefined;
  let url: URL;
  try {
    url = new URL(src.url);
  } catch {
    return undefined;
  }
  const port = Number(url.port) || DEFAULT_PORT[url.protocol];
  if (!port) return undefined;
  // rtsps needs TLS first: a TCP connection is all this checks for it.
  const request =
    url.protocol === 'rtsp:' ? `OPTIONS ${url.protocol}//${url.host}${url.pathname} RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: BinhYen\r\n\r\n` : undefined;
  return probeTcp(url.hostname.replace(/^\[|\]$/g, ''), port, request, timeoutMs);
}

export function probeTcp(host: string, port: number, request: string | undefined, timeoutMs: number): Promise<ProbeAnswer> {
  return new Promise((resolve) => {
    let connected = false;
    const socket = net.connect({ host, port });
    const done = (a: ProbeAnswer) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(a);
    };
    const timer = setTimeout(() => done(connected ? 'silent' : 'down'), timeoutMs);
    socket.once('connect', () => {
      connected = true;
      if (request === undefined) done('answers');
      else socket.write(request);
    });
    socket.once('data', () => done('answers'));
    socket.once('error', () => done(connected ? 'silent' : 'down'));
    // Closed without a byte: it took the connection and said nothing.
    socket.once('close', () => done(connected ? 'silent' : 'down'));
  });
}

/**
 * ffmpeg reports a camera that accepts the connection and then sends nothing exactly like one
 * that sends garbage ("Invalid data found when processing input"). When a run ended that way
 * before any stream was seen, ask the camera ourselves; undefined when it did answer.
 */
export async function silentCameraFailure(src: SourceSpec, where: string, timeoutMs: number): Promise<Failure | undefined> {
  const answer = await probeSource(src, timeoutMs);
  if (answer !== 'silent') return undefined;
  return { code: 'no_data', fatal: false, message: `the camera accepted the connection but sent nothing (${where})` };
}
