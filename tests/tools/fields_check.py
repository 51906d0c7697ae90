"""Check a spot run's fields.xmf + fields.h5 as ParaView and meshio see them (tests/cases.d/fields.sh).

  python3 fields_check.py RUN_DIR TIMES_S [OTHER_RUN_DIR]

TIMES_S: the output times asked for, comma separated (s). Exit status 0 when all of these hold:
- fields.xmf is XDMF 3: a temporal collection of uniform grids, each with one <Time>; every
  DataItem names a whole dataset of fields.h5 and has Format="HDF", NumberType, Precision and
  Dimensions, which match the dataset; NumberOfElements is the number of cells.
- meshio.xdmf.TimeSeriesReader reads it: a mesh of one cell type, and theta at every node per time;
  the times are TIMES_S.
- At each time the volume mean of theta, integrated exactly over the cells (P1: linear, P2:
  quadratic on straight cells), is mean_theta of timeseries.csv to 1e-9. Output times between two
  rows of timeseries.csv take its linear interpolation, which is exact: within a cc step the
  current, hence d(mean theta)/dt, is constant, and a rest keeps the mean. 1e-9: the CSV's 12
  digits; the integrals themselves agree to round-off.
- With probes (probes.csv): theta interpolated at each probe in the cell holding it (the P1 or
  P2 basis of the cell's nodes) is the probe's value to 1e-9 at every time: the values, their
  nodes and each cell's node order are right.
- theta is stored once: fields.h5 holds mesh/coordinates (units um), mesh/cells, time (units s)
  and one theta dataset (units 1) per time, which only that time's grid names.
With OTHER_RUN_DIR (the same run on another number of ranks): the same nodes, cells and times,
bit for bit, and theta to 1e-7 (the ranks' solves differ by their tolerances, a few 1e-9 here).
"""
import os
import sys
import xml.etree.ElementTree as ET
import h5py
import meshio
import numpy as np

failures = []


def fail(message):
    message = " ".join(message.split())
    if message not in failures:  # each failure once, however many grids repeat it
        failures.append(message)
        print("FAIL: " + message)


def text_attr(dataset, name):
    value = dataset.attrs.get(name)
    return value.decode() if isinstance(value, bytes) else value


def check_xdmf(run, h5):
    """The XDMF 3 rules ParaView's XDMF3 reader and meshio rely on; returns the theta datasets"""
    root = ET.parse(run + "/fields.xmf").getroot()
    if root.tag != "Xdmf" or root.get("Version", "").split(".")[0] != "3":
        fail("fields.xmf is not XDMF 3 (Version %r)" % root.get("Version"))
    for item in root.iter("DataItem"):
        for key in ("Format", "NumberType", "Precision", "Dimensions"):
            if item.get(key) is None:
                fail("a DataItem without %s: %s" % (key, ET.tostring(item).decode()[:100]))
        if item.get("Format") != "HDF":
            continue
        name, _, path = (item.text or "").strip().partition(":")
        if name != "fields.h5" or path not in h5:
            fail("a DataItem names %r, not a dataset of fields.h5" % item.text)
            continue
        dims = tuple(int(d) for d in item.get("Dimensions", "").split())
        if dims != h5[path].shape:
            fail("%s: Dimensions %s, but the dataset is %s" % (path, dims, h5[path].shape))
        if int(item.get("Precision", 0)) != h5[path].dtype.itemsize:
            fail("%s: Precision %s, but the dataset has %d bytes a value" % (path, item.get("Precision"), h5[path].dtype.itemsize))
    collections = [g for g in root.iter("Grid") if g.get("GridType") == "Collection"]
    if len(collections) != 1 or collections[0].get("CollectionType") != "Temporal":
        fail("no single temporal collection")
        return []
    theta = []
    for grid in collections[0]:
        if grid.tag != "Grid" or grid.get("GridType") != "Uniform" or len(grid.findall("Time")) != 1:
            fail("a grid of the collection is not uniform with one <Time>")
            continue
        topology = grid.find("Topology")
        cells = topology.find("DataItem").text.strip().partition(":")[2]
        if cells in h5 and int(topology.get("NumberOfElements", -1)) != h5[cells].shape[0]:
            fail("NumberOfElements %s, but %s rows of cells" % (topology.get("NumberOfElements"), h5[cells].shape[0]))
        theta += [a.find("DataItem").text.strip().partition(":")[2] for a in grid.findall("Attribute") if a.get("Name") == "theta"]
    return theta


