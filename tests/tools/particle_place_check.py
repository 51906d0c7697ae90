#!/usr/bin/python3
"""Reads a population comparison as a user would and checks where it put every particle: its
centroid's optical position from compare's frame (the "mesh x = A u + b" line of the log) and its
own shift (compare_particles.csv) against spot synth's truth (its frame and the shifts it filmed).
Usage: particle_place_check.py SYNTH_LOG COMPARE_LOG COMPARE_DIR PIXEL_UM TOLERANCE_PX"""
import re
import sys
import numpy as np

synth_log, compare_log, directory, pixel, tol = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4]), float(sys.argv[5])
NUM = r"(-?[0-9.e+-]+)"
FRAME = re.compile(r"A = \[" + NUM + " " + NUM + "; " + NUM + " " + NUM + r"\], b = \(" + NUM + ", " + NUM + r"\) um")


def frame(path):
    m = FRAME.search(open(path).read())
    if not m:
        sys.exit(f"{path}: no 'A = [..], b = (..) um' line")
    v = [float(x) for x in m.groups()]
    return np.array([[v[0], v[1]], [v[2], v[3]]]), np.array(v[4:6])


As, bs = frame(synth_log)
Ac, bc = frame(compare_log)
m = re.search(r"each particle moved on its own by \(col, row\) px: (.*)", open(synth_log).read())
truth = {int(k): np.array([float(x), float(y)]) for k, x, y in re.findall(r"(\d+): \(" + NUM + ", " + NUM + r"\)", m.group(1))} if m else {}
table = np.atleast_1d(np.genfromtxt(f"{directory}/compare_particles.csv", delimiter=",", names=True, skip_header=1))
worst = 0.0
for row in table:
    k = int(row["particle"])
    x = np.array([row["centroid_x_um"], row["centroid_y_um"]])
    found = np.linalg.solve(Ac, x - bc) / pixel + np.array([row["shift_col_px"], row["shift_row_px"]])
    true = np.linalg.solve(As, x - bs) / pixel + truth.get(k, np.zeros(2))
    err = float(np.hypot(*(found - true)))
    worst = max(worst, err)
    print(f"particle {k}: found at (col {found[0]:.3f}, row {found[1]:.3f}), truth (col {true[0]:.3f}, row {true[1]:.3f}): {err:.4f} px off")
print(f"{len(table)} particles, the farthest {worst:.4f} px from the truth (tolerance {tol} px)")
sys.exit(0 if worst <= tol else 1)
