// The one catalogue of model-blob errors. The numbers are the negative codes the firmware's
// `anc_load_model` returns (docs/model-format.md, "Validation"), so a host, a test and the Node
// decoder name a refused blob the same way. They sit in their own block (-32..-63) so the rest of
// the ABI can add codes after -7 without colliding.

export const MODEL_ERR = {
  LENGTH: -32,
  MAGIC: -33,
  VERSION: -34,
  CRC: -35,
  RESERVED: -36,
  FEATURES: -37,
  COUNT: -38,
  DECISION: -39,
  OFFSET: -40,
  ALIGN: -41,
  OVERLAP: -42,
  LABEL: -43,
  LAYER: -44,
  SHAPE: -45,
  COST: -46,
  QUANT: -47,
  /** Firmware only: the blob is valid but does not fit the running module (see the doc). */
  INCOMPATIBLE: -48,
} as const;

export type ModelErrorName = keyof typeof MODEL_ERR;
export type ModelErrorCode = (typeof MODEL_ERR)[ModelErrorName];

export class ModelBlobError extends Error {
  /** The firmware's return code, e.g. -33 for a bad magic. */
  readonly code: ModelErrorCode;
  /** `ANC_ERR_MODEL_<NAME>`, as in the doc's table. */
  readonly codeName: string;

  constructor(name: ModelErrorName, message: string) {
    super(`${message} (ANC_ERR_MODEL_${name}, ${MODEL_ERR[name]})`);
    this.name = 'ModelBlobError';
    this.code = MODEL_ERR[name];
    this.codeName = `ANC_ERR_MODEL_${name}`;
  }
}

/** Throws a ModelBlobError unless `ok`; keeps each rule of the decoder to one line. */
export function check(ok: boolean, name: ModelErrorName, message: string): asserts ok {
  if (!ok) throw new ModelBlobError(name, message);
}
