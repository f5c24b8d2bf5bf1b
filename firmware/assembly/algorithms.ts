// Adaptive algorithms selectable at run time (parameter ANC_PARAM_ALGORITHM).
export const ALG_LMS: i32 = 0; // plain LMS on x, for plants with a negligible secondary path
export const ALG_NLMS: i32 = 1; // normalised LMS on x
export const ALG_LEAKY_NLMS: i32 = 2; // NLMS with coefficient leakage (default leakage when the parameter is 0)
export const ALG_FXLMS: i32 = 3; // feedforward filtered-x NLMS with the secondary-path model
export const ALG_FB_FXLMS: i32 = 4; // feedback FxNLMS, reference synthesised by internal model control
export const ALG_HYBRID: i32 = 5; // feedforward + feedback, one error signal
export const ALG_RLS: i32 = 6; // feedforward filtered-x RLS, up to MAX_RLS_TAPS taps
export const ALG_FD_FXLMS: i32 = 7; // feedforward FxLMS adapted in the frequency domain, per-bin normalised
export const ALG_COUNT: i32 = 8;

export const DEFAULT_LEAKAGE: f32 = 1e-4;

export function usesFeedforward(alg: i32): bool {
  return alg != ALG_FB_FXLMS;
}
export function usesFeedback(alg: i32): bool {
  return alg == ALG_FB_FXLMS || alg == ALG_HYBRID;
}
export function filtersReference(alg: i32): bool {
  return alg >= ALG_FXLMS;
}
export function normalises(alg: i32): bool {
  return alg != ALG_LMS && alg != ALG_RLS;
}
// algorithms that adapt once per block instead of in the per-sample loop
export function adaptsPerSample(alg: i32): bool {
  return alg != ALG_RLS && alg != ALG_FD_FXLMS;
}
