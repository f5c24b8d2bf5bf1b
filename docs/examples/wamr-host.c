/*
 * wamr-host.c: a minimal native WAMR host for the ANC firmware module (docs/firmware-abi.md).
 *
 * Loads build/firmware.wasm from a byte buffer, checks the ABI version, initialises the engine,
 * sets a parameter, loads a secondary-path model, processes one block and reads the status.
 *
 * Build against WAMR 2.x (core/iwasm/include/wasm_export.h, libiwasm) built with
 * -DWAMR_BUILD_SHRUNK_MEMORY=0 (see "Known issue: WAMR's memory shrinking" in the ABI doc).
 * The module bytes come from e.g. `cd build && xxd -i firmware.wasm > firmware_wasm.c`,
 * which defines firmware_wasm[] and firmware_wasm_len.
 * The test test/docs/wamr-host-example.test.ts compiles this file with `gcc -fsyntax-only`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wasm_export.h"

/* ---- the ABI's numbers (docs/firmware-abi.md) ---- */
#define ANC_ABI_MAJOR 1
#define ANC_OK 0
#define ANC_PARAM_STEP_SIZE 2
#define ANC_MAX_SEC_TAPS 256
#define ANC_ST_FLAGS 4
#define ANC_ST_ATTENUATION_DB 32
#define ANC_ST_RECOVERIES 48
#define ANC_ST_SANITIZED 52
#define ANC_FLAG_INITIALIZED 1u

/* ---- WAMR sizing ---- */
#define ANC_STACK_BYTES (8 * 1024)    /* WAMR operand/call stack of the exec env */
#define ANC_APP_HEAP_BYTES 0          /* must be 0: the module allocates nothing */
/* Runtime structures (module, instance, exec env, stack) need well under 64 KiB. Depending on
   the WAMR port, the module's 256 KiB linear memory is also taken from this pool. */
#define ANC_POOL_BYTES (64 * 1024 + 256 * 1024)

extern unsigned char firmware_wasm[]; /* writable: WAMR may patch it; keep until unload */
extern unsigned int firmware_wasm_len;

static uint8_t wamr_pool[ANC_POOL_BYTES] __attribute__((aligned(8)));

typedef struct {
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    wasm_function_inst_t abi_version, init, set_param, set_secondary_path, process;
    int32_t max_block;
    float *ref, *err, *out, *sec_stage; /* native views of the exported buffers */
    const uint8_t *status;
} anc_host_t;

/* Every export returns exactly one value. Returns false on a trap (never expected). */
static bool anc_call(anc_host_t *h, wasm_function_inst_t fn, uint32_t nargs, wasm_val_t *args,
                     wasm_val_t *result)
{
    if (!wasm_runtime_call_wasm_a(h->env, fn, 1, result, nargs, args)) {
        fprintf(stderr, "anc: trap: %s\n", wasm_runtime_get_exception(h->inst));
        return false;
    }
    return true;
}

static int32_t anc_call_i32(anc_host_t *h, wasm_function_inst_t fn, uint32_t nargs, wasm_val_t *args)
{
    wasm_val_t r = { .kind = WASM_I32 };
    return anc_call(h, fn, nargs, args, &r) ? r.of.i32 : INT32_MIN;
}

static wasm_function_inst_t anc_lookup(anc_host_t *h, const char *name)
{
    wasm_function_inst_t fn = wasm_runtime_lookup_function(h->inst, name);
    if (!fn)
        fprintf(stderr, "anc: export %s missing\n", name);
    return fn;
}

/* A buffer export (no arguments, returns a uint32_t offset) as a native pointer. */
static void *anc_buffer(anc_host_t *h, const char *export_name, uint32_t bytes)
{
    wasm_function_inst_t fn = anc_lookup(h, export_name);
    if (!fn)
        return NULL;
    int32_t offset = anc_call_i32(h, fn, 0, NULL);
    if (offset <= 0 || !wasm_runtime_validate_app_addr(h->inst, (uint64_t)(uint32_t)offset, bytes))
        return NULL;
    /* stable for the life of the instance: the module never grows its memory */
    return wasm_runtime_addr_app_to_native(h->inst, (uint64_t)(uint32_t)offset);
}

static float status_f32(const anc_host_t *h, uint32_t offset)
{
    float v;
    memcpy(&v, h->status + offset, sizeof v); /* linear memory is little-endian, as the MCU */
    return v;
}

static int32_t status_i32(const anc_host_t *h, uint32_t offset)
{
    int32_t v;
    memcpy(&v, h->status + offset, sizeof v);
    return v;
}

static void anc_close(anc_host_t *h)
{
    if (h->env)
        wasm_runtime_destroy_exec_env(h->env);
    if (h->inst)
        wasm_runtime_deinstantiate(h->inst);
    if (h->module)
        wasm_runtime_unload(h->module);
    memset(h, 0, sizeof *h);
}

