// Class labels are ASCII in a fixed 32-byte field, matching the fleet's label pattern
// ^[a-z][a-z0-9_-]{0,31}$: one spelling per class everywhere (blob, firmware, fleet database, MQTT
// payloads, file names of training folders), nothing to normalise or escape. The firmware checks
// the same pattern byte by byte (classifier/model-parser.ts).

export const LABEL_PATTERN = /^[a-z][a-z0-9_-]{0,31}$/;

/** Why `bytes` is not an acceptable label, or null if it is. */
export function labelProblem(bytes: Uint8Array): string | null {
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    const lower = b >= 0x61 && b <= 0x7a;
    const rest = (b >= 0x30 && b <= 0x39) || b === 0x5f || b === 0x2d;
    if (!(lower || (i > 0 && rest))) return `byte 0x${b.toString(16)} at ${i} breaks the label pattern ${LABEL_PATTERN.source}`;
  }
  return null;
}
