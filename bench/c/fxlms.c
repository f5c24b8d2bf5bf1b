/*
 * The firmware's FxLMS per-sample loop (firmware/assembly/anc/engine.ts, feedforward normalised
 * filtered-x, with its kernels from dsp/kernels.ts, scalar build) in float32 C, as a native host's
 * compiler would see it: the yardstick for the wasm builds. Same delay-line layout, same fused
 * update/dot kernel unrolled by four with four accumulators, same S^ filtering from its first
 * non-zero tap, virtual error, NLMS power floor, decimated powers, ramps, limiter and per-block
 * coefficient norm.
 *
 * usage: fxlms <input> <output> <taps> <secTaps> <block> <stepSize> <repetitions>
 *   input: float32 ref[samples], err[samples], sec[secTaps]; samples = (size - 4 secTaps) / 8
 *   output: float32 out[samples] of the last repetition
 * prints: samples_per_second=<best of the repetitions>
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_TAPS 512
#define MAX_SEC_TAPS 256
#define MAX_BLOCK 256
#define HIST_LEN 2048
#define HIST_KEEP (MAX_TAPS + 1)
#define HIST_START (HIST_LEN - HIST_KEEP)

static float hx[HIST_LEN], hr[HIST_LEN], hy[HIST_LEN], hd[HIST_LEN];
static float w[MAX_TAPS], sec[MAX_SEC_TAPS];
static float io_ref[MAX_BLOCK], io_err[MAX_BLOCK], io_out[MAX_BLOCK];

struct state {
  int taps, sec_taps, sec_lead, pos, dirty_d, decim, sanitized, limited;
  float step, gain_now, mu_now, ramp_coef, pow_coef, pow_r, avg_r, avg_coef, e_pow, d_pow, eps, limit, limit_env, limit_release, coef_norm;
};

static inline float dot(const float *a, const float *b, int n) {
  float acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    acc0 += a[i] * b[i];
    acc1 += a[i + 1] * b[i + 1];
    acc2 += a[i + 2] * b[i + 2];
    acc3 += a[i + 3] * b[i + 3];
  }
  acc0 += acc2;
  acc1 += acc3;
  for (; i < n; i++) acc0 += a[i] * b[i];
  return acc0 + acc1;
}

static inline float update_dot(float *wp, const float *r, const float *x, int n, float g) {
  float acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
  int i = 0;
  for (; i + 4 <= n; i += 4) {
    const float w0 = wp[i] + g * r[i], w1 = wp[i + 1] + g * r[i + 1];
    const float w2 = wp[i + 2] + g * r[i + 2], w3 = wp[i + 3] + g * r[i + 3];
    wp[i] = w0;
    wp[i + 1] = w1;
    wp[i + 2] = w2;
    wp[i + 3] = w3;
    acc0 += w0 * x[i];
    acc1 += w1 * x[i + 1];
    acc2 += w2 * x[i + 2];
    acc3 += w3 * x[i + 3];
  }
  acc0 += acc2;
  acc1 += acc3;
  for (; i < n; i++) {
    const float wi = wp[i] + g * r[i];
    wp[i] = wi;
    acc0 += wi * x[i];
  }
  return acc0 + acc1;
}

static inline int advance(int pos) {
  if (pos > 0) return pos - 1;
  const size_t bytes = (HIST_KEEP - 1) * sizeof(float);
  memmove(hx + HIST_START + 1, hx, bytes);
  memmove(hr + HIST_START + 1, hr, bytes);
  memmove(hy + HIST_START + 1, hy, bytes);
  memmove(hd + HIST_START + 1, hd, bytes);
  return HIST_START;
}

static inline float sanitize(float v, struct state *s) {
  if (fabsf(v) <= 1) return v;
  s->sanitized++;
  return isnan(v) ? 0 : copysignf(1, v);
}

static inline float limit(struct state *s, float y) {
  const float a = fabsf(y);
  float env = s->limit_env * s->limit_release;
  if (a > env) env = a;
  s->limit_env = env;
  if (env > s->limit) {
    s->limited++;
    const float out = y * (s->limit / env);
    return fmaxf(-s->limit, fminf(s->limit, out));
  }
  return y;
}

static void process_block(struct state *s, int frames) {
  const int n = s->taps, lead = s->sec_lead, ml = s->sec_taps - lead;
  const float *sl = sec + lead;
  const float rc = s->ramp_coef, pc = s->pow_coef, ac = s->avg_coef, eps = s->eps;
  int pos = s->pos, dirty_d = s->dirty_d, decim = s->decim;
  float gain_now = s->gain_now, mu = s->mu_now, pow_r = s->pow_r, avg_r = s->avg_r, e_pow = s->e_pow, d_pow = s->d_pow;
  for (int k = 0; k < frames; k++) {
    const float x = sanitize(io_ref[k], s);
    const float e = sanitize(io_err[k], s);
    gain_now += (1 - gain_now) * rc;
    if (fabsf(gain_now - 1) < 1e-6f) gain_now = 1;
    mu += (s->step - mu) * rc;
    if (fabsf(mu - s->step) < 1e-9f) mu = s->step;
    pos = advance(pos);
    hx[pos] = x;
    float ev = e;
    if (dirty_d > 0) {
      ev += dot(sl, hd + pos + lead, ml);
      dirty_d--;
    }
    const int status_tick = (decim & 3) == 0;
    decim++;
    if (status_tick) {
      const float dh = e - dot(sl, hy + pos + lead, ml);
      e_pow += (e * e - e_pow) * pc;
      d_pow += (dh * dh - d_pow) * pc;
    }
    const float r = dot(sl, hx + pos + lead, ml);
    hr[pos] = r;
    const float old = hr[pos + n];
    pow_r += r * r - old * old;
    avg_r += (r * r - avg_r) * ac;
    const float g = (-mu * ev) / (eps + fmaxf(pow_r, n * avg_r));
    float y = update_dot(w, hr + pos, hx + pos, n, g);
    if (!isfinite(y)) y = 0;
    const float out = limit(s, y * gain_now);
    io_out[k] = out;
    hy[pos] = out;
    const float unplayed = y - out;
    hd[pos] = unplayed;
    if (unplayed != 0) dirty_d = s->sec_taps;
  }
  s->pos = pos;
  s->dirty_d = dirty_d;
  s->decim = decim;
  s->gain_now = gain_now;
  s->mu_now = mu;
  s->pow_r = pow_r;
  s->avg_r = avg_r;
  s->e_pow = e_pow;
  s->d_pow = d_pow;
  s->coef_norm = sqrtf(dot(w, w, n)); /* the stability guard's per-block norm */
}

