// Class labels are UTF-8 in a fixed 32-byte field. The firmware never decodes them (it only
// reports class indices), but a host shows them and the fleet stores them, so a blob must not
// carry bytes that decode differently in different places: strict UTF-8 as in RFC 3629 (no
// overlong forms, no surrogates, nothing above U+10FFFF) and no control characters.

/** Why `bytes` is not an acceptable label, or null if it is. */
export function labelProblem(bytes: Uint8Array): string | null {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b < 0x20 || b === 0x7f) return `control character 0x${b.toString(16)} at byte ${i}`;
      i += 1;
      continue;
    }
    // Lead byte: sequence length and the allowed range of the first continuation byte, which is
    // where overlong forms (E0, F0), surrogates (ED) and values above U+10FFFF (F4) are excluded.
    let n: number;
    let lo = 0x80;
    let hi = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) n = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      n = 3;
      if (b === 0xe0) lo = 0xa0;
      if (b === 0xed) hi = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 4;
      if (b === 0xf0) lo = 0x90;
      if (b === 0xf4) hi = 0x8f;
    } else return `invalid UTF-8 lead byte 0x${b.toString(16)} at byte ${i}`;
    if (i + n > bytes.length) return `truncated UTF-8 sequence at byte ${i}`;
    for (let k = 1; k < n; k++) {
      const c = bytes[i + k]!;
      const min = k === 1 ? lo : 0x80;
      const max = k === 1 ? hi : 0xbf;
      if (c < min || c > max) return `invalid UTF-8 continuation byte at byte ${i + k}`;
    }
    // C1 controls (U+0080..U+009F) are encoded C2 80..C2 9F
    if (b === 0xc2 && bytes[i + 1]! < 0xa0) return `control character at byte ${i}`;
    i += n;
  }
  return null;
}
