// MFCC: the first `count` coefficients of the orthonormal DCT-II of `n` log-mel values,
// c_k = s_k sum_m x_m cos(pi k (m + 1/2) / n), s_0 = sqrt(1/n), s_k = sqrt(2/n). A cosine table
// would need up to 128 x 128 x 4 = 64 KiB; instead the cosines of each row come from the
// Chebyshev recurrence cos((m+1)t) = 2 cos(t) cos(mt) - cos((m-1)t) in f64 (two Math.cos per row,
// error far below f32 resolution at n <= 128).

export function dctII(src: usize, dst: usize, n: i32, count: i32): void {
  const fn = <f64>n;
  for (let k = 0; k < count; k++) {
    const t = (Math.PI * <f64>k) / fn;
    const c1 = 2 * Math.cos(t);
    let prev = Math.cos(-0.5 * t); // cos(t (m - 1/2)) at m = 0
    let cur = Math.cos(0.5 * t); // cos(t (m + 1/2)) at m = 0
    let sum: f64 = 0;
    for (let m = 0; m < n; m++) {
      sum += <f64>load<f32>(src + (<usize>m << 2)) * cur;
      const next = c1 * cur - prev;
      prev = cur;
      cur = next;
    }
    const s = k == 0 ? Math.sqrt(1 / fn) : Math.sqrt(2 / fn);
    store<f32>(dst + (<usize>k << 2), <f32>(s * sum));
  }
}
