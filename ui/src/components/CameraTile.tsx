import type { CameraDisplayState } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { LiveVideo } from './LiveVideo.js';
import { StateBadge } from './common.js';

export interface TileCamera {
  id: number;
  name: string;
  areaName: string;
  display: CameraDisplayState;
  demo: boolean;
}

/** One camera on the wall. A flash is an outline animation: it never changes the tile's size. */
export function CameraTile({ camera, flashAlertId, onSelect, onOpen }: { camera: TileCamera; flashAlertId?: number; onSelect?(): void; onOpen?(): void }) {
  const { t } = useI18n();
  const flashing = flashAlertId !== undefined;
  return (
    <figure
      className={`tile ${camera.display}${flashing ? ' flash' : ''}`}
      data-camera-id={camera.id}
      data-flash={flashing ? flashAlertId : undefined}
      aria-label={`${camera.name} – ${camera.areaName}`}
    >
      <div className="tile-media">
        <LiveVideo key={camera.id} cameraId={camera.id} name={camera.name} />
        {onOpen && <button type="button" className="tile-open" onClick={onOpen} aria-label={t('wall.openCamera', { name: camera.name })} />}
      </div>
      <figcaption>
        <span className="tile-name">
          {onSelect ? (
            <button type="button" className="link" onClick={onSelect}>
              {camera.name}
            </button>
          ) : (
            <strong>{camera.name}</strong>
          )}
          {camera.demo && <em className="muted"> ({t('camera.demo')})</em>}
        </span>
        <span className="tile-meta">
          <span className="muted">{camera.areaName}</span>
          <StateBadge state={camera.display} />
        </span>
      </figcaption>
      {flashing && (
        <span className="tile-alert" role="status">
          {t('wall.newAlert')}
        </span>
      )}
    </figure>
  );
}
