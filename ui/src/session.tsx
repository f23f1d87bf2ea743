import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ACCESS_MATRIX, type Action } from '../../server/api/api.types.js';
import { api } from './api/endpoints.js';
import { onUnauthenticated } from './api/http.js';
import type { SessionInfo, UserView } from './api/types.js';

/**
 * Who is signed in, and what they may do. `can` reads the server's own access matrix (the
 * same data the server enforces), so the UI offers exactly the actions that will be allowed;
 * the server still decides.
 */
export interface Session {
  loading: boolean;
  /** Set when the session call itself failed (server down): the shell shows a retry. */
  failed: unknown;
  info: SessionInfo | null;
  user: UserView | null;
  refresh(): Promise<void>;
  signedIn(user: UserView): void;
  signOut(): Promise<void>;
  can(action: Action): boolean;
  /** Police and admins see everything; residents only what was shared with their areas. */
  full: boolean;
}

const Ctx = createContext<Session | null>(null);

export function canDo(user: UserView | null, action: Action): boolean {
  if (!user) return false;
  return user.roles.some((r) => ACCESS_MATRIX[action].access[r] !== 'deny');
}

export function SessionProvider({ children }: { children: ReactNode }) {
  const [info, setInfo] = useState<SessionInfo | null>(null);
  const [loading, setLoading] = useState(true);
  const [failed, setFailed] = useState<unknown>(null);

  const refresh = useCallback(async () => {
    try {
      setInfo(await api.session());
      setFailed(null);
    } catch (err) {
      setFailed(err);
    } finally {
      setLoading(false);
    }
  }, []);

  useEffect(() => {
    void refresh();
    return onUnauthenticated(() => setInfo((i) => (i ? { ...i, user: null, expiresAt: null } : i)));
  }, [refresh]);

  const value = useMemo<Session>(() => {
    const user = info?.user ?? null;
    return {
      loading,
      failed,
      info,
      user,
      refresh,
      signedIn: (u) => setInfo({ setupRequired: false, user: u, expiresAt: null }),
      signOut: async () => {
        try {
          await api.logout();
        } finally {
          setInfo((i) => ({ setupRequired: i?.setupRequired ?? false, user: null, expiresAt: null }));
        }
      },
      can: (action) => canDo(user, action),
      full: !!user && user.roles.some((r) => r === 'admin' || r === 'police'),
    };
  }, [info, loading, failed, refresh]);
  return <Ctx.Provider value={value}>{children}</Ctx.Provider>;
}

export function useSession(): Session {
  const v = useContext(Ctx);
  if (!v) throw new Error('useSession outside SessionProvider');
  return v;
}
