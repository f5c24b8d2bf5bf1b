// The error mic's converter latency, read off the trace.
//
// trace.secondaryPath runs from the firmware's output buffer to the firmware's error input, so it
// includes the error mic's ADC delay. The disturbance and residual are the sound at the mic, either
// before that delay or already on the firmware's clock, depending on the world. The optimum must
// compare like with like: errorMic(n) is residual(n - L) plus sensor noise, and the lag that best
// lines the two up is the L to take off the path (0 when the world already did).

export const MAX_LATENCY = 32;

export function errorMicLatency(trace: { errorMic: ArrayLike<number>; residual: ArrayLike<number> }, maxLag = MAX_LATENCY): number {
  const { errorMic, residual } = trace;
  let best = 0;
  let bestCorrelation = 0;
  for (let lag = 0; lag <= maxLag; lag++) {
    let correlation = 0;
    for (let n = maxLag; n < errorMic.length; n++) correlation += errorMic[n] * residual[n - lag];
    if (correlation > bestCorrelation) {
      bestCorrelation = correlation;
      best = lag;
    }
  }
  return best;
}
