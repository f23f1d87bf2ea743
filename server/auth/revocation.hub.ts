/**
 * Tells whoever holds long-lived connections (the socket layer) that sessions ended, so a
 * logout, password change, disable or role/area change cuts open sockets at once instead of
 * at the next periodic re-check.
 */
export type Revocation = { kind: 'user'; userId: number } | { kind: 'session'; sessionHash: string };

export class RevocationHub {
  private readonly listeners = new Set<(r: Revocation) => void>();

  on(fn: (r: Revocation) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  user(userId: number): void {
    this.emit({ kind: 'user', userId });
  }

  session(sessionHash: string): void {
    this.emit({ kind: 'session', sessionHash });
  }

  private emit(r: Revocation): void {
    for (const fn of this.listeners) fn(r);
  }
}
