// The signatures of the functions a .wasm binary exports, read from its type, import, function and
// export sections (WebAssembly core spec, "Binary format"): WebAssembly.Module.exports gives only
// names and kinds, and a C host must know the parameter and result types it calls with.
// Types as letters, WAMR-style: i i32, I i64, f f32, F f64, v v128.
const LETTERS: Record<number, string> = { 0x7f: 'i', 0x7e: 'I', 0x7d: 'f', 0x7c: 'F', 0x7b: 'v' };

export interface Signature {
  params: string;
  results: string;
}

export function exportedFunctionSignatures(bytes: Uint8Array): Map<string, Signature> {
  let p = 8; // magic and version
  const u32 = (): number => {
    let value = 0;
    for (let shift = 0; ; shift += 7) {
      const b = bytes[p++]!;
      value += (b & 0x7f) * 2 ** shift;
      if (!(b & 0x80)) return value;
    }
  };
  const name = (): string => {
    const n = u32();
    p += n;
    return new TextDecoder().decode(bytes.subarray(p - n, p));
  };
  const letters = (): string => Array.from({ length: u32() }, () => LETTERS[bytes[p++]!] ?? '?').join('');
  const limits = () => (bytes[p++]! & 1 ? (u32(), u32()) : u32());

  const types: Signature[] = [];
  const functionTypes: number[] = []; // imported functions first, then the module's own
  const exports = new Map<string, number>();
  while (p < bytes.length) {
    const id = bytes[p++]!;
    const size = u32();
    const end = p + size;
    if (id === 1) {
      for (let n = u32(); n > 0; n--) {
        if (bytes[p++] !== 0x60) throw new Error('type section: not a function type');
        types.push({ params: letters(), results: letters() });
      }
    } else if (id === 2) {
      for (let n = u32(); n > 0; n--) {
        name();
        name();
        const kind = bytes[p++];
        if (kind === 0) functionTypes.push(u32());
        else if (kind === 1) (p++, limits());
        else if (kind === 2) limits();
        else p += 2; // global: value type, mutability
      }
    } else if (id === 3) {
      for (let n = u32(); n > 0; n--) functionTypes.push(u32());
    } else if (id === 7) {
      for (let n = u32(); n > 0; n--) {
        const exported = name();
        const kind = bytes[p++];
        const index = u32();
        if (kind === 0) exports.set(exported, index);
      }
    }
    p = end;
  }
  return new Map([...exports].map(([n, index]) => [n, types[functionTypes[index]!]!]));
}
