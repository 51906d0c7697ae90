#!/usr/bin/python3
"""U(theta) from the Rehm 2025 slow half-cell lithiation curve (data/ocp/), for spot's OCP table.

    /usr/bin/python3 scripts/ocp_from_halfcell.py [--check]

The measured file gives the voltage against a normalised capacity q (0 at the 3.0 V end of the
0.02C lithiation, 1 at the 4.3 V end). The lithium site fraction is theta = theta_max - q * w.
Neither theta_max nor the window w is in the source; both are fixed here by the data:
  - theta_max = 1: the 0.02C lithiation against Li metal ends at 3.0 V, the cell's discharge
    cut-off, with the steep voltage drop of a full layered oxide; a free two-parameter fit of the
    curve to the Chen 2020 NMC811 OCP (c/c_max measured on harvested electrodes) over 3.65-4.2 V
    puts this end at theta = 0.995, so the capacity at 3.0 V is the full lithiation to within
    the fit's resolution;
  - w (the 3.0-4.3 V capacity over the capacity of all sites) from the same fit with theta_max = 1
    held: the w that puts the curve on Chen 2020's theta scale (printed with its rms misfit).
The curve is resampled (finer where it is steep, near theta = 1), made monotone by an isotonic
(pool-adjacent-violators) fit to the raw points, and written with the source's provenance header
and these choices. --check only prints the fit.
"""
import sys
import numpy as np

SRC = "data/ocp/nmc_LGM36_halfcell_pOCP_lithiation_0p02C_Rehm2025.csv"
CHEN = "data/ocp/nmc811_LGM50_ocp_Chen2020.csv"
OUT = "data/ocp/nmc_LGM36_halfcell_pOCP_lithiation_0p02C_Rehm2025_theta.csv"


def read(path):
    header = [l.rstrip("\n") for l in open(path) if l.startswith("#")]
    return header, np.genfromtxt(path, delimiter=",", comments="#", skip_header=len(header) + 1)


def misfit(q, v, chen, w, theta_max=1.0):
    """rms voltage difference to Chen 2020 where both are measured (3.65-4.2 V, its measured theta)"""
    th = theta_max - q * w
    lo, hi = chen[1, 0], chen[-2, 0]  # Chen's first and last rows were added by PyBaMM
    m = (v > 3.65) & (v < 4.2) & (th > lo) & (th < hi)
    return float(np.sqrt(np.mean((np.interp(th[m], chen[1:-1, 0], chen[1:-1, 1]) - v[m]) ** 2)))


def isotonic_increasing(y):
    """pool adjacent violators: the nearest non-decreasing sequence in least squares"""
    blocks = []  # [mean, count]
    for value in y:
        blocks.append([value, 1])
        while len(blocks) > 1 and blocks[-2][0] > blocks[-1][0]:
            m2, n2 = blocks.pop()
            m1, n1 = blocks.pop()
            blocks.append([(m1 * n1 + m2 * n2) / (n1 + n2), n1 + n2])
    return np.concatenate([np.full(n, m) for m, n in blocks])


def main():
    header, raw = read(SRC)
    _, chen = read(CHEN)
    q, v = raw[:, 0], raw[:, 1]
    q = np.clip(q, 0.0, 1.0)  # the first row is -1.5e-8: round-off of the source
    ws = np.arange(0.60, 0.85, 0.001)
    cost = [misfit(q, v, chen, w) for w in ws]
    w = float(np.round(ws[int(np.argmin(cost))], 3))
    free = min((misfit(q, v, chen, ww, t), ww, t) for ww in np.arange(0.6, 0.85, 0.005) for t in np.arange(0.95, 1.05, 0.005))
    print(f"theta_max = 1: w = {w:.3f} (rms misfit to Chen 2020 {min(cost) * 1e3:.1f} mV); "
          f"free fit: theta_max = {free[2]:.3f}, w = {free[1]:.3f} ({free[0] * 1e3:.1f} mV)")
    if "--check" in sys.argv:
        return
    order = np.argsort(q, kind="stable")
    q, v = q[order], isotonic_increasing(v[order])
    # grid in q: 0, geometric 1e-4 ... 0.05 where the lithiation end is steep, then every 0.01
    grid = np.unique(np.concatenate([[0.0], np.geomspace(1e-4, 0.05, 40), np.arange(0.06, 1.0, 0.01), [1.0]]))
    vg = np.interp(grid, q, v)
    theta = 1.0 - grid * w
    with open(OUT, "w") as f:
        f.write("# Derived by spot's scripts/ocp_from_halfcell.py from " + SRC + " (the lithiation pseudo-OCP); its header follows:\n")
        for line in header:
            f.write("# | " + line.lstrip("# ") + "\n")
        f.write(f"# Conversion: theta = 1 - {w:.3f} * normalized_capacity. theta = 1 (all sites full) at the 3.0 V end of the 0.02C "
                f"lithiation; theta = {1 - w:.3f} at 4.3 V. The window {w:.3f} (3.0-4.3 V capacity / capacity of all sites) is the value "
                f"that puts the curve on the theta scale of Chen 2020 (data/ocp/nmc811_LGM50_ocp_Chen2020.csv) over 3.65-4.2 V, "
                f"rms misfit {min(cost) * 1e3:.1f} mV; a free fit of both ends gives theta_max = {free[2]:.3f}, w = {free[1]:.3f}\n")
        f.write(f"# Resampled: 40 points geometric in capacity over the steep end (theta {1 - 0.05 * w:.3f}-1), then every {0.01 * w:.4f} in theta; "
                "the voltage is the isotonic (monotone) least-squares fit of the raw points, linearly interpolated\n")
        f.write("# Caveats: a 0.02C curve, not an equilibrium OCP (a few mV below it on lithiation); an LG NMC cathode of unstated "
                f"grade, not the paper's LiNi0.88Mn0.05Co0.07O2; below theta {1 - w:.3f} (above 4.3 V) spot holds the end value\n")
        f.write("# Columns: theta = c/c_max (lithium site fraction, 1 = fully lithiated); U in volts vs Li/Li+\n")
        f.write("theta,ocp_V\n")
        for t, u in sorted(zip(theta, vg)):
            f.write(f"{t:.6f},{u:.5f}\n")
    print(f"wrote {OUT} ({len(grid)} rows)")


if __name__ == "__main__":
    main()
