import { FE_STATE } from "../memory-map";

// The front end's and classifier's state, at a fixed address (FE_STATE, 256 B), never in module
// globals. anc_init zeroes it (no model); anc_load_model fills it from a valid blob.
@unmanaged
export class ClassifierState {
  active: i32; // 0: no model; else the active slot's address
  modelVersion: u32; // major << 16 | minor << 8 | patch (status), 0 = none
  modelError: i32; // the last anc_load_model result (status)
  // settings copied from the active blob (validated)
  decim: i32; // ANC samples averaged into one front-end sample
  frameLength: i32;
  hop: i32;
  fftSize: i32;
  melBands: i32;
  mfccCount: i32;
  featureCount: i32; // F = mfccCount || melBands
  contextFrames: i32;
  inferInterval: i32;
  classCount: i32;
  layerCount: i32;
  logFloor: f32;
  alpha: f32; // score smoothing coefficient per inference, 1 - exp(-dt / tau)
  // decimator
  decimCount: i32;
  decimSum: f32;
  // ring of decimated samples and the queue of frames waiting for their FFT
  ringPos: i32; // where the next sample goes
  untilHop: i32; // samples until the next frame is complete
  pending: i32; // complete frames not yet computed (at most one is computed per anc_process)
  dropped: u32; // frames given up because the ring overwrote them (sustained overload only)
  // feature history and inference schedule
  histHead: i32; // slot of the next frame in FE_HIST (when full, the oldest frame)
  histFrames: i32; // frames in FE_HIST, up to contextFrames
  sinceInfer: i32; // frames since the last inference
  featureFrames: u32; // frames computed since the model was loaded (status)
  inferences: u32;
  // decision
  noiseClass: i32; // reported class, -1 none (status)
  confidence: f32; // smoothed score of the arg-max class (status)
}

export function classifier(): ClassifierState {
  return changetype<ClassifierState>(FE_STATE);
}
