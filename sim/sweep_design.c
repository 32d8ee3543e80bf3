/*
 * sweep_design.c: points in the unit cube.
 *
 * Every design but the grid is made here as n x k coordinates in [0,1);
 * sweep.c maps them onto the axes. Random and Latin hypercube designs
 * draw from fission's own generator, on the stream (seed, 2^64 - 1, 0):
 * no unit ever uses that point index, so the design's draws and the
 * runs' draws never share a stream. The Latin hypercube puts, on each
 * axis, exactly one point in each of the n strata [i/n, (i+1)/n): a
 * random permutation per axis (Fisher-Yates) and a uniform offset within
 * the stratum. Sobol' points come from GSL (gsl_qrng_sobol, up to 40
 * dimensions) from the sequence's first point on. Saltelli's and
 * Morris's designs belong to the sensitivity module, whose estimators
 * depend on their exact row order; they are used when it is built.
 */
#include <gsl/gsl_qrng.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "fission/rng.h"
#include "fission/sweep.h"

#if defined(__has_include)
#if __has_include("fission/sensitivity.h")
#include "fission/sensitivity.h"
#define FSN_HAVE_SENSITIVITY 1
#endif
#endif

size_t fsn_sweep_design_points(fsn_design_t design, size_t size, size_t k) {
    switch (design) {
    case FSN_DESIGN_RANDOM:
    case FSN_DESIGN_LHS:
    case FSN_DESIGN_SOBOL: return size;
    case FSN_DESIGN_SALTELLI:
        if (k > 0 && size > (size_t)-1 / (k + 2)) return 0;
        return size * (k + 2);
    case FSN_DESIGN_MORRIS:
        if (k > 0 && size > (size_t)-1 / (k + 1)) return 0;
        return size * (k + 1);
    default: return 0;
    }
}

static void design_stream(fsn_rng_t *r, uint64_t seed) { fsn_rng_seed_stream(r, seed, UINT64_MAX, 0); }

fsn_err_t fsn_sweep_design_unit(fsn_design_t design, size_t size, size_t k, unsigned levels, uint64_t seed,
                                double *u, fsn_error_t *err) {
    FSN_REQUIRE(u || size == 0 || k == 0);
    const size_t n = fsn_sweep_design_points(design, size, k);
    if (k == 0) return fsn_error_set(err, FSN_EINVAL, "a design needs at least one axis");
    fsn_rng_t r;
    switch (design) {
    case FSN_DESIGN_RANDOM:
        design_stream(&r, seed);
        for (size_t i = 0; i < n * k; i++) u[i] = fsn_rng_uniform(&r);
        return FSN_OK;
    case FSN_DESIGN_LHS: {
        size_t *perm = malloc(n * sizeof *perm);
        if (!perm) return fsn_error_set(err, FSN_ENOMEM, "out of memory for a %zu-point design", n);
        design_stream(&r, seed);
        for (size_t j = 0; j < k; j++) {
            for (size_t i = 0; i < n; i++) perm[i] = i;
            for (size_t i = n; i > 1; i--) {
                size_t t = (size_t)fsn_rng_below(&r, i), tmp = perm[i - 1];
                perm[i - 1] = perm[t];
                perm[t] = tmp;
            }
            for (size_t i = 0; i < n; i++) {
                double x = ((double)perm[i] + fsn_rng_uniform(&r)) / (double)n;
                /* rounding must not push a point into the next stratum */
                double top = (double)(perm[i] + 1) / (double)n;
                if (x >= top) x = nextafter(top, 0.0);
                u[i * k + j] = x;
            }
        }
        free(perm);
        return FSN_OK;
    }
    case FSN_DESIGN_SOBOL: {
        if (k > 40) return fsn_error_set(err, FSN_EINVAL, "the sobol design takes at most 40 axes, got %zu", k);
        gsl_qrng *q = gsl_qrng_alloc(gsl_qrng_sobol, (unsigned)k);
        if (!q) return fsn_error_set(err, FSN_ENOMEM, "out of memory for a Sobol' sequence");
        for (size_t i = 0; i < n; i++) gsl_qrng_get(q, u + i * k);
        gsl_qrng_free(q);
        return FSN_OK;
    }
    case FSN_DESIGN_SALTELLI:
#ifdef FSN_HAVE_SENSITIVITY
        return fsn_saltelli_design(size, k, u, err);
#else
        return fsn_error_set(err, FSN_EINVAL, "the saltelli design is not built in this version (no sensitivity module)");
#endif
    case FSN_DESIGN_MORRIS:
#ifdef FSN_HAVE_SENSITIVITY
        return fsn_morris_design(size, k, levels, seed, u, err);
#else
        (void)levels;
        return fsn_error_set(err, FSN_EINVAL, "the morris design is not built in this version (no sensitivity module)");
#endif
    default: return fsn_error_set(err, FSN_EINVAL, "the grid design is not a unit-cube design");
    }
}
