import { AncState } from "../state";

// Peak limiter with instant attack and exponential release: the output never exceeds the
// threshold, and gain recovers smoothly instead of clicking back. Returns the limited sample.
@inline
export function limit(s: AncState, y: f32): f32 {
  const a = Mathf.abs(y);
  let env = s.limitEnv * s.limitRelease;
  if (a > env) env = a;
  s.limitEnv = env;
  if (env > s.limit) {
    s.limited++;
    const out = y * (s.limit / env);
    // the division can only overshoot by rounding; clamp to keep the DAC in range
    return Mathf.max(-s.limit, Mathf.min(s.limit, out));
  }
  return y;
}
