// Return codes of the exported functions; negative values are errors (docs/firmware-abi.md).
export const ANC_OK: i32 = 0;
export const ANC_ERR_NOT_INITIALIZED: i32 = -1;
export const ANC_ERR_BAD_FRAMES: i32 = -2;
export const ANC_ERR_BAD_PARAM: i32 = -3;
export const ANC_ERR_BAD_VALUE: i32 = -4;
export const ANC_ERR_RLS_TAPS: i32 = -5;
export const ANC_ERR_BAD_LENGTH: i32 = -6;
export const ANC_ERR_BAD_SAMPLE_RATE: i32 = -7;
