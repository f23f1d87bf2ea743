/**
 * The one place the UI talks HTTP. Every failure becomes an ApiError carrying the server's
 * stable `code`, `params` and `field`, so pages show a translated message and never the
 * server's English text.
 */
export class ApiError extends Error {
  constructor(
    readonly code: string,
    readonly status: number,
    readonly params: Record<string, unknown> = {},
    readonly field?: string,
  ) {
    super(code);
    this.name = 'ApiError';
  }
}

interface ErrorBody {
  error?: { code?: string; params?: Record<string, unknown>; field?: string };
}

type Listener = (err: ApiError) => void;
const unauthListeners = new Set<Listener>();

/** The app shell listens here: a 401 anywhere means the session ended, so go to the login page. */
export function onUnauthenticated(fn: Listener): () => void {
  unauthListeners.add(fn);
  return () => unauthListeners.delete(fn);
}

export interface RequestOptions {
  signal?: AbortSignal;
  /** Abort after this many ms and fail with code `timeout`. */
  timeoutMs?: number;
  /** Do not tell the shell about a 401 (the login and session calls handle it themselves). */
  quiet401?: boolean;
}

async function errorFrom(res: Response): Promise<ApiError> {
  const body = (await res.json().catch(() => ({}))) as ErrorBody;
  const e = body.error;
  return new ApiError(e?.code ?? `http_${res.status}`, res.status, e?.params ?? {}, e?.field);
}

function withTimeout(opts: RequestOptions): { signal?: AbortSignal; done(): void; timedOut(): boolean } {
  if (!opts.timeoutMs) return { signal: opts.signal, done: () => undefined, timedOut: () => false };
  const ctl = new AbortController();
  let expired = false;
  const timer = setTimeout(() => {
    expired = true;
    ctl.abort();
  }, opts.timeoutMs);
  opts.signal?.addEventListener('abort', () => ctl.abort(), { once: true });
  return { signal: ctl.signal, done: () => clearTimeout(timer), timedOut: () => expired };
}

/** Sends a request and returns the raw Response when it is 2xx. */
export async function send(method: string, url: string, body?: unknown, opts: RequestOptions = {}, accept = 'application/json'): Promise<Response> {
  const t = withTimeout(opts);
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      credentials: 'same-origin',
      // A FormData body (photos) sets its own multipart Content-Type with the boundary.
      headers: { Accept: accept, ...(body !== undefined && !(body instanceof FormData) ? { 'Content-Type': 'application/json' } : {}) },
      body: body instanceof FormData ? body : body !== undefined ? JSON.stringify(body) : undefined,
      signal: t.signal,
    });
  } catch (err) {
    if (t.timedOut()) throw new ApiError('timeout', 0, { seconds: Math.round((opts.timeoutMs ?? 0) / 1000) });
    if (err instanceof DOMException && err.name === 'AbortError') throw new ApiError('aborted', 0);
    throw new ApiError('network', 0);
  } finally {
    t.done();
  }
  if (res.ok) return res;
  const err = await errorFrom(res);
  // Only `unauthenticated` means the session ended: a camera refusing its password is a 401 too.
  if (res.status === 401 && err.code === 'unauthenticated' && !opts.quiet401) for (const fn of unauthListeners) fn(err);
  throw err;
}

export async function request<T>(method: string, url: string, body?: unknown, opts: RequestOptions = {}): Promise<T> {
  const res = await send(method, url, body, opts);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

export const getJson = <T>(url: string, opts?: RequestOptions) => request<T>('GET', url, undefined, opts);
export const postJson = <T>(url: string, body?: unknown, opts?: RequestOptions) => request<T>('POST', url, body ?? {}, opts);
export const patchJson = <T>(url: string, body: unknown, opts?: RequestOptions) => request<T>('PATCH', url, body, opts);

/** `?a=1&b=x` from the defined, non-empty values of an object. */
export function query(params: Record<string, string | number | boolean | undefined | null>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}
