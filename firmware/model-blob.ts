// The classifier's model blob (contract 2, docs/model-format.md) for Node code: the training tool
// writes it, the simulator and tests read it. The firmware parses the same bytes in AssemblyScript.
export { decodeModelBlob } from './model/blob-decode.ts';
export { encodeModelBlob, type EncodeOptions } from './model/blob-encode.ts';
export { MODEL_ERR, ModelBlobError, type ModelErrorCode, type ModelErrorName } from './model/blob-errors.ts';
export { HEADER_SIZE, LIMITS, MODEL_FORMAT_VERSION, MODEL_MAGIC } from './model/blob-layout.ts';
export { crc32 } from './model/crc32.ts';
export { inferModel, type InferenceResult } from './model/int8-inference.ts';
export {
  ClassEntry, ClassifierModel, DecisionSettings, FeatureSettings, InputQuant, Layer, ModelVersion,
} from './model/model-schema.ts';