def cell_integrals(points, block):
    """(volume, integral of theta) per cell as functions of theta: weights per node of a cell"""
    cells = block.data
    dim = points.shape[1]
    corners = dim + 1
    x = points[cells[:, :corners]]
    edges = x[:, 1:] - x[:, :1]
    measure = np.abs(np.linalg.det(edges)) / (2 if dim == 2 else 6)
    if block.type in ("triangle", "tetra"):  # linear: the mean of the vertices
        weights = np.full(corners, 1.0 / corners)
    elif block.type == "triangle6":  # quadratic: the edge midpoints, 1/3 each
        weights = np.array([0, 0, 0, 1, 1, 1]) / 3.0
    elif block.type == "tetra10":  # quadratic: -1/20 a vertex, 1/5 an edge midpoint
        weights = np.array([-1, -1, -1, -1, 4, 4, 4, 4, 4, 4]) / 20.0
    else:
        fail("unexpected cells %s" % block.type)
        weights = np.zeros(cells.shape[1])
    if np.any(np.linalg.det(edges) <= 0):
        fail("cells with a negative orientation")
    return measure, cells, weights


def shape_functions(block_type, lam):
    """The Lagrange basis of the cell at barycentric coordinates lam (its corners' order), in the
    cell's node order: the vertices, then XDMF's (VTK's) order of the edge midpoints"""
    if block_type in ("triangle", "tetra"):
        return lam
    pairs = [(0, 1), (1, 2), (2, 0)] + ([(0, 3), (1, 3), (2, 3)] if block_type == "tetra10" else [])
    return np.concatenate([lam * (2 * lam - 1), [4 * lam[i] * lam[j] for i, j in pairs]])


def check_probes(run, points, block, steps):
    """theta interpolated in fields.h5's cells at the probes of probes.csv, which spot evaluates in
    its own elements, at every time: the node order within the cells and of the values shows"""
    with open(run + "/probes.csv") as f:
        names = f.readline().strip().split(",")[1:]  # theta_at_x<x>_y<y>[_z<z>]_um
    table = np.atleast_2d(np.loadtxt(run + "/probes.csv", delimiter=",", skiprows=1))
    dim = points.shape[1]
    cells = block.data
    x0 = points[cells[:, 0]]
    edges = points[cells[:, 1:dim + 1]] - x0[:, None, :]
    inverse = np.linalg.inv(np.transpose(edges, (0, 2, 1)))
    for column, name in enumerate(names, start=1):
        p = np.array([float(v) for v in name[len("theta_at_x"):-len("_um")].replace("_y", " ").replace("_z", " ").split()])
        tail = np.einsum("cij,cj->ci", inverse, p - x0)
        lam = np.column_stack([1 - tail.sum(axis=1), tail])
        c = int(np.argmax(lam.min(axis=1)))  # the cell that holds p (the least outside, at round-off)
        phi = shape_functions(block.type, lam[c])
        for t, point_data, _ in steps:
            row = np.nonzero(np.abs(table[:, 0] - t) <= 1e-9 * max(1, abs(t)))[0]
            if len(row) != 1:
                fail("probes.csv has no row at %g s" % t)
                continue
            value = phi @ point_data["theta"][cells[c]]
            if not abs(value - table[row[0], column]) <= 1e-9:
                fail("t = %g s: theta at %s um interpolated in fields.h5 %.12f, probes.csv %.12f" % (t, p.tolist(), value, table[row[0], column]))
    if not failures:
        print("  theta at %d probes, interpolated in the cells, is probes.csv's at every time" % len(names))


def read_csv_means(run):
    rows = np.genfromtxt(run + "/timeseries.csv", delimiter=",", names=True, dtype=None, encoding=None)
    return np.asarray(rows["t_s"], float), np.asarray(rows["mean_theta"], float)


