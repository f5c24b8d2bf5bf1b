// The fixed layout of linear memory. A C host reads the same table in docs/firmware-abi.md.
// Every buffer lives at a constant address so the module never allocates and keeps no mutable globals
// (WAMR takes the first mutable i32 global as its stack pointer once __heap_base is exported).

export const MEMORY_PAGES: i32 = 4; // 256 KiB, initial = maximum (asconfig.json)

export const MAX_BLOCK: i32 = 256; // frames per anc_process call
export const MAX_TAPS: i32 = 512; // controller filter length
export const MAX_SEC_TAPS: i32 = 256; // secondary-path model length
export const MAX_RLS_TAPS: i32 = 32; // RLS keeps an N x N matrix

// Delay lines store the newest sample at the lowest index so every window is one ascending run of
// memory (SIMD-friendly). HIST_KEEP samples survive each wrap; a wrap costs one memory.copy.
export const HIST_LEN: i32 = 2048;
export const HIST_KEEP: i32 = MAX_TAPS + 1;

export const STATE: usize = 0x0400; // engine state (internal, 512 B)
export const STATUS: usize = 0x0600; // status struct read by the host (256 B)

export const IO_REF: usize = 0x0800; // f32[MAX_BLOCK] reference mic in
export const IO_ERR: usize = 0x0c00; // f32[MAX_BLOCK] error (feedback) mic in
export const IO_OUT: usize = 0x1000; // f32[MAX_BLOCK] anti-noise out
export const SEC_PATH_STAGE: usize = 0x1400; // f32[MAX_SEC_TAPS] host writes a new S^ here

export const SEC_PATH: usize = 0x1800; // f32[MAX_SEC_TAPS] secondary-path model S^
export const W_FF: usize = 0x1c00; // f32[MAX_TAPS] feedforward controller
export const W_FB: usize = 0x2400; // f32[MAX_TAPS] feedback controller
export const W_FF_GOOD: usize = 0x2c00; // last stable feedforward coefficients
export const W_FB_GOOD: usize = 0x3400; // last stable feedback coefficients
export const RLS_P: usize = 0x3c00; // f32[MAX_RLS_TAPS * MAX_RLS_TAPS] inverse correlation matrix
export const RLS_PI: usize = 0x4c00; // f32[MAX_RLS_TAPS] P u
export const RLS_K: usize = 0x4c80; // f32[MAX_RLS_TAPS] gain vector

export const HIST_X: usize = 0x5000; // reference x(n)
export const HIST_R: usize = 0x7000; // filtered reference r(n) = S^ * x (or x for plain LMS)
export const HIST_XH: usize = 0x9000; // feedback reference d^(n) = e(n) - S^ * y(n)
export const HIST_RF: usize = 0xb000; // filtered feedback reference S^ * d^
export const HIST_Y: usize = 0xd000; // anti-noise actually played
export const HIST_D: usize = 0xf000; // anti-noise computed but not played (gain, limiter)

// Frequency-domain adaptation (fd-fxlms): FFT size up to FFT_MAX = 2 * MAX_TAPS
export const FFT_MAX: i32 = 1024;
export const FD_U: usize = 0x11000; // complex[FFT_MAX] spectrum of two blocks of r
export const FD_E: usize = 0x13000; // complex[FFT_MAX] spectrum of a block of e_v, then the gradient
export const FD_POW: usize = 0x15000; // f32[FFT_MAX] per-bin power of r
export const FD_R: usize = 0x16000; // f32[FFT_MAX] the last two blocks of r
export const FD_EB: usize = 0x17000; // f32[FFT_MAX / 2] this block's e_v
export const TWIDDLE: usize = 0x17800; // complex[FFT_MAX / 2] FFT twiddle factors
export const ANC_END: usize = 0x18800;

// The compiler's static data (math tables) goes here, after the fixed buffers: asconfig.json sets
// memoryBase to this address, so __heap_base marks the end of everything the module uses and a
// WAMR host that shrinks linear memory to __heap_base keeps every buffer.
export const STATIC_DATA: usize = 0x18800;
export const STATIC_DATA_END: usize = 0x19800; // at most 4 KiB of static data

// 0x19800 .. 0x40000 is reserved for the feature front end, classifier and model blob; whatever
// moves in moves memoryBase above it.
export const RESERVED_START: usize = STATIC_DATA_END;
export const MEMORY_END: usize = <usize>MEMORY_PAGES << 16;
