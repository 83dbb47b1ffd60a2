#!/usr/bin/env python3
"""Reference for bench_kde: scipy.stats.gaussian_kde on the points and grid that
bench_kde wrote. Called by bench_kde; prints one "key value" line per result.

  kde_scipy.py time  POINTS.bin X0 Y0 CELL NX NY SIGMA [ROWS]
      times gaussian_kde on the grid cell centres (ROWS: evaluate only that many grid
      rows and scale the time up to the whole grid; printed as extrapolated).
  kde_scipy.py exact POINTS.bin STAD.bin X0 Y0 CELL NX NY SIGMA
      compares stad's exact densities (events per km^2) with gaussian_kde.

gaussian_kde's kernel covariance is the data covariance times bw_method^2, so a fixed
isotropic sigma can only be expressed when the sample covariance is isotropic: the
exact case uses points placed symmetrically so that it is (checked here), and passes
bw_method = sigma / sqrt(variance). The timing case uses the scalar factor that gives
the mean variance sigma^2 (same cost; the kernel is then slightly elliptic), so only
its time is compared, not its values. A plain numpy sum is the second reference.
"""
import sys
import time

import numpy as np
from scipy.stats import gaussian_kde


def grid_centres(x0, y0, cell, nx, ny, rows=None):
    ny_eval = ny if rows is None else min(rows, ny)
    xs = x0 + (np.arange(nx) + 0.5) * cell
    ys = y0 + (np.arange(ny_eval) + 0.5) * cell
    gx, gy = np.meshgrid(xs, ys)  # row-major from the south, like stad
    return np.vstack([gx.ravel(), gy.ravel()]), ny_eval


def main():
    mode = sys.argv[1]
    pts = np.fromfile(sys.argv[2], dtype=np.float64).reshape(2, -1)
    if mode == "time":
        x0, y0, cell = map(float, sys.argv[3:6])
        nx, ny = int(sys.argv[6]), int(sys.argv[7])
        sigma = float(sys.argv[8])
        rows = int(sys.argv[9]) if len(sys.argv) > 9 else None
        var = np.cov(pts).diagonal().mean()
        kde = gaussian_kde(pts, bw_method=sigma / np.sqrt(var))
        grid, ny_eval = grid_centres(x0, y0, cell, nx, ny, rows)
        t = time.perf_counter()
        kde(grid)
        dt = time.perf_counter() - t
        print("scipy_rows %d" % ny_eval)
        print("scipy_time %.6f" % (dt * ny / ny_eval))
    elif mode == "exact":
        stad = np.fromfile(sys.argv[3], dtype=np.float64)
        x0, y0, cell = map(float, sys.argv[4:7])
        nx, ny = int(sys.argv[7]), int(sys.argv[8])
        sigma = float(sys.argv[9])
        cov = np.cov(pts)
        iso = abs(cov[0, 1]) < 1e-9 * cov[0, 0] and abs(cov[0, 0] - cov[1, 1]) < 1e-9 * cov[0, 0]
        print("isotropic %d" % iso)
        kde = gaussian_kde(pts, bw_method=sigma / np.sqrt(cov[0, 0]))
        grid, _ = grid_centres(x0, y0, cell, nx, ny)
        ref = kde(grid) * pts.shape[1] * 1e6  # events per km^2
        dx = grid[0][:, None] - pts[0][None, :]
        dy = grid[1][:, None] - pts[1][None, :]
        direct = (np.exp(-(dx * dx + dy * dy) / (2 * sigma * sigma)).sum(axis=1)
                  * 1e6 / (2 * np.pi * sigma * sigma))
        print("max_rel_scipy %.3e" % np.max(np.abs(stad - ref) / ref))
        print("max_rel_numpy %.3e" % np.max(np.abs(stad - direct) / direct))
    else:
        sys.exit("unknown mode " + mode)


if __name__ == "__main__":
    main()
