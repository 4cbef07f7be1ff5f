#ifndef CONSORTIUM_CBLAS_SHIM_H
#define CONSORTIUM_CBLAS_SHIM_H
#include <cblas.h>

/* A read prefetch into every cache level (Swift has no spelling for it). The skinny products stream weights that
   do not fit in the last-level cache; hardware prefetchers stop at each 4 KiB page, so the kernel asks ahead. */
static inline void consortium_prefetch(const void *address) { __builtin_prefetch(address, 0, 3); }
#endif
