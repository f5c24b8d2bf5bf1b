/*
 * wamr-host.c: a minimal native WAMR host for the ANC firmware module (docs/firmware-abi.md).
 *
 * Loads build/firmware.wasm from a byte buffer, checks the ABI version and the signature of every
 * export it calls, initialises the engine, sets a parameter, loads a secondary-path model and a
 * classifier model blob (docs/model-format.md), processes one block and reads the status: the
 * ANC's figures, the noise class and its confidence, and the emergency detector's state.
 *
 * Build against WAMR 2.x (core/iwasm/include/wasm_export.h, libiwasm) built with
 * -DWAMR_BUILD_SHRUNK_MEMORY=0 (see "Known issue: WAMR's memory shrinking" in the ABI doc).
 * The module bytes come from e.g. `cd build && xxd -i firmware.wasm > firmware_wasm.c`,
 * which defines firmware_wasm[] and firmware_wasm_len; the model's from
 * `cd models && xxd -i default.ancm > default_ancm.c` (default_ancm[], default_ancm_len).
 * The test test/docs/wamr-host-example.test.ts compiles this file with `gcc -fsyntax-only`.
 */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "wasm_export.h"

/* ---- the ABI's numbers (docs/firmware-abi.md; the test checks them against the sources) ---- */
#define ANC_ABI_MAJOR 1
#define ANC_OK 0
#define ANC_ERR_BAD_FRAMES (-2)
#define ANC_ERR_BAD_LENGTH (-6)
#define ANC_PARAM_STEP_SIZE 2
#define ANC_MAX_SEC_TAPS 256
#define ANC_MODEL_SLOT_BYTES 65536u /* one model slot: the largest blob anc_load_model takes (1.1) */
#define ANC_ST_FLAGS 4
#define ANC_ST_ATTENUATION_DB 32
#define ANC_ST_RECOVERIES 48
#define ANC_ST_SANITIZED 52
#define ANC_ST_NOISE_CLASS 96        /* 1.1 */
#define ANC_ST_CONFIDENCE 100        /* 1.1 */
#define ANC_ST_MODEL_VERSION 104     /* 1.1 */
#define ANC_ST_EMERGENCY_STATE 112   /* 1.2 */
#define ANC_ST_EMERGENCY_EVENTS 116  /* 1.2 */
#define ANC_ST_MODEL_ERROR 120       /* 1.1 */
#define ANC_FLAG_INITIALIZED 1u

/* ---- WAMR sizing ---- */
#define ANC_STACK_BYTES (8 * 1024)    /* WAMR operand/call stack of the exec env */
#define ANC_APP_HEAP_BYTES 0          /* must be 0: the module allocates nothing */
/* Runtime structures (module, instance, exec env, stack) need well under 64 KiB. Depending on
   the WAMR port, the module's 256 KiB linear memory is also taken from this pool. */
#define ANC_POOL_BYTES (64 * 1024 + 256 * 1024)

extern unsigned char firmware_wasm[]; /* writable: WAMR may patch it; keep until unload */
extern unsigned int firmware_wasm_len;
extern const unsigned char default_ancm[]; /* a model blob; the module copies nothing out of it */
extern unsigned int default_ancm_len;

/* Every export the host calls, with its WebAssembly signature ('i' i32, 'f' f32: parameters, then
   the one result). anc_lookup checks each against the module, so a module built for another ABI is
   refused before a call could hand it the wrong arguments. test/docs/wamr-host-example.test.ts
   checks this table against the built modules' exports. */
typedef struct {
    const char *name;
    const char *params;
    const char *result;
} anc_export_t;

static const anc_export_t anc_exports[] = {
    { "anc_abi_version", "", "i" },
    { "anc_max_block", "", "i" },
    { "anc_init", "i", "i" },
    { "anc_set_param", "if", "i" },
    { "anc_set_secondary_path", "i", "i" },
    { "anc_process", "i", "i" },
    { "anc_ref_ptr", "", "i" },
    { "anc_err_ptr", "", "i" },
    { "anc_out_ptr", "", "i" },
    { "anc_secondary_path_ptr", "", "i" },
    { "anc_status_ptr", "", "i" },
    { "anc_model_ptr", "", "i" },  /* 1.1 */
    { "anc_load_model", "i", "i" }, /* 1.1 */
};

