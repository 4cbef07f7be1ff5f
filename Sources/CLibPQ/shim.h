#ifndef CONSORTIUM_CLIBPQ_SHIM_H
#define CONSORTIUM_CLIBPQ_SHIM_H
#include <libpq-fe.h>
#endif
