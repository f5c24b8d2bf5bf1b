// The firmware's algorithm names in ABI order (id = index; firmware/assembly/algorithms.ts).
// Kept apart from the loader so code that never runs the module (the fleet's shadow schema)
// shares the one list.
export const ALGORITHMS = ['lms', 'nlms', 'leaky-nlms', 'fxlms', 'fb-fxlms', 'hybrid', 'rls', 'fd-fxlms'] as const;
export type AlgorithmName = (typeof ALGORITHMS)[number];
