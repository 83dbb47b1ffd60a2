/* The context's insides; only src/base reads them. */
#ifndef STAD_CTX_INTERNAL_H
#define STAD_CTX_INTERNAL_H

#include "stad/base.h"

struct stad_ctx {
    char errmsg[1024];
    int errcode;
    int log_level;
    stad_log_fn log_fn;
    void *log_user;
    stad_progress_fn progress_fn;
    void *progress_user;
    void *cache[STAD_CACHE_N_];
    void (*cache_free[STAD_CACHE_N_])(void *);
};

#endif
