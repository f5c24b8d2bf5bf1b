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
// Emergency detector (ABI 1.2), in the room left after RLS_K: its state, one noise floor per
// FFT bin it watches and its tone tracks. Its frame is read straight from HIST_X (the newest 513
// reference samples are always there) and its FFT runs in FE_FFT, idle between the classifier's frames.
export const EMG_STATE: usize = 0x4d00; // detector state (EmergencyState in emergency/detector-state.ts, 256 B)
export const EMG_FLOOR: usize = 0x4e00; // f32[EMG_MAX_BINS] per-bin noise floor of the reference mic
export const EMG_MAX_BINS: i32 = 64;
export const EMG_TRACKS: usize = 0x4f00; // ToneTrack[EMG_MAX_TRACKS] (emergency/detector-state.ts, 36 B each)
export const EMG_MAX_TRACKS: i32 = 7;

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
export const ANC_END: usize = 0x18800; // anc_init zeroes STATE .. ANC_END

// Feature front end and classifier (ABI 1.1). Sizes follow from the model format's limits:
// fft_size <= FFT_MAX (the twiddle table is shared), F <= 128 features, F x context <= 2048
// network inputs, layers of at most 2048 elements, at most 32 classes.
export const FE_RING_LEN: i32 = 1536; // decimated reference samples kept: a 1024-sample frame, a 256-sample block, queued hops
export const FE_MAX_FEATURES: i32 = 128;
export const FE_MAX_INPUT: i32 = 2048;
export const FE_MAX_CLASSES: i32 = 32;
export const FE_RING: usize = 0x18800; // f32[FE_RING_LEN] decimated reference mic, a ring
export const FE_FFT: usize = 0x1a000; // complex[FFT_MAX / 2] real FFT work area (packed), then the network's activations
export const FE_ACT_A: usize = 0x1a000; // i8[2048] activations (ping), shares FE_FFT: the FFT is done before the network runs
export const FE_ACT_B: usize = 0x1a800; // i8[2048] activations (pong)
export const FE_HIST: usize = 0x1b000; // f32[FE_MAX_INPUT] feature history: context_frames frames of F, a ring of frames
export const FE_WINDOW: usize = 0x1d000; // f32[FFT_MAX / 2 + 1] window, first half (windows are symmetric)
export const FE_MEL_W: usize = 0x1d810; // f32[FFT_MAX / 2 + 1] per FFT bin: weight on the rising edge of its mel segment
export const FE_MEL_SEG: usize = 0x1e020; // i16[FFT_MAX / 2 + 1] per FFT bin: its mel segment, -1 outside fmin..fmax
export const FE_FEATURES: usize = 0x1e430; // f32[FE_MAX_FEATURES] the latest feature frame (anc_features_ptr)
export const FE_MELS: usize = 0x1e630; // f32[FE_MAX_FEATURES] mel energies, then log-mel (before the DCT)
export const FE_LOGITS: usize = 0x1e830; // f32[FE_MAX_CLASSES] last inference: logits
export const FE_SCORES: usize = 0x1e8b0; // f32[FE_MAX_CLASSES] last inference: softmax (or the logits)
export const FE_SMOOTH: usize = 0x1e930; // f32[FE_MAX_CLASSES] smoothed scores
export const FE_STATE: usize = 0x1e9b0; // classifier state (ClassifierState in classifier/classifier-state.ts, 256 B)
export const CRC_TABLE: usize = 0x1eab0; // u32[256] CRC-32 table, filled by anc_init
export const FE_END: usize = 0x1eeb0;

// Two model slots of 64 KiB (the largest blob): the host writes a blob into the inactive one
// (anc_model_ptr) and anc_load_model validates it in place, then makes it active, so a refused
// blob never touches the running model.
export const MODEL_SLOT_BYTES: i32 = 65536;
export const MODEL_A: usize = 0x1f000;
export const MODEL_B: usize = 0x2f000;
export const MODEL_END: usize = 0x3f000;

// The compiler's static data (math tables) goes here, after every fixed buffer: asconfig.json sets
// memoryBase to this address, so __heap_base marks the end of everything the module uses and a
// WAMR host that shrinks linear memory to __heap_base keeps every buffer.
export const STATIC_DATA: usize = 0x3f000;
export const STATIC_DATA_END: usize = 0x40000; // at most 4 KiB of static data

export const MEMORY_END: usize = <usize>MEMORY_PAGES << 16;
