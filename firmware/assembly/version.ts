// ABI version: major << 16 | minor. A host refuses a module whose major differs from its own.
export const ABI_VERSION: i32 = (1 << 16) | 2;
