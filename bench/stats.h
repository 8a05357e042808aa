/* Timing and order statistics shared by the benchmarks. */
#ifndef SBX_BENCH_STATS_H
#define SBX_BENCH_STATS_H

#include <stddef.h>
#include <stdint.h>

/* CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* The p-quantile (0..1) of v[0..n), interpolated; v is left as it was. */
double pctl(const double *v, size_t n, double p);

#endif
