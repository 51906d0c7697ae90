#!/usr/bin/python3
"""Figures of a population run (optional helper; numpy and matplotlib).

   /usr/bin/python3 postproc/population_figures.py RUN_DIR [RUN_DIR ...] [-o population.png] [--label NAME ...]

For each run directory (a spot run of several particles): the histogram of particle mean theta at
each output time (population.csv), the spread of particle mean theta over time, and, when the run
has a lattice law, the (003) diffraction peak at each output time (diffraction.csv). Runs side by
side, one column each: e.g. a fast and a slow charge of the same population."""
import argparse
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np


def read(path):
    with open(path) as f:
        names = f.readline().strip().split(",")
    return names, np.genfromtxt(path, delimiter=",", skip_header=1, ndmin=2)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("runs", nargs="+")
    ap.add_argument("-o", "--output", default="population.png")
    ap.add_argument("--label", action="append", default=[])
    ap.add_argument("--pdf", action="store_true", help="also write the figure as PDF beside the PNG")
    a = ap.parse_args()
    labels = a.label + [os.path.basename(os.path.normpath(r)) for r in a.runs[len(a.label):]]
    has_peak = all(os.path.exists(os.path.join(r, "diffraction.csv")) for r in a.runs)
    rows = 3 if has_peak else 2
    fig, axes = plt.subplots(rows, len(a.runs), figsize=(4.6 * len(a.runs), 3.3 * rows), squeeze=False)
    for j, (run, label) in enumerate(zip(a.runs, labels)):
        names, pop = read(os.path.join(run, "population.csv"))
        t_h = pop[:, names.index("t_s")] / 3600
        bins = [n for n in names if n.startswith("particles_theta_")]
        edges = [float(b.split("_")[2]) for b in bins] + [float(bins[-1].split("_")[3])]
        counts = pop[:, [names.index(b) for b in bins]]
        cmap = plt.get_cmap("viridis")
        ax = axes[0, j]
        # particles over theta against time: a split population shows as two bands
        fraction = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
        t_edges = np.concatenate([[t_h[0]], 0.5 * (t_h[1:] + t_h[:-1]), [t_h[-1]]]) * 60
        used = np.nonzero(counts.sum(axis=0))[0]
        lo, hi = edges[max(used[0] - 2, 0)], edges[min(used[-1] + 3, len(edges) - 1)]
        mesh = ax.pcolormesh(t_edges, edges, fraction.T, cmap="magma_r", vmin=0, vmax=max(0.5, fraction.max()), shading="flat")
        ax.plot(t_h * 60, pop[:, names.index("mean_theta")], "w--", lw=1, label="mean θ of all")
        ax.set_ylim(lo, hi)
        ax.set_xlabel("time (min)")
        ax.set_ylabel("particle mean θ")
        ax.set_title(f"{label}: particles over θ")
        ax.legend(fontsize=7, loc="upper right", facecolor="0.6")
        fig.colorbar(mesh, ax=ax, label="fraction of particles")
        ax = axes[1, j]
        ax.semilogy(t_h * 60, np.maximum(pop[:, names.index("std_of_particle_mean_theta")], 1e-16), "o-", color="C3")
        ax.set_xlabel("time (min)")
        ax.set_ylabel("std of particle mean θ")
        ax.set_title(f"{label}: spread of the population")
        ax.set_ylim(bottom=1e-4)  # below: identical to round-off
        ax.grid(True, which="both", alpha=0.3)
        if has_peak:
            dn, dif = read(os.path.join(run, "diffraction.csv"))
            t = dif[:, dn.index("t_s")]
            ax = axes[2, j]
            times = np.unique(t)
            if len(times) > 6:  # six times spread over the run keep the curves readable
                times = times[np.unique(np.round(np.linspace(0, len(times) - 1, 6)).astype(int))]
            for k, tk in enumerate(times):
                r = dif[t == tk]
                ax.plot(r[:, dn.index("two_theta_deg")], r[:, dn.index("intensity_per_deg")], color=cmap(k / max(1, len(times) - 1)), label=f"{tk / 60:.0f} min")
            x, y = dif[:, dn.index("two_theta_deg")], dif[:, dn.index("intensity_per_deg")]
            seen = x[y > 0.01 * y.max()]
            if seen.size:  # the part of the 2θ grid where the peak is
                pad = 0.15 * (seen.max() - seen.min()) + 1e-3
                ax.set_xlim(seen.min() - pad, seen.max() + pad)
            ax.set_xlabel("2θ (degrees, Cu Kα1)")
            ax.set_ylabel("intensity (1/degree)")
            ax.set_title(f"{label}: synthetic (003) peak")
            ax.legend(fontsize=7, title="time", title_fontsize=7)
    fig.tight_layout()
    fig.savefig(a.output, dpi=130)
    if a.pdf:
        fig.savefig(os.path.splitext(a.output)[0] + ".pdf")
    print(a.output)


if __name__ == "__main__":
    sys.exit(main())