static uint8_t wamr_pool[ANC_POOL_BYTES] __attribute__((aligned(8)));

typedef struct {
    wasm_module_t module;
    wasm_module_inst_t inst;
    wasm_exec_env_t env;
    wasm_function_inst_t abi_version, init, set_param, set_secondary_path, process;
    wasm_function_inst_t model_ptr, load_model; /* 1.1 */
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

static char anc_kind_letter(wasm_valkind_t kind)
{
    return kind == WASM_I32 ? 'i' : kind == WASM_F32 ? 'f' : kind == WASM_I64 ? 'I' : kind == WASM_F64 ? 'F' : '?';
}

/* Does fn take exactly `params` and return exactly `result` (letters as in anc_exports)? */
static bool anc_signature_is(anc_host_t *h, wasm_function_inst_t fn, const char *params, const char *result)
{
    wasm_valkind_t kinds[4];
    uint32_t np = wasm_func_get_param_count(fn, h->inst);
    uint32_t nr = wasm_func_get_result_count(fn, h->inst);
    if (np != strlen(params) || nr != strlen(result) || np > 4 || nr > 1)
        return false;
    wasm_func_get_param_types(fn, h->inst, kinds);
    for (uint32_t i = 0; i < np; i++)
        if (anc_kind_letter(kinds[i]) != params[i])
            return false;
    wasm_func_get_result_types(fn, h->inst, kinds);
    return nr == 0 || anc_kind_letter(kinds[0]) == result[0];
}

/* An export of anc_exports, found and its signature checked; NULL (and a message) otherwise. */
static wasm_function_inst_t anc_lookup(anc_host_t *h, const char *name)
{
    for (size_t i = 0; i < sizeof anc_exports / sizeof anc_exports[0]; i++) {
        const anc_export_t *e = &anc_exports[i];
        if (strcmp(e->name, name) != 0)
            continue;
        wasm_function_inst_t fn = wasm_runtime_lookup_function(h->inst, name);
        if (!fn)
            fprintf(stderr, "anc: export %s missing\n", name);
        else if (!anc_signature_is(h, fn, e->params, e->result))
            fprintf(stderr, "anc: export %s is not (%s) -> %s\n", name, e->params, e->result);
        else
            return fn;
        return NULL;
    }
    fprintf(stderr, "anc: %s is not in anc_exports\n", name);
    return NULL;
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

static uint32_t status_u32(const anc_host_t *h, uint32_t offset)
{
    uint32_t v;
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
    h->model_ptr = anc_lookup(h, "anc_model_ptr");
    h->load_model = anc_lookup(h, "anc_load_model");
    wasm_function_inst_t max_block = anc_lookup(h, "anc_max_block");
    if (!h->abi_version || !h->init || !h->set_param || !h->set_secondary_path || !h->process || !h->model_ptr ||
        !h->load_model || !max_block)
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
        return ANC_ERR_BAD_LENGTH; /* as the module would answer */
    memcpy(h->sec_stage, taps, (size_t)len * sizeof(float));
    wasm_val_t arg = { .kind = WASM_I32, .of.i32 = len };
    return anc_call_i32(h, h->set_secondary_path, 1, &arg);
}

/* One block: ref/err in, anti-noise out. Returns frames, or a negative error code. */
static int32_t anc_process_block(anc_host_t *h, const float *ref, const float *err, float *out, int32_t frames)
{
    if (frames < 1 || frames > h->max_block)
        return ANC_ERR_BAD_FRAMES;
    memcpy(h->ref, ref, (size_t)frames * sizeof(float));
    memcpy(h->err, err, (size_t)frames * sizeof(float));
    wasm_val_t arg = { .kind = WASM_I32, .of.i32 = frames };
    int32_t rc = anc_call_i32(h, h->process, 1, &arg);
    if (rc == frames)
        memcpy(out, h->out, (size_t)frames * sizeof(float));
    return rc;
}

/*
 * Loads a classifier model blob (1.1), between two blocks: copies it into the slot anc_model_ptr()
 * names (the inactive one; the two slots alternate, so ask before every load) and lets
 * anc_load_model validate it there. Returns ANC_OK, or an ANC_ERR_MODEL_* code (also in status
 * model_error) while the running model, if any, keeps running untouched.
 */
static int32_t anc_load_model(anc_host_t *h, const uint8_t *blob, uint32_t len)
{
    int32_t slot = anc_call_i32(h, h->model_ptr, 0, NULL);
    if (slot <= 0 || !wasm_runtime_validate_app_addr(h->inst, (uint64_t)(uint32_t)slot, ANC_MODEL_SLOT_BYTES))
        return INT32_MIN;
    /* a blob longer than a slot is not copied: the module refuses its length (ANC_ERR_MODEL_LENGTH) */
    if (len <= ANC_MODEL_SLOT_BYTES)
        memcpy(wasm_runtime_addr_app_to_native(h->inst, (uint64_t)(uint32_t)slot), blob, len);
    wasm_val_t arg = { .kind = WASM_I32, .of.i32 = len <= ANC_MODEL_SLOT_BYTES ? (int32_t)len : INT32_MAX };
    return anc_call_i32(h, h->load_model, 1, &arg);
}

/* What the classifier (1.1) and the emergency detector (1.2) report after a block. */
typedef struct {
    int32_t noise_class;       /* index into the blob's class table; -1: none (no model, too early, below threshold) */
    float confidence;          /* smoothed score of the arg-max class */
    uint32_t model_version;    /* major << 16 | minor << 8 | patch; 0: no model */
    uint32_t emergency_state;  /* 0 none, 1 siren, 2 alarm, 3 horn: the anti-noise fades to transparency */
    uint32_t emergency_events; /* emergencies detected since anc_init */
    int32_t model_error;       /* the last anc_load_model result */
} anc_listening_t;

static anc_listening_t anc_listening(const anc_host_t *h)
{
    anc_listening_t l = {
        .noise_class = status_i32(h, ANC_ST_NOISE_CLASS),
        .confidence = status_f32(h, ANC_ST_CONFIDENCE),
        .model_version = status_u32(h, ANC_ST_MODEL_VERSION),
        .emergency_state = status_u32(h, ANC_ST_EMERGENCY_STATE),
        .emergency_events = status_u32(h, ANC_ST_EMERGENCY_EVENTS),
        .model_error = status_i32(h, ANC_ST_MODEL_ERROR),
    };
    return l;
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
    /* after anc_init, which forgets any model; a refused blob changes nothing (here: no classifier) */
    int32_t loaded = anc_load_model(&anc, default_ancm, default_ancm_len);
    if (loaded != ANC_OK)
        fprintf(stderr, "anc: model refused: %d (running without a classifier)\n", (int)loaded);

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
    /* one block is too short for a decision (class -1 until the model's context, 0.41 s for the
       default one, has been heard); a headset reads this after every block */
    anc_listening_t l = anc_listening(&anc);
    static const char *const emergency_names[] = { "none", "siren", "alarm", "horn" };
    printf("model %u.%u.%u (load %d): class %d, confidence %.2f; emergency %s, %u so far\n",
           (unsigned)(l.model_version >> 16), (unsigned)((l.model_version >> 8) & 0xff),
           (unsigned)(l.model_version & 0xff), (int)l.model_error, (int)l.noise_class, l.confidence,
           l.emergency_state < 4 ? emergency_names[l.emergency_state] : "unknown", (unsigned)l.emergency_events);
    status = 0;

close:
    anc_close(&anc);
done:
    wasm_runtime_destroy();
    return status;
}
