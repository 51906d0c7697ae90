#!/usr/bin/python3
"""Checks of a population run's outputs, read as a user would (numpy only).
   check.py identical DIR        identical particles: identical rows, equal shares summing to 1,
                                 currents adding up to the set current of timeseries.csv
   check.py spread DIR MIN MAX   the final std of particle mean theta lies in [MIN, MAX]
   check.py bimodal DIR          the final histogram has two groups: >= 3 particles below 0.4 and
                                 >= 3 above 0.6, and fewer than half in between
   check.py conserved DIR TOL C_MAX   per particle: area * change of mean theta = -(integral of
                                 its current * perimeter) / (F c_max) to TOL relative (trapezoid
                                 over the rows; 2-D)
   check.py peak DIR C_ANGSTROM FWHM   at t = 0 (uniform theta): the (003) peak is one Gaussian at the
                                 Bragg angle of c (Cu K alpha1), of that FWHM (to 1 %) and unit area
   check.py peaks DIR N          the last peak has N maxima (local maxima above 5 % of the highest)
   check.py relaxed DIR STD      the last row's std of particle mean theta is below STD and the
                                 volume-weighted mean equals the row before's (a rest, to 1e-10)
Exit status 1 with one line saying what failed."""
import sys
import numpy as np


def table(path):
    with open(path) as f:
        names = f.readline().strip().split(",")
    return names, np.genfromtxt(path, delimiter=",", skip_header=1, ndmin=2)


def col(names, data, name):
    return data[:, names.index(name)]


def fail(msg):
    print(msg)
    sys.exit(1)


def particles(d):
    names, data = table(d + "/particles.csv")
    t = col(names, data, "t_s")
    return names, data, np.unique(t)


def main():
    what, d = sys.argv[1], sys.argv[2]
    if what == "identical":
        names, data, times = particles(d)
        tn, ts = table(d + "/timeseries.csv")
        for t in times:
            rows = data[col(names, data, "t_s") == t]
            for c in ["mean_theta", "centre_mean_theta", "periphery_mean_theta", "surface_mean_theta", "current_density_A_per_m2"]:
                v = col(names, rows, c)
                if np.ptp(v) > 1e-11 * max(1, np.abs(v).max()):
                    fail(f"t = {t} s: {c} differs between identical particles by {np.ptp(v):.3g}")
            if t > 0:
                share = col(names, rows, "current_share")
                if np.abs(share - 1 / len(rows)).max() > 1e-12 or abs(share.sum() - 1) > 1e-12:
                    fail(f"t = {t} s: shares {share} are not equal")
                i_set = col(tn, ts, "current_density_A_per_m2")[np.argmin(np.abs(col(tn, ts, "t_s") - t))]
                i = col(names, rows, "current_density_A_per_m2")
                if abs(i.mean() - i_set) > 1e-9 * abs(i_set):
                    fail(f"t = {t} s: the particles carry {i.mean():.12g} A/m^2 on average, the set current is {i_set:.12g}")
        print(f"{len(times)} times, identical")
    elif what == "spread":
        pn, pop = table(d + "/population.csv")
        s = col(pn, pop, "std_of_particle_mean_theta")[-1]
        lo, hi = float(sys.argv[3]), float(sys.argv[4])
        if not lo <= s <= hi:
            fail(f"final std of particle mean theta {s:.3e}, expected in [{lo:g}, {hi:g}]")
        print(f"final std {s:.3e}")
    elif what == "bimodal":
        names, data, times = particles(d)
        m = col(names, data, "mean_theta")[col(names, data, "t_s") == times[-1]]
        low, high = (m < 0.4).sum(), (m > 0.6).sum()
        if low < 3 or high < 3 or len(m) - low - high >= len(m) / 2:
            fail(f"not two groups at t = {times[-1]} s: {low} below 0.4, {high} above 0.6 of {len(m)} (means {np.sort(m)})")
        print(f"{low} reacted, {high} unreacted, {len(m) - low - high} between")
    elif what == "conserved":
        tol = float(sys.argv[3])
        names, data, times = particles(d)
        F, c_max = 96485.33212, float(sys.argv[4])  # mol/m^3
        n = int(col(names, data, "particle").max())
        worst = 0
        for k in range(1, n + 1):
            rows = data[col(names, data, "particle") == k]
            rows = rows[col(names, rows, "t_s") > 0]  # the initial row is at open circuit, before the protocol
            t, m, i = col(names, rows, "t_s"), col(names, rows, "mean_theta"), col(names, rows, "current_density_A_per_m2")
            vol, area = col(names, rows, "area_um2")[0], col(names, rows, "active_perimeter_um")[0]
            # d(mean theta)/dt * vol = -i * area / (F c_max) (um: 1e-6 m per um cancels into 1e6 / (F c_max))
            moved = -(np.trapz(i, t) * area * 1e6 / (F * c_max)) / vol
            change = m[-1] - m[0]
            worst = max(worst, abs(change - moved) / abs(change))
        if worst > tol:
            fail(f"a particle's change of mean theta and its integrated current differ by {worst:.3e} (relative), more than {tol:g}")
        print(f"worst relative mismatch {worst:.2e}")
    elif what == "relaxed":
        pn, pop = table(d + "/population.csv")
        s = col(pn, pop, "std_of_particle_mean_theta")
        m = col(pn, pop, "mean_theta")
        if s[-1] > float(sys.argv[3]):
            fail(f"the population did not relax: final std {s[-1]:.3e}")
        if abs(m[-1] - m[-2]) > 1e-10:
            fail(f"mean theta went from {m[-2]:.12g} to {m[-1]:.12g} in the rest")
        print(f"std {s.max():.3e} -> {s[-1]:.3e}")
    elif what in ("peak", "peaks"):
        names, data = table(d + "/diffraction.csv")
        t, x, y = col(names, data, "t_s"), col(names, data, "two_theta_deg"), col(names, data, "intensity_per_deg")
        if what == "peak":
            c, fwhm = float(sys.argv[3]), float(sys.argv[4])
            sel = t == t.min()
            x, y = x[sel], y[sel]
            area = np.trapz(y, x)
            if abs(area - 1) > 1e-3:
                fail(f"the peak's area is {area:.6f}, not 1")
            expected = 2 * np.degrees(np.arcsin(1.5406 / (2 * c / 3)))
            top = np.sum(x * y) / np.sum(y)
            if abs(top - expected) > 1e-3:
                fail(f"the peak is at {top:.5f} deg, Bragg's law gives {expected:.5f}")
            above = x[y >= y.max() / 2]
            width = above.max() - above.min() + (x[1] - x[0])
            if abs(width - fwhm) > 0.03 * fwhm + (x[1] - x[0]):
                fail(f"the peak's FWHM is {width:.4f} deg, expected {fwhm}")
            print(f"peak at {top:.5f} deg (Bragg {expected:.5f}), FWHM {width:.4f}, area {area:.6f}")
        else:
            sel = t == t.max()
            y = y[sel]
            m = [i for i in range(1, len(y) - 1) if y[i] > y[i - 1] and y[i] >= y[i + 1] and y[i] > 0.05 * y.max()]
            if len(m) != int(sys.argv[3]):
                fail(f"the last peak has {len(m)} maxima, expected {sys.argv[3]}")
            print(f"{len(m)} maxima")
    else:
        fail("unknown check " + what)


main()
