import { MODEL_A, MODEL_B, FE_STATE, FE_RING, FE_RING_LEN, FE_HIST, FE_MAX_INPUT, FE_FEATURES, FE_MAX_FEATURES,
  FE_LOGITS, FE_MAX_CLASSES } from "../memory-map";
import { ANC_OK, ANC_ERR_MODEL_INCOMPATIBLE } from "../errors";
import { H_MODEL_MAJOR, H_MODEL_MINOR, H_MODEL_PATCH, H_SAMPLE_RATE, H_FRAME_LENGTH, H_HOP_LENGTH, H_FFT_SIZE,
  H_WINDOW, H_MEL_BANDS, H_FMIN_HZ, H_FMAX_HZ, H_LOG_FLOOR, H_MFCC_COUNT, H_CONTEXT_FRAMES, H_INFER_INTERVAL,
  H_CLASS_COUNT, H_LAYER_COUNT, H_SMOOTHING_MS, H_CLASS_TABLE_OFFSET, C_FLAGS, CLASS_RECORD_SIZE,
  CLASS_FLAG_EMERGENCY } from "./blob-layout";
import { ClassifierState, classifier } from "./classifier-state";
import { validateModel } from "./model-parser";
import { runNetwork } from "./int8-network";
import { decide } from "./decision";
import { buildWindow } from "../features/window";
import { buildMelFilterbank } from "../features/mel-filterbank";
import { frontEndPush, frontEndStep } from "../features/front-end";
import { crc32Init } from "../dsp/crc32";
import { emergency } from "../emergency/detector-state";
import { statusI32, statusF32, ST_NOISE_CLASS, ST_CONFIDENCE, ST_MODEL_VERSION, ST_FEATURE_FRAMES,
  ST_EMERGENCY_STATE, ST_EMERGENCY_EVENTS, ST_MODEL_ERROR } from "../state";

// The classifier's life cycle: anc_init forgets the model, anc_load_model validates a blob in the
// inactive slot and switches to it, anc_process runs the front end and the network beside the
// ANC (after it, on the same reference samples, never touching the audio path).

export function classifierInit(): void {
  memory.fill(FE_STATE, 0, 256);
  crc32Init();
  const c = classifier();
  c.noiseClass = -1;
  writeClassifierStatus(c);
}

// The slot the host writes the next blob into: the one not running.
export function inactiveSlot(): usize {
  return <usize>classifier().active == MODEL_A ? MODEL_B : MODEL_A;
}

// Validates the blob in the inactive slot; on success it becomes the running model, with its
// derived tables built here (not in anc_process). On any error nothing of the running model
// changes; only model_error records the code.
export function loadModel(length: i32, ancRate: i32): i32 {
  const c = classifier();
  const b = inactiveSlot();
  let err = validateModel(b, length);
  const rate = <i32>load<u32>(b + H_SAMPLE_RATE);
  if (err == ANC_OK && ancRate % rate != 0) err = ANC_ERR_MODEL_INCOMPATIBLE;
  c.modelError = err;
  if (err == ANC_OK) activate(c, b, ancRate / rate);
  writeClassifierStatus(c);
  return err;
}

function activate(c: ClassifierState, b: usize, decim: i32): void {
  memory.fill(FE_STATE, 0, 256); // modelError is set again by the caller's status write below
  c.modelError = ANC_OK;
  c.active = <i32>b;
  c.modelVersion = (<u32>load<u16>(b + H_MODEL_MAJOR) << 16) | (<u32>load<u8>(b + H_MODEL_MINOR) << 8) | <u32>load<u8>(b + H_MODEL_PATCH);
  c.decim = decim;
  c.frameLength = <i32>load<u16>(b + H_FRAME_LENGTH);
  c.hop = <i32>load<u16>(b + H_HOP_LENGTH);
  c.fftSize = <i32>load<u16>(b + H_FFT_SIZE);
  c.melBands = <i32>load<u8>(b + H_MEL_BANDS);
  c.mfccCount = <i32>load<u8>(b + H_MFCC_COUNT);
  c.featureCount = c.mfccCount > 0 ? c.mfccCount : c.melBands;
  c.contextFrames = <i32>load<u8>(b + H_CONTEXT_FRAMES);
  c.inferInterval = <i32>load<u16>(b + H_INFER_INTERVAL);
  c.classCount = <i32>load<u16>(b + H_CLASS_COUNT);
  c.layerCount = <i32>load<u16>(b + H_LAYER_COUNT);
  c.logFloor = load<f32>(b + H_LOG_FLOOR);
  const rate = <i32>load<u32>(b + H_SAMPLE_RATE);
  const tauMs = <f64>load<u32>(b + H_SMOOTHING_MS);
  const dt = (<f64>c.hop * <f64>c.inferInterval) / <f64>rate;
  c.alpha = tauMs == 0 ? 1 : 1 - Mathf.exp(<f32>((-dt * 1000) / tauMs));
  c.untilHop = c.frameLength; // the first frame needs a whole frame of samples
  c.sinceInfer = c.inferInterval - 1; // infer as soon as the context is full
  c.noiseClass = -1;
  buildWindow(<u32>load<u8>(b + H_WINDOW), c.frameLength);
  buildMelFilterbank(rate, c.fftSize, c.melBands, load<f32>(b + H_FMIN_HZ), load<f32>(b + H_FMAX_HZ));
  memory.fill(FE_RING, 0, <usize>FE_RING_LEN << 2);
  memory.fill(FE_HIST, 0, <usize>FE_MAX_INPUT << 2);
  memory.fill(FE_FEATURES, 0, <usize>FE_MAX_FEATURES << 2);
  memory.fill(FE_LOGITS, 0, <usize>(3 * FE_MAX_CLASSES) << 2); // logits, scores, smoothed scores
}

// Per anc_process block, after the ANC: push the reference samples, then at most one feature
// frame and at most one inference.
export function classifierBlock(frames: i32): void {
  const c = classifier();
  if (c.active == 0) return;
  frontEndPush(c, frames);
  if (frontEndStep(c)) {
    c.sinceInfer++;
    if (c.histFrames == c.contextFrames && c.sinceInfer >= c.inferInterval) {
      c.sinceInfer = 0;
      runNetwork(c);
      decide(c);
    }
  }
  writeClassifierStatus(c);
}

// Whether the running model reports one of its emergency classes now (status noise_class is a
// class flagged emergency: its smoothed score is at or above its threshold). The emergency
// detector takes it as confirmation (docs/firmware-abi.md, "Emergency detector").
export function emergencyClassReported(): bool {
  const c = classifier();
  if (c.active == 0 || c.noiseClass < 0) return false;
  const b = <usize>c.active;
  const record = b + <usize>load<u32>(b + H_CLASS_TABLE_OFFSET) + <usize>(<u32>c.noiseClass * CLASS_RECORD_SIZE);
  return (<u32>load<u8>(record + C_FLAGS) & CLASS_FLAG_EMERGENCY) != 0;
}

export function writeClassifierStatus(c: ClassifierState): void {
  statusI32(ST_NOISE_CLASS, c.noiseClass);
  statusF32(ST_CONFIDENCE, c.confidence);
  statusI32(ST_MODEL_VERSION, <i32>c.modelVersion);
  statusI32(ST_FEATURE_FRAMES, <i32>c.featureFrames);
  const e = emergency();
  statusI32(ST_EMERGENCY_STATE, e.active);
  statusI32(ST_EMERGENCY_EVENTS, <i32>e.events);
  statusI32(ST_MODEL_ERROR, c.modelError);
}