static bool anc_open(anc_host_t *h, uint8_t *wasm, uint32_t wasm_len, int32_t sample_rate)
{
    char error[128];
    wasm_val_t arg;
    int32_t rc;

    memset(h, 0, sizeof *h);
    h->module = wasm_runtime_load(wasm, wasm_len, error, sizeof error);
    if (!h->module) {
        fprintf(stderr, "anc: load: %s\n", error);
        return false;
    }
    h->inst = wasm_runtime_instantiate(h->module, ANC_STACK_BYTES, ANC_APP_HEAP_BYTES, error, sizeof error);
    if (!h->inst) {
        fprintf(stderr, "anc: instantiate: %s\n", error);
        goto fail;
    }
    h->env = wasm_runtime_create_exec_env(h->inst, ANC_STACK_BYTES);
    if (!h->env)
        goto fail;

    h->abi_version = anc_lookup(h, "anc_abi_version");
    h->init = anc_lookup(h, "anc_init");
    h->set_param = anc_lookup(h, "anc_set_param");
    h->set_secondary_path = anc_lookup(h, "anc_set_secondary_path");
    h->process = anc_lookup(h, "anc_process");
    wasm_function_inst_t max_block = anc_lookup(h, "anc_max_block");
    if (!h->abi_version || !h->init || !h->set_param || !h->set_secondary_path || !h->process || !max_block)
        goto fail;

    rc = anc_call_i32(h, h->abi_version, 0, NULL);
    if (((uint32_t)rc >> 16) != ANC_ABI_MAJOR) {
        fprintf(stderr, "anc: module ABI %u.%u, host speaks %d.x\n", (unsigned)((uint32_t)rc >> 16),
                (unsigned)(rc & 0xffff), ANC_ABI_MAJOR);
        goto fail;
    }
    h->max_block = anc_call_i32(h, max_block, 0, NULL);
    if (h->max_block < 1)
        goto fail;

    uint32_t block_bytes = (uint32_t)h->max_block * sizeof(float);
    h->ref = anc_buffer(h, "anc_ref_ptr", block_bytes);
    h->err = anc_buffer(h, "anc_err_ptr", block_bytes);
    h->out = anc_buffer(h, "anc_out_ptr", block_bytes);
    h->sec_stage = anc_buffer(h, "anc_secondary_path_ptr", ANC_MAX_SEC_TAPS * sizeof(float));
    h->status = anc_buffer(h, "anc_status_ptr", 128);
    if (!h->ref || !h->err || !h->out || !h->sec_stage || !h->status)
        goto fail;

    arg = (wasm_val_t){ .kind = WASM_I32, .of.i32 = sample_rate };
    rc = anc_call_i32(h, h->init, 1, &arg);
    if (rc != ANC_OK) {
        fprintf(stderr, "anc: anc_init(%d) = %d\n", (int)sample_rate, (int)rc);
        goto fail;
    }
    return true;

fail:
    anc_close(h);
    return false;
}

static int32_t anc_set_param(anc_host_t *h, int32_t id, float value)
{
    wasm_val_t args[2] = {
        { .kind = WASM_I32, .of.i32 = id },
        { .kind = WASM_F32, .of.f32 = value },
    };
    return anc_call_i32(h, h->set_param, 2, args);
}

static int32_t anc_set_secondary_path(anc_host_t *h, const float *taps, int32_t len)
{
    if (len < 0 || len > ANC_MAX_SEC_TAPS)
        return -6; /* ANC_ERR_BAD_LENGTH, as the module would answer */
    memcpy(h->sec_stage, taps, (size_t)len * sizeof(float));
    wasm_val_t arg = { .kind = WASM_I32, .of.i32 = len };
    return anc_call_i32(h, h->set_secondary_path, 1, &arg);
}

/* One block: ref/err in, anti-noise out. Returns frames, or a negative error code. */
static int32_t anc_process_block(anc_host_t *h, const float *ref, const float *err, float *out, int32_t frames)
{
    if (frames < 1 || frames > h->max_block)
        return -2; /* ANC_ERR_BAD_FRAMES */
    memcpy(h->ref, ref, (size_t)frames * sizeof(float));
    memcpy(h->err, err, (size_t)frames * sizeof(float));
    wasm_val_t arg = { .kind = WASM_I32, .of.i32 = frames };
    int32_t rc = anc_call_i32(h, h->process, 1, &arg);
    if (rc == frames)
        memcpy(out, h->out, (size_t)frames * sizeof(float));
    return rc;
}

int main(void)
{
    static RuntimeInitArgs init_args; /* zeroed: interpreter, no native symbols */
    anc_host_t anc;
    enum { FRAMES = 64 };
    float ref[FRAMES], err[FRAMES], out[FRAMES];
    static const float sec_path[4] = { 0.0f, 0.6f, 0.25f, -0.1f }; /* S^ measured at calibration */
    int status = 1;

    init_args.mem_alloc_type = Alloc_With_Pool;
    init_args.mem_alloc_option.pool.heap_buf = wamr_pool;
    init_args.mem_alloc_option.pool.heap_size = sizeof wamr_pool;
    if (!wasm_runtime_full_init(&init_args)) {
        fprintf(stderr, "anc: wasm_runtime_full_init failed\n");
        return 1;
    }
    if (!anc_open(&anc, firmware_wasm, firmware_wasm_len, 48000))
        goto done;

    if (anc_set_param(&anc, ANC_PARAM_STEP_SIZE, 0.05f) != ANC_OK)
        goto close;
    if (anc_set_secondary_path(&anc, sec_path, 4) != ANC_OK)
        goto close;

    for (int i = 0; i < FRAMES; i++) { /* in a headset: the codec's DMA buffers */
        ref[i] = 0.1f * (float)((i % 16) - 8) / 8.0f;
        err[i] = 0.8f * ref[i];
    }
    int32_t rc = anc_process_block(&anc, ref, err, out, FRAMES);
    if (rc != FRAMES) {
        fprintf(stderr, "anc: anc_process = %d\n", (int)rc);
        goto close;
    }
    if (!(status_i32(&anc, ANC_ST_FLAGS) & ANC_FLAG_INITIALIZED))
        goto close;
    printf("attenuation %.1f dB, recoveries %d, sanitized %d, out[0] %f\n",
           status_f32(&anc, ANC_ST_ATTENUATION_DB), (int)status_i32(&anc, ANC_ST_RECOVERIES),
           (int)status_i32(&anc, ANC_ST_SANITIZED), out[0]);
    status = 0;

close:
    anc_close(&anc);
done:
    wasm_runtime_destroy();
    return status;
}
