#ifndef CONSORTIUM_CBLAS_SHIM_H
#define CONSORTIUM_CBLAS_SHIM_H
#include <cblas.h>
#endif
