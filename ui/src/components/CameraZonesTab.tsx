import { useCallback, useEffect, useState } from 'react';
import { api } from '../api/endpoints.js';
import type { CameraView } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { BusyLine } from './BusyLine.js';
import { ErrorText } from './common.js';
import { PolygonEditor } from './PolygonEditor.js';
import { settingsWithShapes, shapesFromSettings, type Shape } from './polygon.model.js';
import { FRAME_LIMIT_MS } from './ProbePanel.js';
import { useTimedCall } from './useTimedCall.js';
import { useSubmit } from '../api/useSubmit.js';

/** The camera's picture: its live frame when it runs, else a test frame grabbed from the stream. */
function usePicture(camera: CameraView) {
  const [src, setSrc] = useState<string | null>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(
    camera.streams.detect.width && camera.streams.detect.height ? { w: camera.streams.detect.width, h: camera.streams.detect.height } : null,
  );
  const grab = useTimedCall<string>(FRAME_LIMIT_MS);
  const run = grab.run;
  const load = useCallback(async () => {
    const url = await run(async (signal) => {
      const live = await fetch(`/api/cameras/${camera.id}/live.jpg`, { credentials: 'same-origin', cache: 'no-store', signal });
      if (live.ok) return URL.createObjectURL(await live.blob());
      const f = await api.testRegistered(camera.id, 'detect', { signal });
      setSize({ w: f.width, h: f.height });
      return `data:image/jpeg;base64,${f.jpegBase64}`;
    });
    if (url)
      setSrc((old) => {
        if (old?.startsWith('blob:')) URL.revokeObjectURL(old);
        return url;
      });
  }, [camera.id, run]);
  useEffect(() => {
    void load();
  }, [load]);
  useEffect(
    () => () => {
      if (src?.startsWith('blob:')) URL.revokeObjectURL(src);
    },
    [src],
  );
  useEffect(() => {
    if (!src) return;
    const img = new Image();
    img.onload = () => setSize({ w: img.naturalWidth, h: img.naturalHeight });
    img.src = src;
  }, [src]);
  return { src, size, grab, load };
}

/** Draw detection zones and motion masks on the camera's picture, then save them. */
export function CameraZonesTab({ camera, onSaved }: { camera: CameraView; onSaved(c: CameraView): void }) {
  const { t } = useI18n();
  const [shapes, setShapes] = useState<Shape[]>(() => shapesFromSettings(camera.settings));
  const [dirty, setDirty] = useState(false);
  const [saved, setSaved] = useState(false);
  const pic = usePicture(camera);

  const change = (s: Shape[]) => {
    setShapes(s);
    setDirty(true);
    setSaved(false);
  };
  const {
    busy,
    error,
    submit: save,
  } = useSubmit(async () => {
    const c = await api.updateCamera(camera.id, { settings: settingsWithShapes(camera.settings, shapes) });
    setDirty(false);
    setSaved(true);
    onSaved(c);
  });
  return (
    <div className="zones-tab">
      <div className="button-row">
        <button type="button" onClick={() => void pic.load()} disabled={pic.grab.busy}>
          {t('zones.refreshPicture')}
        </button>
      </div>
      <BusyLine label={t('frame.busy')} startedAt={pic.grab.startedAt} limitMs={FRAME_LIMIT_MS} onCancel={pic.grab.cancel} />
      <ErrorText error={pic.grab.error} />
      <PolygonEditor image={pic.src} aspect={pic.size ? pic.size.w / pic.size.h : 16 / 9} shapes={shapes} onChange={change} />
      <div className="button-row sticky-save">
        <button type="button" className="primary" onClick={() => void save()} disabled={busy || !dirty} data-testid="save-zones">
          {busy ? t('common.saving') : t('common.save')}
        </button>
        {saved && (
          <span role="status" className="ok" data-testid="zones-saved">
            {t('common.saved')}
          </span>
        )}
      </div>
      <ErrorText error={error} />
    </div>
  );
}
