#!/usr/bin/python3
"""A spot run's outputs as numpy arrays, for notebooks (optional helper: numpy, meshio, matplotlib).

    import sys; sys.path.insert(0, "postproc")      # or the installed share/spot/postproc
    import spot_outputs as so
    run = so.Run("out")                              # a spot run's output directory
    ts = run.timeseries()                            # {"t_s": array, "mean_theta": array, ...}
    t, points, cells, theta = run.fields()           # output times (s), nodes (um), cells, theta[time][node]
    p = run.particles()                              # populations: {"t_s", "particle", "mean_theta", ...}
    prof = run.profiles()                            # {"t_s", "profile", "distance_um", "theta", ...}
    run.plot_summary("summary_py.png")               # V, current and theta against t (matplotlib)

Every CSV column keeps the name spot writes, units in the name (t_s, voltage_V, ...). Missing
files raise FileNotFoundError naming the file; nothing here writes into the run's directory unless
asked to by a path."""
import os

import numpy as np


def read_csv(path):
    """A spot CSV (one header line, numbers; 'nan' allowed) as {column: array}"""
    if not os.path.isfile(path):
        raise FileNotFoundError(f"{path}: no such output (did the run write it?)")
    with open(path) as f:
        names = f.readline().strip().split(",")
    data = np.genfromtxt(path, delimiter=",", skip_header=1, ndmin=2, dtype=float, missing_values="", filling_values=np.nan)
    if data.size == 0:
        data = np.empty((0, len(names)))
    if data.shape[1] != len(names):
        raise ValueError(f"{path}: {data.shape[1]} columns of numbers for {len(names)} names")
    return {n: data[:, k] for k, n in enumerate(names)}


class Run:
    """The outputs of one spot run (its -out_directory)"""

    def __init__(self, directory):
        if not os.path.isdir(directory):
            raise FileNotFoundError(f"{directory}: not a directory")
        self.directory = directory

    def path(self, name):
        return os.path.join(self.directory, name)

    def timeseries(self):
        """timeseries.csv: one row per time step"""
        return read_csv(self.path("timeseries.csv"))

    def probes(self):
        return read_csv(self.path("probes.csv"))

    def profiles(self):
        return read_csv(self.path("profiles.csv"))

    def particles(self):
        return read_csv(self.path("particles.csv"))

    def population(self):
        return read_csv(self.path("population.csv"))

    def diffraction(self):
        return read_csv(self.path("diffraction.csv"))

    def fields(self):
        """fields.xmf through meshio: times (s), node coordinates (um), cells (meshio CellBlocks)
        and theta as an array [time, node]"""
        import meshio

        path = self.path("fields.xmf")
        if not os.path.isfile(path):
            raise FileNotFoundError(f"{path}: no such output (was the run made with -out_fields false?)")
        times, theta = [], []
        with meshio.xdmf.TimeSeriesReader(path) as reader:
            points, cells = reader.read_points_cells()
            for k in range(reader.num_steps):
                t, point_data, _ = reader.read_data(k)
                times.append(float(t))
                theta.append(np.asarray(point_data["theta"]).reshape(-1))
        return np.array(times), points, cells, np.array(theta)

    def plot_summary(self, output=None):
        """V (when there is an OCP), current density and theta against t; returns the figure, and
        saves it when output names a file"""
        import matplotlib

        if output:
            matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        ts = self.timeseries()
        t = ts["t_s"] / 60
        has_v = np.isfinite(ts["voltage_V"]).any()
        rows = 3 if has_v else 2
        fig, axes = plt.subplots(rows, 1, sharex=True, figsize=(7, 2.2 * rows + 1))
        k = 0
        if has_v:
            axes[k].plot(t, ts["voltage_V"], color="C0")
            axes[k].set_ylabel("V vs Li/Li⁺ (V)")
            k += 1
        axes[k].plot(t, ts["current_density_A_per_m2"], color="C1")
        axes[k].set_ylabel("i (A/m², > 0 charges)")
        k += 1
        for name, label, colour in (("mean_theta", "mean", "k"), ("centre_mean_theta", "centre", "C0"),
                                    ("periphery_mean_theta", "periphery", "C3"), ("surface_mean_theta", "surface", "C2")):
            axes[k].plot(t, ts[name], color=colour, label=label)
        axes[k].set_ylabel("θ")
        axes[k].set_xlabel("time (min)")
        axes[k].legend(fontsize=8)
        for ax in axes:
            ax.grid(alpha=0.3)
        fig.tight_layout()
        if output:
            fig.savefig(output, dpi=120)
        return fig
