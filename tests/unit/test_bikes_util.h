/* Street sets for the bikes unit tests (a header, so the CMake glob of test_*.c does
 * not make it a test). */
#ifndef STAD_TEST_BIKES_UTIL_H
#define STAD_TEST_BIKES_UTIL_H

#include <stdlib.h>
#include <string.h>

#include "stad/bikes.h"

/* n residential streets on a line 100 m apart, each 1000 m long, in wijken of five;
 * street i has cyclist count traffic_step x i. Free with stad_bikes_streets_free. */
static inline stad_bikes_streets *toy_streets(size_t n, double traffic_step)
{
    stad_bikes_streets *st = calloc(1, sizeof *st);
    st->n = n;
    st->id = calloc(n, sizeof *st->id);
    double **arr[] = {&st->x, &st->y, &st->lon, &st->lat, &st->x0, &st->y0,
                      &st->x1, &st->y1, &st->length, &st->traffic};
    for (size_t k = 0; k < 10; k++)
        *arr[k] = calloc(n, sizeof(double));
    st->wijk = calloc(n, sizeof *st->wijk);
    st->buurt = calloc(n, sizeof *st->buurt);
    st->kind = calloc(n, sizeof *st->kind);
    st->geojson = calloc(n, sizeof *st->geojson);
    for (size_t i = 0; i < n; i++) {
        st->id[i] = (int64_t)i + 1;
        st->x[i] = 100.0 * (double)i;
        st->x0[i] = st->x1[i] = st->x[i];
        st->y1[i] = 1000;
        st->length[i] = 1000;
        st->traffic[i] = traffic_step * (double)i;
        st->kind[i] = strdup("residential");
        st->wijk[i] = 1 + (int64_t)i / 5;
    }
    return st;
}

#endif
