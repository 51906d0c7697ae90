#!/usr/bin/python3
"""Reads a population comparison as a user would: the RMSE of every particle's centre and
periphery series in compare_particles_series.csv must equal compare_particles.csv's, to 1e-6
relative. Usage: particle_series_check.py DIR"""
import sys
import numpy as np

d = sys.argv[1]
series = np.genfromtxt(f"{d}/compare_particles_series.csv", delimiter=",", names=True, skip_header=1)
table = np.genfromtxt(f"{d}/compare_particles.csv", delimiter=",", names=True, skip_header=1)
bad = 0
for row in np.atleast_1d(table):
    s = series[series["particle"] == row["particle"]]
    for region in ("centre", "periphery"):
        rmse = np.sqrt(np.mean((s[f"exp_{region}_contrast"] - s[f"sim_{region}_contrast"]) ** 2))
        if abs(rmse - row[f"rmse_{region}"]) > 1e-6 * abs(row[f"rmse_{region}"]) + 1e-12:
            print(f"particle {int(row['particle'])}: {region} RMSE {rmse} from the series, {row[f'rmse_{region}']} in the table")
            bad = 1
print(f"{len(np.atleast_1d(table))} particles, {len(series)} rows: series and table agree" if not bad else "disagree")
sys.exit(bad)
