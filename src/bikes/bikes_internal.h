/* Internals shared by the bikes module's files. Not a public header. */
#ifndef STAD_BIKES_INTERNAL_H
#define STAD_BIKES_INTERNAL_H

#include "stad/bikes.h"

/* Indexes of o->visits ordered by street, then time, then label before follow-up;
 * malloc'ed (caller frees), NULL when out of memory (or no visits: check n). */
size_t *bikes_visit_order(const stad_bikes_obs *o);

/* Seconds of work at a street: the fixed time, walking its length, and per item. */
double bikes_service_s(const stad_bikes_theme *t, double length_m, double labels,
                       double removals);

#endif
