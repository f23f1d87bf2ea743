import type { FormEvent, ReactNode } from 'react';
import { LanguageSwitch } from './LanguageSwitch.js';

/** The signed-out pages (login, first-run setup): a centred form with its title and the language switch. */
export function AuthCard({ id, title, onSubmit, children }: { id: string; title: string; onSubmit(e: FormEvent): void; children: ReactNode }) {
  return (
    <main className="auth-page">
      <form className="auth-card" onSubmit={onSubmit} aria-labelledby={`${id}-title`}>
        <div className="auth-head">
          <h1 id={`${id}-title`}>{title}</h1>
          <LanguageSwitch />
        </div>
        {children}
      </form>
    </main>
  );
}
