import { useState } from 'react';
import type { ClipView } from '../api/types.js';
import { formatBytes } from '../i18n/i18n.js';
import { useI18n } from '../i18n/I18nProvider.js';

/**
 * Poster first, video on demand: on a phone over a weak link nothing but the poster loads
 * until the user asks to play. The server answers Range requests, so seeking works.
 */
export function ClipPlayer({ clip, canDownload }: { clip: ClipView | null; canDownload: boolean }) {
  const { t, lang } = useI18n();
  const [playing, setPlaying] = useState(false);
  if (!clip)
    return (
      <div className="player empty">
        <span className="muted">{t('clip.none')}</span>
      </div>
    );
  if (clip.state === 'pending')
    return (
      <div className="player empty">
        <span className="muted">{t('clip.pending')}</span>
      </div>
    );
  if (clip.state === 'failed' || !clip.videoUrl) {
    return (
      <div className="player empty">
        <span className="muted">{clip.deletedAt !== null ? t('clip.deleted') : t('clip.failed')}</span>
      </div>
    );
  }
  const seconds = clip.durationMs !== null ? Math.round(clip.durationMs / 1000) : null;
  return (
    <div className="player-wrap">
      <div className="player">
        {playing ? (
          <video
            data-testid="clip-video"
            src={clip.videoUrl}
            poster={clip.posterUrl ?? undefined}
            controls
            autoPlay
            playsInline
            preload="metadata"
            width={640}
            height={360}
          />
        ) : (
          <button type="button" className="poster" data-testid="clip-play" onClick={() => setPlaying(true)} aria-label={t('clip.play')}>
            {clip.posterUrl ? (
              <img src={clip.posterUrl} alt="" width={640} height={360} decoding="async" />
            ) : (
              <span className="muted">{t('clip.noPoster')}</span>
            )}
            <span className="play-icon" aria-hidden="true">
              ▶
            </span>
          </button>
        )}
      </div>
      <p className="muted clip-info">
        {seconds !== null && t('clip.duration', { seconds })} · {formatBytes(lang, clip.bytes)}
        {canDownload && (
          <>
            {' '}
            · <a href={`/api/clips/${clip.id}/download`}>{t('clip.download')}</a>
          </>
        )}
        {clip.pinned && <> · {t('event.pinned')}</>}
      </p>
    </div>
  );
}
