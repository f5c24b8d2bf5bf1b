import { FE_LOGITS, FE_SCORES, FE_SMOOTH } from "../memory-map";
import { H_CLASS_TABLE_OFFSET, H_LAYER_TABLE_OFFSET, C_THRESHOLD, CLASS_RECORD_SIZE, L_ACTIVATION, ACT_SOFTMAX,
  layerRecord } from "./blob-layout";
import { ClassifierState } from "./classifier-state";

// After each inference (docs/model-format.md, "Output" and "Decisions"): softmax of the logits in
// f32 (or the logits themselves), exponential smoothing with alpha = 1 - exp(-dt / tau), and the
// reported class: the arg-max of the smoothed scores, or -1 while it is below its threshold.
// The first inference after a load sets the smoothed scores directly (no ramp up from zero).
export function decide(c: ClassifierState): void {
  const b = <usize>c.active;
  const n = c.classCount;
  const softmax = <u32>load<u8>(layerRecord(b, load<u32>(b + H_LAYER_TABLE_OFFSET), c.layerCount - 1) + L_ACTIVATION) == ACT_SOFTMAX;
  let best = 0;
  for (let o = 1; o < n; o++) if (load<f32>(FE_LOGITS + (<usize>o << 2)) > load<f32>(FE_LOGITS + (<usize>best << 2))) best = o;
  if (softmax) {
    const m = load<f32>(FE_LOGITS + (<usize>best << 2));
    let sum: f32 = 0;
    for (let o = 0; o < n; o++) {
      const e = Mathf.exp(load<f32>(FE_LOGITS + (<usize>o << 2)) - m);
      store<f32>(FE_SCORES + (<usize>o << 2), e);
      sum += e;
    }
    for (let o = 0; o < n; o++) store<f32>(FE_SCORES + (<usize>o << 2), load<f32>(FE_SCORES + (<usize>o << 2)) / sum);
  } else {
    memory.copy(FE_SCORES, FE_LOGITS, <usize>n << 2);
  }

  const alpha: f32 = c.inferences == 0 ? 1 : c.alpha;
  c.inferences++;
  let top = 0;
  for (let o = 0; o < n; o++) {
    const p = FE_SMOOTH + (<usize>o << 2);
    const v = load<f32>(p) + alpha * (load<f32>(FE_SCORES + (<usize>o << 2)) - load<f32>(p));
    store<f32>(p, v);
    if (v > load<f32>(FE_SMOOTH + (<usize>top << 2))) top = o;
  }
  const confidence = load<f32>(FE_SMOOTH + (<usize>top << 2));
  const threshold = load<f32>(b + <usize>load<u32>(b + H_CLASS_TABLE_OFFSET) + <usize>(<u32>top * CLASS_RECORD_SIZE) + C_THRESHOLD);
  c.noiseClass = confidence >= threshold ? top : -1;
  c.confidence = confidence;
}
