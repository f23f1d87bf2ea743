import { useEffect, useState } from 'react';
import { ApiError, getJson, type CameraView, type HealthBody } from './api.js';
import { translate, translateError, type Lang, type MessageKey } from './i18n.js';

const REFRESH_MS = 2000;

export function App() {
  const [lang, setLang] = useState<Lang>('vi');
  const t = (k: MessageKey) => translate(lang, k);
  const [health, setHealth] = useState<HealthBody | null>(null);
  const [cameras, setCameras] = useState<CameraView[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    let alive = true;
    const load = async () => {
      try {
        const [h, c] = await Promise.all([getJson<HealthBody>('/api/health'), getJson<{ cameras: CameraView[] }>('/api/cameras')]);
        if (!alive) return;
        setHealth(h);
        setCameras(c.cameras);
        setError(null);
      } catch (err) {
        if (alive) setError(err instanceof ApiError ? translateError(lang, err.code) : translateError(lang, 'network'));
      }
      if (alive) setTick((n) => n + 1);
    };
    void load();
    const timer = setInterval(load, REFRESH_MS);
    return () => {
      alive = false;
      clearInterval(timer);
    };
  }, [lang]);

  return (
    <main>
      <header>
        <h1>{t('title')}</h1>
        <button type="button" onClick={() => setLang(lang === 'vi' ? 'en' : 'vi')}>{t('language')}</button>
      </header>
      {error && <p role="alert" className="error">{error}</p>}
      {health && (
        <section aria-label={t('health')} className="health">
          <span>{t('version')}: {health.version}</span>
          <span>{t('uptime')}: {health.uptimeSeconds} {t('seconds')}</span>
          <span>{t('database')}: {health.db.ok ? t('ok') : t('down')} ({health.db.client})</span>
          <span>{t('detector')}: {health.detector.backend ?? t('none')}</span>
          <span>{t('cameras')}: {health.cameras.online} {t('online')} · {health.cameras.interrupted} {t('interrupted')} · {health.cameras.offline} {t('offline')}</span>
        </section>
      )}
      <section className="grid">
        {cameras.length === 0 && <p>{t('noCameras')}</p>}
        {cameras.map((c) => (
          <figure key={c.id} className={`tile ${c.display}`} data-camera-id={c.id}>
            <img src={`/api/cameras/${c.id}/live.jpg?t=${tick}`} alt={c.name} width={640} height={360} onError={(e) => ((e.target as HTMLImageElement).style.visibility = 'hidden')} onLoad={(e) => ((e.target as HTMLImageElement).style.visibility = 'visible')} />
            <figcaption>
              <strong>{c.name}</strong> {c.demo && <em>({t('demo')})</em>} <span className={`badge ${c.display}`}>{t(c.display)}</span>
            </figcaption>
          </figure>
        ))}
      </section>
    </main>
  );
}
