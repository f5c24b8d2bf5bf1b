// Return codes of the exported functions; negative values are errors (docs/firmware-abi.md).
export const ANC_OK: i32 = 0;
export const ANC_ERR_NOT_INITIALIZED: i32 = -1;
export const ANC_ERR_BAD_FRAMES: i32 = -2;
export const ANC_ERR_BAD_PARAM: i32 = -3;
export const ANC_ERR_BAD_VALUE: i32 = -4;
export const ANC_ERR_RLS_TAPS: i32 = -5;
export const ANC_ERR_BAD_LENGTH: i32 = -6;
export const ANC_ERR_BAD_SAMPLE_RATE: i32 = -7;
// anc_load_model: a refused blob (docs/model-format.md, "Validation"); the same numbers as
// firmware/model/blob-errors.ts. Their own block, -32..-63, so the codes above can grow.
export const ANC_ERR_MODEL_LENGTH: i32 = -32;
export const ANC_ERR_MODEL_MAGIC: i32 = -33;
export const ANC_ERR_MODEL_VERSION: i32 = -34;
export const ANC_ERR_MODEL_CRC: i32 = -35;
export const ANC_ERR_MODEL_RESERVED: i32 = -36;
export const ANC_ERR_MODEL_FEATURES: i32 = -37;
export const ANC_ERR_MODEL_COUNT: i32 = -38;
export const ANC_ERR_MODEL_DECISION: i32 = -39;
export const ANC_ERR_MODEL_OFFSET: i32 = -40;
export const ANC_ERR_MODEL_ALIGN: i32 = -41;
export const ANC_ERR_MODEL_OVERLAP: i32 = -42;
export const ANC_ERR_MODEL_LABEL: i32 = -43;
export const ANC_ERR_MODEL_LAYER: i32 = -44;
export const ANC_ERR_MODEL_SHAPE: i32 = -45;
export const ANC_ERR_MODEL_COST: i32 = -46;
export const ANC_ERR_MODEL_QUANT: i32 = -47;
export const ANC_ERR_MODEL_INCOMPATIBLE: i32 = -48;