static void reset(struct state *s, int taps, int sec_taps, float step) {
  memset(hx, 0, sizeof hx);
  memset(hr, 0, sizeof hr);
  memset(hy, 0, sizeof hy);
  memset(hd, 0, sizeof hd);
  memset(w, 0, sizeof w);
  memset(s, 0, sizeof *s);
  s->taps = taps;
  s->sec_taps = sec_taps;
  s->pos = HIST_START;
  s->step = s->mu_now = step;
  s->gain_now = 1;
  s->ramp_coef = 1 - expf(-1000.0f / (5.0f * 48000));
  s->pow_coef = 1 - expf(-1000.0f / (20.0f * 12000));
  s->avg_coef = 1 - expf(-1000.0f / (25.0f * 48000));
  s->sec_lead = 1;
  while (s->sec_lead < sec_taps - 1 && sec[s->sec_lead] == 0) s->sec_lead++;
  s->limit_release = 1 - (1 - expf(-1000.0f / (50.0f * 48000)));
  s->eps = 1e-6f;
  s->limit = 0.95f;
}

static double now(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec + t.tv_nsec * 1e-9;
}

int main(int argc, char **argv) {
  if (argc != 8) {
    fprintf(stderr, "usage: %s input output taps secTaps block stepSize repetitions\n", argv[0]);
    return 2;
  }
  const int taps = atoi(argv[3]), sec_taps = atoi(argv[4]), block = atoi(argv[5]), reps = atoi(argv[7]);
  const float step = strtof(argv[6], NULL);
  if (taps < 1 || taps > MAX_TAPS || sec_taps < 2 || sec_taps > MAX_SEC_TAPS || block < 1 || block > MAX_BLOCK) {
    fprintf(stderr, "argument out of range\n");
    return 2;
  }
  FILE *f = fopen(argv[1], "rb");
  if (!f) return perror(argv[1]), 1;
  fseek(f, 0, SEEK_END);
  const long size = ftell(f);
  rewind(f);
  const long samples = (size / 4 - sec_taps) / 2;
  float *data = malloc(size), *out = malloc(samples * sizeof(float));
  if (fread(data, 1, size, f) != (size_t)size) return perror(argv[1]), 1;
  fclose(f);
  memcpy(sec, data + 2 * samples, sec_taps * sizeof(float));
  sec[0] = 0; /* as anc_set_secondary_path: anti-noise for sample n cannot reach mic sample n */

  struct state s;
  double best = 1e30;
  const long usable = samples - samples % block;
  for (int rep = 0; rep < reps; rep++) {
    reset(&s, taps, sec_taps, step);
    const double t0 = now();
    for (long i = 0; i < usable; i += block) {
      memcpy(io_ref, data + i, block * sizeof(float));
      memcpy(io_err, data + samples + i, block * sizeof(float));
      process_block(&s, block);
      memcpy(out + i, io_out, block * sizeof(float));
    }
    const double t = now() - t0;
    if (t < best) best = t;
  }
  f = fopen(argv[2], "wb");
  if (!f) return perror(argv[2]), 1;
  fwrite(out, sizeof(float), usable, f);
  fclose(f);
  /* printing the state keeps the compiler from dropping work whose result the loop never reads */
  printf("samples_per_second=%.0f coef_norm=%g e_pow=%g d_pow=%g sanitized=%d limited=%d\n", usable / best,
         s.coef_norm, s.e_pow, s.d_pow, s.sanitized, s.limited);
  return 0;
}
