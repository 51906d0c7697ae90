"""Open a spot run's fields.xmf with ParaView's readers (tests/cases.d/fields.sh), under pvpython:

  pvpython fields_paraview.py RUN_DIR TIMES_S

The default reader of a .xmf file (OpenDataFile: the XDMF3 reader in ParaView 5.11), the XDMF3
reader for temporal collections and the legacy XDMF reader must each give the times TIMES_S and,
at each, every cell (one type, their number in fields.h5), the nodes and theta of fields.h5 exactly;
P1 cells also the volume mean of theta in timeseries.csv to 1e-9 (ParaView's IntegrateVariables
cuts quadratic cells into linear ones, so it is no check of P2).
"""
import os
import sys
import h5py
import numpy as np
from paraview import servermanager as sm
from paraview import simple as pv
from vtk.util.numpy_support import vtk_to_numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fields_check import csv_mean_at, read_csv_means  # noqa: E402

run, times = sys.argv[1], [float(t) for t in sys.argv[2].split(",")]
path = run + "/fields.xmf"
h5 = h5py.File(run + "/fields.h5", "r")
coordinates, cells = h5["mesh/coordinates"][()], h5["mesh/cells"][()]
thetas = [h5["theta"][k][()] for k in sorted(h5["theta"])]
ts, means = read_csv_means(run)
linear = cells.shape[1] == coordinates.shape[1] + 1
bad = []
readers = [("default (OpenDataFile)", lambda: pv.OpenDataFile(path)), ("Xdmf3ReaderT", lambda: pv.Xdmf3ReaderT(FileName=[path])), ("legacy XDMFReader", lambda: pv.XDMFReader(FileNames=[path]))]
for name, make in readers:
    reader = make()
    reader.UpdatePipelineInformation()
    got = list(reader.TimestepValues or [])
    line, worst = "%s (%s): %d times" % (name, reader.GetXMLName(), len(got)), 0.0
    if len(got) != len(times) or not np.allclose(got, times, rtol=1e-12, atol=1e-9):
        bad.append("%s: times %s, wanted %s" % (name, got, times))
    for k, t in enumerate(got[: len(thetas)]):
        reader.UpdatePipeline(t)
        data = sm.Fetch(reader)
        while data.IsA("vtkMultiBlockDataSet"):  # a reader may wrap the grid in blocks
            data = data.GetBlock(0)
        points = vtk_to_numpy(data.GetPoints().GetData())[:, : coordinates.shape[1]]
        theta = vtk_to_numpy(data.GetPointData().GetArray("theta"))
        types = {data.GetCellType(c) for c in range(data.GetNumberOfCells())}
        if data.GetNumberOfCells() != len(cells) or len(types) != 1 or not np.array_equal(points, coordinates) or not np.array_equal(theta, thetas[k]):
            bad.append("%s, t = %g s: %d cells of VTK types %s, %d points; not fields.h5's %d cells, nodes and theta" % (name, t, data.GetNumberOfCells(), types, len(points), len(cells)))
        if linear:
            integral = pv.IntegrateVariables(Input=reader)
            integral.UpdatePipeline(t)
            d = sm.Fetch(integral)
            measure = d.GetCellData().GetArray("Area" if coordinates.shape[1] == 2 else "Volume").GetValue(0)
            mean = d.GetPointData().GetArray("theta").GetValue(0) / measure
            want = csv_mean_at(t, ts, means)
            worst = max(worst, abs(mean - want))
            if not abs(mean - want) <= 1e-9:
                bad.append("%s, t = %g s: the volume mean of theta %.12f is not %.12f" % (name, t, mean, want))
            pv.Delete(integral)
    if linear:
        line += "; volume means of theta within %.1e of timeseries.csv" % worst
    print(line + ("; cells of VTK type %s, nodes and theta: those of fields.h5" % types if not bad else ""))
    pv.Delete(reader)
for b in bad:
    print("FAIL: " + b)
sys.exit(1 if bad else 0)
