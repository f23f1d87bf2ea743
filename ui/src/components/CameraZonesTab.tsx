import { useCallback, useEffect, useRef, useState } from 'react';
import { api } from '../api/endpoints.js';
import type { CameraView } from '../api/types.js';
import { useI18n } from '../i18n/I18nProvider.js';
import { BusyLine } from './BusyLine.js';
import { ErrorText } from './common.js';
import { PolygonEditor, type Drawing } from './PolygonEditor.js';
import { isValidPolygon, settingsWithShapes, shapesFromSettings, type Shape } from './polygon.model.js';
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

/** Unsaved work on a camera's zones: the shapes changed and the one being drawn. */
interface ZoneDraft {
  shapes: Shape[];
  drawing: Drawing | null;
}

const draftKey = (cameraId: number) => `binhyen.zones.draft.${cameraId}`;

function readDraft(cameraId: number): ZoneDraft | null {
  try {
    const raw = sessionStorage.getItem(draftKey(cameraId));
    const d = raw ? (JSON.parse(raw) as Partial<ZoneDraft>) : null;
    return d && Array.isArray(d.shapes) ? { shapes: d.shapes, drawing: d.drawing ?? null } : null;
  } catch {
    return null;
  }
}

/**
 * The zones being edited, kept in this tab's session storage until saved: switching to another
 * tab of the camera page, or a resize that lays the page out again, unmounts the editor, and
 * neither may lose a half-drawn polygon or unsaved changes (issue 15).
 */
function useZoneDraft(camera: CameraView) {
  const [draft, setDraftState] = useState<ZoneDraft | null>(() => readDraft(camera.id));
  // The editor may change the shapes and the drawing in one handler (finishing a shape does both): each change starts from the last.
  const latest = useRef(draft);
  const write = useCallback(
    (d: ZoneDraft | null) => {
      latest.current = d;
      setDraftState(d);
      if (d) sessionStorage.setItem(draftKey(camera.id), JSON.stringify(d));
      else sessionStorage.removeItem(draftKey(camera.id));
    },
    [camera.id],
  );
  const current = (): ZoneDraft => latest.current ?? { shapes: shapesFromSettings(camera.settings), drawing: null };
  return {
    draft,
    shapes: draft?.shapes ?? shapesFromSettings(camera.settings),
    drawing: draft?.drawing ?? null,
    setShapes: (shapes: Shape[]) => write({ ...current(), shapes }),
    setDrawing: (drawing: Drawing | null) => write({ ...current(), drawing }),
    clear: () => write(null),
  };
}

/** Draw detection zones and motion masks on the camera's picture, then save them. */
export function CameraZonesTab({ camera, onSaved }: { camera: CameraView; onSaved(c: CameraView): void }) {
  const { t } = useI18n();
  const { draft, shapes, drawing, setShapes, setDrawing, clear } = useZoneDraft(camera);
  const dirty = draft !== null;
  const [saved, setSaved] = useState(false);
  const [unfinished, setUnfinished] = useState(false);
  const pic = usePicture(camera);

  const change = (s: Shape[]) => {
    setShapes(s);
    setSaved(false);
  };
  const changeDrawing = (d: Drawing | null) => {
    setDrawing(d);
    setUnfinished(false);
    setSaved(false);
  };
  const {
    busy,
    error,
    submit: save,
  } = useSubmit(async () => {
    // A shape still being drawn is not saved, and not silently dropped either: the user finishes or cancels it.
    if (drawing) {
      setUnfinished(true);
      return;
    }
    const c = await api.updateCamera(camera.id, { settings: settingsWithShapes(camera.settings, shapes) });
    clear();
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
      <PolygonEditor
        image={pic.src}
        aspect={pic.size ? pic.size.w / pic.size.h : 16 / 9}
        shapes={shapes}
        onChange={change}
        drawing={drawing}
        onDrawing={changeDrawing}
      />
      <div className="button-row sticky-save">
        <button type="button" className="primary" onClick={() => void save()} disabled={busy || !dirty} data-testid="save-zones">
          {busy ? t('common.saving') : t('common.save')}
        </button>
        {saved && (
          <span role="status" className="ok" data-testid="zones-saved">
            {t('common.saved')}
          </span>
        )}
        {unfinished && drawing && (
          <span role="alert" className="field-error" data-testid="zones-unfinished">
            {isValidPolygon(drawing.points) ? t('zones.finishFirst') : t('zones.cancelOrFinish')}
          </span>
        )}
      </div>
      <ErrorText error={error} />
    </div>
  );
}
