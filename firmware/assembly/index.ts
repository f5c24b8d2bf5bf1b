// The module's ABI: every export a host may call. Nothing else in firmware/ is exported.
// C signatures and the calling sequence are in docs/firmware-abi.md.
import { IO_REF, IO_ERR, IO_OUT, STATUS, SEC_PATH, SEC_PATH_STAGE, W_FF, W_FB, MAX_BLOCK, FE_FEATURES, FE_LOGITS } from "./memory-map";
import { ANC_OK, ANC_ERR_NOT_INITIALIZED, ANC_ERR_BAD_FRAMES } from "./errors";
import { ABI_VERSION } from "./version";
import { state } from "./state";
import { init, setParam, getParam, setSecondaryPath, reset } from "./anc/config";
import { processBlock } from "./anc/engine";
import { writeStatus } from "./anc/status";
import { emergencyBlock } from "./emergency/detector";
import { classifierInit, classifierBlock, loadModel, inactiveSlot } from "./classifier/classifier";

export function anc_abi_version(): i32 {
  return ABI_VERSION;
}

export function anc_init(sample_rate: i32): i32 {
  const err = init(sample_rate);
  if (err == ANC_OK) {
    writeStatus(state());
    classifierInit(); // forgets any model
  }
  return err;
}

export function anc_set_param(id: i32, value: f32): i32 {
  const err = setParam(id, value);
  if (err == ANC_OK) writeStatus(state());
  return err;
}

export function anc_get_param(id: i32): f32 {
  return getParam(id);
}

export function anc_set_secondary_path(length: i32): i32 {
  const err = setSecondaryPath(length);
  if (err == ANC_OK) writeStatus(state());
  return err;
}

export function anc_reset(): i32 {
  const err = reset();
  if (err == ANC_OK) writeStatus(state());
  return err;
}

export function anc_process(frames: i32): i32 {
  if (!state().initialized) return ANC_ERR_NOT_INITIALIZED;
  if (frames < 1 || frames > MAX_BLOCK) return ANC_ERR_BAD_FRAMES;
  processBlock(frames);
  // the emergency detector reads the reference from HIST_X; what it finds fades the next block
  emergencyBlock(frames);
  // the classifier reads the same reference samples after the ANC and never writes the audio path
  classifierBlock(frames);
  return frames;
}

// The blob goes to anc_model_ptr() (the slot not running, 64 KiB); anc_load_model validates it in
// place and only if it is valid switches to it.
export function anc_load_model(length: i32): i32 {
  const s = state();
  if (!s.initialized) return ANC_ERR_NOT_INITIALIZED;
  return loadModel(length, s.sampleRate);
}

export function anc_model_ptr(): usize {
  return inactiveSlot();
}

// f32[F]: the latest feature frame (F = mfcc_count || mel_bands of the running model); status
// feature_frames counts the frames. `anc train` reads its training features here.
export function anc_features_ptr(): usize {
  return FE_FEATURES;
}

// f32[3][32]: the last inference's logits, scores (softmax) and smoothed scores, per class.
export function anc_scores_ptr(): usize {
  return FE_LOGITS;
}

export function anc_max_block(): i32 {
  return MAX_BLOCK;
}

export function anc_ref_ptr(): usize {
  return IO_REF;
}
export function anc_err_ptr(): usize {
  return IO_ERR;
}
export function anc_out_ptr(): usize {
  return IO_OUT;
}
export function anc_status_ptr(): usize {
  return STATUS;
}
export function anc_secondary_path_ptr(): usize {
  return SEC_PATH_STAGE;
}
export function anc_secondary_path_active_ptr(): usize {
  return SEC_PATH;
}
// 0: feedforward filter, 1: feedback filter; f32[taps], newest-sample tap first
export function anc_weights_ptr(which: i32): usize {
  return which == 1 ? W_FB : W_FF;
}

// WAMR sizes linear memory from these (the module never grows it)
export { __heap_base, __data_end };
