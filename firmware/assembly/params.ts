// Parameter identifiers for anc_set_param / anc_get_param (docs/firmware-abi.md).
export const PARAM_ALGORITHM: i32 = 0;
export const PARAM_TAPS: i32 = 1;
export const PARAM_STEP_SIZE: i32 = 2;
export const PARAM_LEAKAGE: i32 = 3;
export const PARAM_INTENSITY: i32 = 4;
export const PARAM_BYPASS: i32 = 5;
export const PARAM_RAMP_MS: i32 = 6;
export const PARAM_LIMIT: i32 = 7;
export const PARAM_RLS_LAMBDA: i32 = 8;
export const PARAM_COEF_NORM_MAX: i32 = 9;
export const PARAM_REGULARIZATION: i32 = 10;
export const PARAM_SEC_TAPS: i32 = 11; // read-only: set with anc_set_secondary_path
export const PARAM_SAMPLE_RATE: i32 = 12; // read-only: set with anc_init
export const PARAM_EMERGENCY_ENABLE: i32 = 13; // ABI 1.2
export const PARAM_EMERGENCY_SENSITIVITY: i32 = 14;
export const PARAM_EMERGENCY_HOLD_MS: i32 = 15;
export const PARAM_COUNT: i32 = 16;
