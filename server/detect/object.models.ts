import { decodeYolox, yoloxGrid } from './object.decode.yolox.js';
import { NCHW_BGR_114, NHWC_RGB, type InputLayout, type InputShape } from './object.preprocess.js';

/**
 * Detection models by type key (config detect.model.type), as Frigate does: each type says
 * how its input is laid out, how its raw output becomes candidate rows (x1, y1, x2, y2 in
 * input pixels, score, class), and which backends can run it. Pure: imported by the worker
 * and by the main thread.
 */

export const MODEL_TYPES = ['centernet', 'yolox'] as const;
export type ModelTypeName = (typeof MODEL_TYPES)[number];

export const shapeName = (s: InputShape): string => `${s.width}x${s.height}`;

/** The shape CenterNet's tfjs graph was exported with. */
export const CENTERNET_SQUARE: InputShape = { width: 512, height: 512 };
/**
 * CenterNet's 16:9 twin, converted from the same graph: a 640×360 sub-stream letterboxed into
 * 512×512 spends 44 % of the model's work on padding; at 512×288 the picture fills the input at
 * the same scale and an inference costs about half (README, benchmark).
 */
export const CENTERNET_WIDE: InputShape = { width: 512, height: 288 };

/** Turns one inference's output into candidate rows; built once per worker (it may keep tables). */
export type RowDecoder = (output: Float32Array, minScore: number) => Float32Array;

export interface ModelType {
  name: ModelTypeName;
  defaultInputSize: number;
  layout: InputLayout;
  /** Tensor shape fed to the model for an input shape. */
  inputShape(s: InputShape): number[];
  /** tfjs can run it (from the npm package's graph); otherwise ONNX only. */
  tfjs: boolean;
  /** The file the onnx backend loads when detect.model.path is not set, relative to the project root. */
  defaultOnnxFile?: string;
  /** A second input shape for wide frames, as its own ONNX file beside the default one (onnx backend only). */
  wide?: { shape: InputShape; onnxFile: string };
  /** Same-class overlap above which two boxes are one object. */
  iouThreshold: number;
  decoder(size: number, classes: number): RowDecoder;
}

export const MODEL_REGISTRY: Readonly<Record<ModelTypeName, ModelType>> = {
  centernet: {
    name: 'centernet',
    defaultInputSize: 512,
    layout: NHWC_RGB,
    inputShape: (s) => [1, s.height, s.width, 3],
    tfjs: true,
    // Written by the project's converter from the same tfjs graph (same output layout).
    defaultOnnxFile: 'models/build/centernet.onnx',
    wide: { shape: CENTERNET_WIDE, onnxFile: 'models/build/centernet-512x288.onnx' },
    iouThreshold: 0.5,
    // Its graph already emits [100, 6] rows in that layout, thresholding is left to the main thread.
    decoder: () => (output) => output,
  },
  yolox: {
    name: 'yolox',
    defaultInputSize: 416,
    layout: NCHW_BGR_114,
    inputShape: (s) => [1, 3, s.height, s.width],
    tfjs: false,
    // YOLOX's own demo value.
    iouThreshold: 0.45,
    decoder: (size, classes) => {
      const grid = yoloxGrid(size);
      return (output, minScore) => decodeYolox(output, grid, classes, minScore);
    },
  },
};

export const isModelType = (v: string): v is ModelTypeName => (MODEL_TYPES as readonly string[]).includes(v);

/** COCO's 80 detection classes in the order both models emit them (0-based). */
export const COCO_LABELS: readonly string[] = [
  'person',
  'bicycle',
  'car',
  'motorcycle',
  'airplane',
  'bus',
  'train',
  'truck',
  'boat',
  'traffic light',
  'fire hydrant',
  'stop sign',
  'parking meter',
  'bench',
  'bird',
  'cat',
  'dog',
  'horse',
  'sheep',
  'cow',
  'elephant',
  'bear',
  'zebra',
  'giraffe',
  'backpack',
  'umbrella',
  'handbag',
  'tie',
  'suitcase',
  'frisbee',
  'skis',
  'snowboard',
  'sports ball',
  'kite',
  'baseball bat',
  'baseball glove',
  'skateboard',
  'surfboard',
  'tennis racket',
  'bottle',
  'wine glass',
  'cup',
  'fork',
  'knife',
  'spoon',
  'bowl',
  'banana',
  'apple',
  'sandwich',
  'orange',
  'broccoli',
  'carrot',
  'hot dog',
  'pizza',
  'donut',
  'cake',
  'chair',
  'couch',
  'potted plant',
  'bed',
  'dining table',
  'toilet',
  'tv',
  'laptop',
  'mouse',
  'remote',
  'keyboard',
  'cell phone',
  'microwave',
  'oven',
  'toaster',
  'sink',
  'refrigerator',
  'book',
  'clock',
  'vase',
  'scissors',
  'teddy bear',
  'hair drier',
  'toothbrush',
];
