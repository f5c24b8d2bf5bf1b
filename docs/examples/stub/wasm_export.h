/*
 * STAND-IN for WAMR's real header core/iwasm/include/wasm_export.h (WAMR 2.x).
 *
 * It exists only so that test/docs/wamr-host-example.test.ts can check docs/examples/wamr-host.c
 * with `gcc -fsyntax-only` without a WAMR checkout. It holds ONLY the declarations that the
 * example uses, with the signatures of WAMR 2.x's wasm_export.h (app offsets are uint64_t since
 * WAMR 2.0). Do not build a host against it: compile and link with the real header and library
 * from https://github.com/bytecodealliance/wasm-micro-runtime instead.
 */
#ifndef _WASM_EXPORT_H
#define _WASM_EXPORT_H

#include <stdbool.h>
#include <stdint.h>

/* from lib_export.h (included by the real wasm_export.h) */
typedef struct NativeSymbol {
    const char *symbol;
    void *func_ptr;
    const char *signature;
    void *attachment;
} NativeSymbol;

struct WASMModuleCommon;
typedef struct WASMModuleCommon *wasm_module_t;

struct WASMModuleInstanceCommon;
typedef struct WASMModuleInstanceCommon *wasm_module_inst_t;

typedef void WASMFunctionInstanceCommon;
typedef WASMFunctionInstanceCommon *wasm_function_inst_t;

struct WASMExecEnv;
typedef struct WASMExecEnv *wasm_exec_env_t;

typedef enum {
    Alloc_With_Pool = 0,
    Alloc_With_Allocator,
    Alloc_With_System_Allocator,
} mem_alloc_type_t;

typedef union MemAllocOption {
    struct {
        void *heap_buf;
        uint32_t heap_size;
    } pool;
    struct {
        void *malloc_func;
        void *realloc_func;
        void *free_func;
        void *user_data;
    } allocator;
} MemAllocOption;

typedef enum RunningMode {
    Mode_Interp = 1,
    Mode_Fast_JIT,
    Mode_LLVM_JIT,
    Mode_Multi_Tier_JIT,
} RunningMode;

typedef struct RuntimeInitArgs {
    mem_alloc_type_t mem_alloc_type;
    MemAllocOption mem_alloc_option;

    const char *native_module_name;
    NativeSymbol *native_symbols;
    uint32_t n_native_symbols;

    uint32_t max_thread_num;

    char ip_addr[128];
    int unused;
    int instance_port;

    uint32_t fast_jit_code_cache_size;
    uint32_t gc_heap_size;
    RunningMode running_mode;
    uint32_t llvm_jit_opt_level;
    uint32_t llvm_jit_size_level;
    uint32_t segue_flags;
    bool enable_linux_perf;
} RuntimeInitArgs;

typedef uint8_t wasm_valkind_t;
enum wasm_valkind_enum {
    WASM_I32,
    WASM_I64,
    WASM_F32,
    WASM_F64,
    WASM_V128,
    WASM_EXTERNREF = 128,
    WASM_FUNCREF,
};

struct wasm_ref_t;

typedef struct wasm_val_t {
    wasm_valkind_t kind;
    uint8_t _paddings[7];
    union {
        int32_t i32;
        int64_t i64;
        float f32;
        double f64;
        uintptr_t foreign;
        struct wasm_ref_t *ref;
    } of;
} wasm_val_t;

bool wasm_runtime_full_init(RuntimeInitArgs *init_args);
void wasm_runtime_destroy(void);

wasm_module_t wasm_runtime_load(uint8_t *buf, uint32_t size, char *error_buf, uint32_t error_buf_size);
void wasm_runtime_unload(wasm_module_t module);

wasm_module_inst_t wasm_runtime_instantiate(const wasm_module_t module, uint32_t default_stack_size,
                                            uint32_t host_managed_heap_size, char *error_buf,
                                            uint32_t error_buf_size);
void wasm_runtime_deinstantiate(wasm_module_inst_t module_inst);

wasm_exec_env_t wasm_runtime_create_exec_env(wasm_module_inst_t module_inst, uint32_t stack_size);
void wasm_runtime_destroy_exec_env(wasm_exec_env_t exec_env);

wasm_function_inst_t wasm_runtime_lookup_function(const wasm_module_inst_t module_inst, const char *name);

uint32_t wasm_func_get_param_count(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst);
uint32_t wasm_func_get_result_count(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst);
void wasm_func_get_param_types(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst,
                               wasm_valkind_t *param_types);
void wasm_func_get_result_types(const wasm_function_inst_t func_inst, const wasm_module_inst_t module_inst,
                                wasm_valkind_t *result_types);

bool wasm_runtime_call_wasm_a(wasm_exec_env_t exec_env, wasm_function_inst_t function, uint32_t num_results,
                              wasm_val_t results[], uint32_t num_args, wasm_val_t *args);

const char *wasm_runtime_get_exception(wasm_module_inst_t module_inst);

bool wasm_runtime_validate_app_addr(wasm_module_inst_t module_inst, uint64_t app_offset, uint64_t size);
void *wasm_runtime_addr_app_to_native(wasm_module_inst_t module_inst, uint64_t app_offset);

#endif /* _WASM_EXPORT_H */
