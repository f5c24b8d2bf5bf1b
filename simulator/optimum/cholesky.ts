// Solving a symmetric positive definite system A x = b by Cholesky factorisation, A = L L^T.

/**
 * Solves A x = b for an n x n SPD matrix stored row-major. A is overwritten by L (lower
 * triangle); b is left as it was. Throws if A is not positive definite.
 */
export function solveCholesky(a: Float64Array, b: ArrayLike<number>, n: number): Float64Array {
  for (let j = 0; j < n; j++) {
    const rowJ = j * n;
    let diag = a[rowJ + j];
    for (let k = 0; k < j; k++) diag -= a[rowJ + k] * a[rowJ + k];
    if (!(diag > 0)) throw new Error(`matrix is not positive definite (pivot ${j})`);
    const ljj = Math.sqrt(diag);
    a[rowJ + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      const rowI = i * n;
      let sum = a[rowI + j];
      for (let k = 0; k < j; k++) sum -= a[rowI + k] * a[rowJ + k];
      a[rowI + j] = sum / ljj;
    }
  }
  // L z = b, then L^T x = z
  const x = Float64Array.from(b);
  for (let i = 0; i < n; i++) {
    let sum = x[i];
    for (let k = 0; k < i; k++) sum -= a[i * n + k] * x[k];
    x[i] = sum / a[i * n + i];
  }
  for (let i = n - 1; i >= 0; i--) {
    let sum = x[i];
    for (let k = i + 1; k < n; k++) sum -= a[k * n + i] * x[k];
    x[i] = sum / a[i * n + i];
  }
  return x;
}