def csv_mean_at(t, ts, means):
    exact = np.nonzero(np.abs(ts - t) <= 1e-9 * max(1.0, abs(t)))[0]
    if len(exact):
        return means[exact[-1]]
    k = np.searchsorted(ts, t)
    if k == 0 or k == len(ts):
        fail("time %g s lies outside timeseries.csv" % t)
        return np.nan
    return means[k - 1] + (means[k] - means[k - 1]) * (t - ts[k - 1]) / (ts[k] - ts[k - 1])


def check_run(run, times):
    h5 = h5py.File(run + "/fields.h5", "r")
    theta_sets = check_xdmf(run, h5)
    with meshio.xdmf.TimeSeriesReader(run + "/fields.xmf") as reader:
        points, blocks = reader.read_points_cells()
        steps = [reader.read_data(k) for k in range(reader.num_steps)]
    print("%s: %d nodes of %d dimensions, %s; %d times" % (run, len(points), points.shape[1], ", ".join("%d %s" % (len(b.data), b.type) for b in blocks), len(steps)))
    got = np.array([t for t, _, _ in steps])
    if len(got) != len(times) or np.any(np.abs(got - times) > 1e-9 * np.maximum(1, np.abs(times))):
        fail("times %s, wanted %s" % (got.tolist(), times.tolist()))
    if len(blocks) != 1:
        fail("%d cell blocks, wanted 1" % len(blocks))
        return h5
    measure, cells, weights = cell_integrals(points, blocks[0])
    ts, means = read_csv_means(run)
    for t, point_data, _ in steps:
        if list(point_data) != ["theta"] or point_data["theta"].shape != (len(points),):
            fail("t = %g s: point data %s, wanted theta at %d nodes" % (t, {k: v.shape for k, v in point_data.items()}, len(points)))
            continue
        theta = point_data["theta"]
        mean = np.sum(measure * (theta[cells] @ weights)) / np.sum(measure)
        want = csv_mean_at(t, ts, means)
        print("  t = %10.6g s: volume mean of theta %.12f, timeseries.csv %.12f (difference %.1e)" % (t, mean, want, mean - want))
        if not abs(mean - want) <= 1e-9:
            fail("t = %g s: the volume mean of theta %.12f is not mean_theta %.12f" % (t, mean, want))
    if os.path.exists(run + "/probes.csv"):
        check_probes(run, points, blocks[0], steps)
    # theta once: nothing in fields.h5 but the mesh, the times and one theta dataset per time
    stored = []
    h5.visititems(lambda name, obj: stored.append(name) if isinstance(obj, h5py.Dataset) else None)
    expected = {"mesh/coordinates", "mesh/cells", "time"} | {p.lstrip("/") for p in theta_sets}
    if len(theta_sets) != len(steps) or len(set(theta_sets)) != len(theta_sets) or set(stored) != expected:
        fail("fields.h5 holds %s; the grids name theta in %s" % (sorted(stored), theta_sets))
    for path, units in [("mesh/coordinates", "um"), ("time", "s")] + [(p, "1") for p in theta_sets]:
        if path in h5 and text_attr(h5[path], "units") != units:
            fail("%s: units %r, wanted %r" % (path, text_attr(h5[path], "units"), units))
    return h5


def main():
    run, times = sys.argv[1], np.array([float(t) for t in sys.argv[2].split(",")])
    try:
        a = check_run(run, times)
        if len(sys.argv) > 3:
            b = h5py.File(sys.argv[3] + "/fields.h5", "r")
            for path in ("mesh/coordinates", "mesh/cells", "time"):
                if not np.array_equal(a[path][()], b[path][()]):
                    fail("%s differs between %s and %s" % (path, run, sys.argv[3]))
            diff = max(np.abs(a["theta"][k][()] - b["theta"][k][()]).max() for k in a["theta"])
            print("%s against %s: the same mesh and times; theta differs by at most %.1e" % (run, sys.argv[3], diff))
            if not diff <= 1e-7:
                fail("theta differs by %.1e between %s and %s" % (diff, run, sys.argv[3]))
    except Exception as e:  # meshio's or h5py's refusal of the files is a failure too
        fail("%s: %s: %s" % (run, type(e).__name__, e))
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
