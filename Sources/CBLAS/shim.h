#ifndef CONSORTIUM_CBLAS_SHIM_H
#define CONSORTIUM_CBLAS_SHIM_H
#include <cblas.h>
#if defined(__GLIBC__)
#include <malloc.h>
#endif

/* A read prefetch into every cache level (Swift has no spelling for it). The skinny products stream weights that
   do not fit in the last-level cache; hardware prefetchers stop at each 4 KiB page, so the kernel asks ahead. */
static inline void consortium_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }

/* A spin-wait hint (x86 `pause`, ARM `yield`): a waiting core spins without starving its sibling hyperthread. */
static inline void consortium_cpu_relax(void) {
#if defined(__x86_64__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ volatile("yield");
#endif
}

/* The widest x86 vector kernels OpenBLAS may use on this CPU: 2 for AVX-512 (F, CD, BW, DQ, VL, as OpenBLAS's
   SkylakeX kernels need), 1 for AVX2 with FMA (Haswell kernels), 0 otherwise or on other architectures. Read from
   cpuid by the compiler's runtime, because OpenBLAS releases older than the CPU model do not recognise it. */
static inline int consortium_x86_vector_level(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512cd") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("avx512vl"))
        return 2;
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 1;
#endif
    return 0;
}
/* 1 on an Intel CPU: its AVX-512 units run 512-bit operations at full width, where AMD's Zen 4 splits them in two. */
static inline int consortium_x86_is_intel(void) {
#if defined(__x86_64__)
    __builtin_cpu_init();
    return __builtin_cpu_is("intel") ? 1 : 0;
#else
    return 0;
#endif
}
/* Raises glibc's mmap and trim thresholds and keeps every thread on the main arena, so that freed activation buffers
   stay in the heap (see ActivationMemory); malloc.h is not part of Swift's Glibc module. Returns 1 when all three
   were accepted, 0 otherwise or off glibc. */
static inline int consortium_retain_freed_buffers(int mmapThreshold, int trimThreshold) {
#if defined(__GLIBC__)
    return mallopt(M_MMAP_THRESHOLD, mmapThreshold) == 1 && mallopt(M_TRIM_THRESHOLD, trimThreshold) == 1 &&
           mallopt(M_ARENA_MAX, 1) == 1;
#else
    return 0;
#endif
}
/* Hands the heap's free memory back to the kernel (glibc's malloc_trim); 0 off glibc. */
static inline int consortium_release_freed_buffers(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
#endif
