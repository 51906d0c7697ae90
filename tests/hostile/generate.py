#!/usr/bin/python3
"""Generate spot's hostile-input suite: hundreds of bad inputs, each of which spot must refuse with
exactly one line "spot: error: ..." on stderr, exit status 1, nothing left behind, no crash, no hang
and bounded memory (tests/hostile/run.sh runs them and checks all of that).

    /usr/bin/python3 tests/hostile/generate.py OUTDIR [--repo DIR] [--spot BIN]

writes OUTDIR/cases/<name>/ for every case:
    argv       the arguments after `spot`, NUL-separated
    meta       key=value lines: cls (the class), ranks (1 or 2), timeout (s: 15, or 20-45 for the few
               that run a simulation first or use two ranks), setup (what to mount inside the
               case's mount namespace: "tmpfs RELDIR SIZE ro|rw", or "bind RELDIR" read-only),
               nonroot (1: a mode-000 file, meaningful only when not run as root)
    work/      the case's own files and its working directory; the only place spot may write
               (and, spot failing, must leave as it found it)
    escape/    a directory outside work/ that hostile inputs try to write into (must stay empty)
and OUTDIR/fixtures/ (valid inputs shared read-only by the cases: copies of the repository's inputs,
a movie made by spot synth, a checkpoint and fields of a short run). Paths in arguments and files
are absolute (@W@ = the case's work/, @E@ = its escape/, @F@ = fixtures/, @R@ = the repository).

Every input is built from the repository's valid inputs (tests/inputs/, examples/, data/) by one
mutation, or written here by hand; the generator is deterministic (seeded; only the checkpoints cut
from the one spot makes at test time differ in HDF5's own bytes), uses only the standard library and
numpy, and needs the spot binary only for the fixtures that spot itself must make.
The classes (the part of a case's name before the dot): run_xml, compare_xml, fit_xml (documents:
truncated, every leaf mutated, duplicated/missing/unknown elements, nesting, entities, XXE,
encodings and bytes, 2 MB texts, <petsc_options>, protocols, mesh shapes), run/mesh/gitt/synth/
compare/fit_options and toplevel (command lines), file_* and *_file (every file class where spot
reads a file), mesh_image (images), gitt_record and gitt_simulate, output (destinations: files,
/proc, read-only and full file systems, long paths), mpi (two ranks). DROP leaves some out.
"""
import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import zlib

import numpy as np

SEED = 20240617


# ----------------------------------------------------------------------------------------------
# file formats written by hand: PNG, TIFF (baseline, uncompressed), PGM
# ----------------------------------------------------------------------------------------------
def png_chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def png(pixels, bitdepth=8, colortype=0, width=None, height=None, idat=None):
    """pixels: 2-D (grey) or 3-D (RGB) uint8/uint16 array; width/height override the header"""
    a = np.asarray(pixels)
    h, w = a.shape[:2]
    if idat is None:
        dtype = ">u2" if bitdepth == 16 else "u1"
        rows = a.astype(dtype).reshape(h, -1)
        raw = b"".join(b"\x00" + r.tobytes() for r in rows)
        idat = zlib.compress(raw, 9)
    ihdr = struct.pack(">IIBBBBB", width if width is not None else w, height if height is not None else h, bitdepth, colortype, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", idat) + png_chunk(b"IEND", b"")


def tiff(pages, bits=8, sample_format=1, declared=None, strip_offset_override=None):
    """little-endian baseline TIFF, one grey page per array; declared: {page: (width, height)}
    writes a header that disagrees with the data"""
    declared = declared or {}
    out = bytearray(b"II*\x00\x00\x00\x00\x00")
    ifd_offsets = []
    dtype = {8: "<u1", 16: "<u2", 32: "<f4" if sample_format == 3 else "<u4"}[bits]
    for k, p in enumerate(pages):
        a = np.asarray(p)
        data = a.astype(dtype).tobytes()
        data_off = len(out)
        out += data
        if len(out) % 2:
            out += b"\x00"
        h, w = a.shape
        if k in declared:
            w, h = declared[k]
        so = data_off if strip_offset_override is None or k not in strip_offset_override else strip_offset_override[k]
        entries = [
            (256, 4, 1, w), (257, 4, 1, h), (258, 3, 1, bits), (259, 3, 1, 1), (262, 3, 1, 1),
            (273, 4, 1, so), (277, 3, 1, 1), (278, 4, 1, h), (279, 4, 1, len(data)), (339, 3, 1, sample_format),
        ]
        ifd_off = len(out)
        ifd_offsets.append(ifd_off)
        out += struct.pack("<H", len(entries))
        for tag, typ, count, value in entries:
            if typ == 3:
                out += struct.pack("<HHIHH", tag, typ, count, value, 0)
            else:
                out += struct.pack("<HHII", tag, typ, count, value)
        out += b"\x00\x00\x00\x00"  # next IFD, patched below
    struct.pack_into("<I", out, 4, ifd_offsets[0])
    for k in range(len(ifd_offsets) - 1):
        n = struct.unpack_from("<H", out, ifd_offsets[k])[0]
        struct.pack_into("<I", out, ifd_offsets[k] + 2 + 12 * n, ifd_offsets[k + 1])
    return bytes(out), ifd_offsets


def pgm(a, maxval=255):
    a = np.asarray(a)
    h, w = a.shape
    body = a.astype(">u2" if maxval > 255 else "u1").tobytes()
    return b"P5\n%d %d\n%d\n" % (w, h, maxval) + body


def particle(h=96, w=96, rng=None, bits=8):
    """a bright ellipse on a dark background with a little noise"""
    y, x = np.mgrid[0:h, 0:w]
    inside = ((x - w / 2) / (w * 0.3)) ** 2 + ((y - h / 2) / (h * 0.22)) ** 2 <= 1
    a = np.where(inside, 0.75, 0.2) + (rng.normal(0, 0.02, (h, w)) if rng is not None else 0)
    top = 65535 if bits == 16 else 255
    return np.clip(a * top, 0, top).astype(np.uint16 if bits == 16 else np.uint8)


# Cases the loops above would make but the suite leaves out to stay within its time (5 minutes on
# two shared cores): each repeats a reader path or a cause that a case kept here already covers.
DROP = set('''
compare_xml.current_start_after_end compare_xml.directions_five compare_xml.max_iterations_1e12 compare_xml.reference_frame_huge
compare_xml.simulation_directory compare_xml.stack_first_huge compare_xml.stack_is_run_xml compare_xml.timestamps_extra_rows
compare_xml.timestamps_is_tiff compare_xml.truncated_at_0375 compare_xml.truncated_at_0875
file_checkpoint.dangling_symlink file_checkpoint.symlink_loop file_checkpoint.symlink_dev_zero file_checkpoint.truncated_1 file_checkpoint.dev_urandom
file_mesh_file.dangling_symlink file_mesh_file.symlink_dev_zero file_mesh_file.truncated_5 file_mesh_file.node_text
file_table.dangling_symlink file_table.symlink_dev_zero file_table.symlink_loop file_table.file_empty_name file_table.header_only
file_table.wrong_header file_table.100k_columns
fit_options.max_runs_negative fit_options.range_one fit_options.range_text fit_options.output_5000_chars
fit_xml.leaf_tolerance_inf fit_xml.leaf_tolerance_zero fit_xml.truncated_at_0180 fit_xml.compare_dev_urandom
gitt_options.capacity_zero gitt_options.length_no_value gitt_options.output_no_value gitt_options.fit_window_one gitt_options.time_unit_unknown
gitt_record.dangling_symlink gitt_record.symlink_dev_zero gitt_record.symlink_loop gitt_record.100k_columns gitt_record.missing_field
gitt_record.one_pulse_no_rest
mesh_image.Nx1.png mesh_image.black.png mesh_image.header_text.pgm mesh_image.truncated_50.png mesh_image.truncated_50.tif
mesh_image_file.dangling_symlink mesh_image_file.symlink_loop mesh_image_file.symlink_dev_zero
mesh_options.extrude_1e-12 mesh_options.pixel_size_1e300 mesh_options.seed_text mesh_options.output_empty mesh_options.close_negative
run_options.alpha_empty run_options.alpha_trailing_garbage run_options.duration_zero run_options.step_index_huge run_options.nsteps_0
run_options.out_times_nan run_options.probes_odd run_options.law_unknown
output.run_proc_self output.run_dev_full_sub output.run_path_deep_5000
synth_options.bits_8 synth_options.intensity_negative synth_options.noise_no_value synth_options.output_5000_chars
synth_options.pixel_size_zero synth_options.psf_negative synth_options.rotation_nan synth_options.size_zero synth_options.shift_text
toplevel.empty_command toplevel.run_case toplevel.schema_traversal toplevel.petsc_option_only
run_xml.mesh_axes_1e12um_cells_1e12 run_xml.mesh_boundary_layer_1e12 run_xml.mesh_center_1e308 run_xml.mesh_sphere_1e-300m
run_xml.protocol_cycle_empty run_xml.protocol_gitt_pulses_2e6 run_xml.protocol_gitt_pulses_overflow run_xml.protocol_cycle_repeat_overflow
run_xml.protocol_duration_negative run_xml.petsc_options_python run_xml.petsc_options_history run_xml.petsc_options_malloc_dump
run_xml.petsc_options_start_in_debugger run_xml.bv_b_745_nan run_xml.bv_voltage_811_nan run_xml.bv_voltage_below_1174_nan
'''.split())


# ----------------------------------------------------------------------------------------------
# the generator
# ----------------------------------------------------------------------------------------------
class Gen:
    def __init__(self, out, repo, spot):
        self.out, self.repo, self.spot = out, repo, spot
        self.fix = os.path.join(out, "fixtures")
        self.cases = os.path.join(out, "cases")
        self.names = set()
        self.dropped = set()
        self.count = {}
        self.rng = random.Random(SEED)
        self.nrng = np.random.default_rng(SEED)

    def sub(self, s, w, e):
        return s.replace("@W@", w).replace("@E@", e).replace("@F@", self.fix).replace("@R@", self.repo)

    def case(self, name, args, cls, files=None, ranks=1, timeout=15, setup=None, nonroot=False):
        """one case: `spot ARGS` in a fresh work/ holding FILES (relpath -> str | bytes | tuple:
        ("fifo",), ("dir",), ("symlink", target), ("sparse", size), ("copy", path), ("chmod0", bytes))"""
        name = re.sub(r"[^A-Za-z0-9_.+-]", "_", name)
        assert name not in self.names, name
        if name in DROP:
            self.dropped.add(name)
            return
        self.names.add(name)
        self.count[cls] = self.count.get(cls, 0) + 1
        c = os.path.join(self.cases, name)
        w, e = os.path.join(c, "work"), os.path.join(c, "escape")
        os.makedirs(w)
        os.makedirs(e)
        os.makedirs(os.path.join(c, "home"))
        for rel, content in (files or {}).items():
            p = os.path.join(w, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            if isinstance(content, str):
                with open(p, "wb") as f:
                    f.write(self.sub(content, w, e).encode("utf-8", "surrogateescape"))
            elif isinstance(content, (bytes, bytearray)):
                with open(p, "wb") as f:
                    f.write(content)
            elif content[0] == "fifo":
                os.mkfifo(p)
            elif content[0] == "dir":
                os.makedirs(p, exist_ok=True)
            elif content[0] == "symlink":
                os.symlink(self.sub(content[1], w, e), p)
            elif content[0] == "sparse":
                with open(p, "wb") as f:
                    f.write(content[2] if len(content) > 2 else b"")
                    f.truncate(content[1])
            elif content[0] == "copy":
                shutil.copyfile(self.sub(content[1], w, e), p)
            elif content[0] == "chmod0":
                with open(p, "wb") as f:
                    f.write(content[1])
                os.chmod(p, 0)
            else:
                raise ValueError(content)
        with open(os.path.join(c, "argv"), "wb") as f:
            f.write(b"".join(self.sub(a, w, e).encode("utf-8", "surrogateescape") + b"\0" for a in args))
        with open(os.path.join(c, "meta"), "w") as f:
            f.write("cls=%s\nranks=%d\ntimeout=%d\n" % (cls, ranks, timeout))
            if setup:
                f.write("setup=%s\n" % setup)
            if nonroot:
                f.write("nonroot=1\n")

    # -- helpers ---------------------------------------------------------------------------------
    def read(self, rel):
        with open(os.path.join(self.repo, rel), encoding="utf-8") as f:
            return f.read()

    def readb(self, rel):
        with open(os.path.join(self.repo, rel), "rb") as f:
            return f.read()


# the file classes every reader meets, as (tag, file spec for Gen.case, or a device path)
def file_classes(ext, garbage):
    return [
        ("missing", None),
        ("directory", ("dir",)),
        ("fifo", ("fifo",)),
        ("dev_zero", "/dev/zero"),
        ("dev_urandom", "/dev/urandom"),
        ("symlink_dev_zero", ("symlink", "/dev/zero")),
        ("symlink_loop", ("symlink", "@W@/loop" + ext)),
        ("dangling_symlink", ("symlink", "@W@/nowhere" + ext)),
        ("empty", b""),
        ("garbage", garbage),
        ("sparse_300MB", ("sparse", 300 << 20)),
        ("unreadable", ("chmod0", garbage)),
    ]


def file_case(g, cls, tag, spec, ext, make_args, extra_files=None, ranks=1, timeout=15):
    """a case whose file of class TAG is named f<ext> in work/ (or is a device path)"""
    files = dict(extra_files or {})
    if tag == "symlink_loop":
        files["f" + ext] = ("symlink", "@W@/loop" + ext)
        files["loop" + ext] = ("symlink", "@W@/f" + ext)
        path = "f" + ext
    elif isinstance(spec, str):
        path = spec
    else:
        path = "f" + ext
        if spec is not None:
            files[path] = spec
    g.case("%s.%s" % (cls, tag), make_args(path), cls, files=files, ranks=ranks, timeout=timeout, nonroot=(tag == "unreadable"))


# ----------------------------------------------------------------------------------------------
# fixtures: the repository's valid inputs, and what only spot can make
# ----------------------------------------------------------------------------------------------
def make_fixtures(g):
    fx = g.fix
    os.makedirs(fx)
    for rel in ["tests/inputs/small.xml", "tests/inputs/bv_small.xml", "tests/inputs/small_file.xml", "tests/inputs/small_ellipse.msh",
                "tests/inputs/compare/run.xml", "tests/inputs/compare/compare.xml", "tests/inputs/compare/fit.xml",
                "examples/gitt_analysis/simulated.xml", "tests/inputs/gitt_disc_constant.xml",
                "data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png",
                "data/diffusivity/ni_rich_nmc_smooth_law_Dgitt.csv", "data/ocp/nmc811_LGM50_ocp_Chen2020.csv"]:
        shutil.copyfile(os.path.join(g.repo, rel), os.path.join(fx, os.path.basename(rel)))
    # a GITT record: the first ~3.5 pulses of the real charge record (valid: spot gitt analyses it)
    with open(os.path.join(g.repo, "data/gitt/vtc5a_fullcell_GITT_20C_charge_TUMFTM.csv"), encoding="utf-8") as f:
        lines = f.readlines()[:8000]
    with open(os.path.join(fx, "record.csv"), "w", encoding="utf-8") as f:
        f.writelines(lines)
    # a valid particle image of our own, and a valid multi-page TIFF
    with open(os.path.join(fx, "particle.png"), "wb") as f:
        f.write(png(particle(rng=np.random.default_rng(1))))
    if not g.spot:
        return
    env = dict(os.environ, OMPI_ALLOW_RUN_AS_ROOT="1", OMPI_ALLOW_RUN_AS_ROOT_CONFIRM="1")

    def spot(*args):
        r = subprocess.run([g.spot, *args], cwd=fx, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        if r.returncode:
            sys.exit("generate.py: making a fixture failed: spot %s\n%s" % (" ".join(args), r.stdout.decode(errors="replace")))

    # the movie of the comparison tests (noise-free, 16 bit) and its timestamps
    spot("synth", "run.xml", "-o", "movie.tif", "--noise", "0", "--bits", "16", "--shift", "3.4,0")
    # a checkpoint and fields of a short run
    spot("run", "small.xml", "-proto_nsteps", "1", "-proto_0_duration", "2s", "-out_directory", "ckrun")


# ----------------------------------------------------------------------------------------------
# XML documents
# ----------------------------------------------------------------------------------------------
LEAF = re.compile(r"<(\w+)((?:\s+\w+=\"[^\"]*\")*)>([^<]*)</\1>")


def leaves(doc):
    return list(LEAF.finditer(doc))


def mutate_leaf(doc, m, text=None, attrs=None):
    tag, a, t = m.group(1), m.group(2), m.group(3)
    new = "<%s%s>%s</%s>" % (tag, a if attrs is None else attrs, t if text is None else text, tag)
    return doc[: m.start()] + new + doc[m.end():]


WRONG_UNIT = {"um": "s", "nm": "s", "mol/m3": "um", "C": "V", "min": "um", "h": "C", "s": "mol/m3", "V": "min", "A/m2": "C"}


def xml_documents(g, cls, base, command, name_base, extra_files=None, leaf_values=None, cut_step=80, timeout=15, skip=()):
    """truncations, every leaf mutated, duplicates, missing and unknown elements of document BASE,
    run as `spot COMMAND doc.xml`; SKIP: leaves, or (leaf, value tag) pairs, whose mutation is a valid
    input (a leaf that occurs again is named leaf2, leaf3, ...)"""
    files = dict(extra_files or {})

    def one(tag, doc, **kw):
        fs = dict(files)
        fs["doc.xml"] = doc
        g.case("%s.%s" % (cls, tag), command(["doc.xml"]) if callable(command) else [command, "doc.xml"], cls, files=fs, timeout=kw.get("timeout", timeout))

    end = base.rindex("</%s>" % name_base)
    for cut in range(cut_step // 2, end, cut_step):
        one("truncated_at_%04d" % cut, base[:cut])
    one("truncated_before_root_end", base[:end + 2])
    values = leaf_values or [
        ("empty", ""), ("huge", "9" * 400), ("negative", "-1"), ("zero", "0"), ("nan", "NaN"), ("inf", "INF"),
        ("1e308", "1e308"), ("text", "abc"), ("wrong_unit", None),
    ]
    seen = {}
    for m in leaves(base):
        tag = m.group(1)
        seen[tag] = seen.get(tag, 0) + 1
        ltag = tag if seen[tag] == 1 else "%s%d" % (tag, seen[tag])
        if tag in skip:
            continue
        for vtag, v in values:
            if (tag, vtag) in skip or (ltag, vtag) in skip:
                continue
            if vtag == "wrong_unit":
                um = re.search(r'unit="([^"]*)"', m.group(2))
                if um:
                    doc = mutate_leaf(base, m, attrs=m.group(2).replace(um.group(0), 'unit="%s"' % WRONG_UNIT.get(um.group(1), "fortnight")))
                else:
                    doc = mutate_leaf(base, m, attrs=m.group(2) + ' unit="um"')
            else:
                doc = mutate_leaf(base, m, text=v)
            one("leaf_%s_%s" % (ltag, vtag), doc)
    return one


def run_documents(g):
    small = g.read("tests/inputs/small.xml")
    cls = "run_xml"
    # valid: progress 0 (false), output times 0, theta 0 (a charge from it stops at once, with a warning),
    # c_max 1e308 (only scales the flux);
    # the rest's duration of 400 digits hangs for the cause that the cc step's shows at once; see also DROP
    one = xml_documents(g, cls, small, "run", "spot", cut_step=110,
                        skip={("progress", "zero"), ("times", "zero"), ("theta", "zero"), ("c_max", "1e308"), ("duration2", "huge")})

    def sub1(old, new, doc=small):
        assert old in doc, old
        return doc.replace(old, new, 1)

    # leaves of the Butler-Volmer input (OCP table, exchange current, cut-offs in V)
    bv = g.read("tests/inputs/bv_small.xml").replace("../../data/ocp/", "@R@/data/ocp/")
    for m in leaves(bv):
        if m.group(1) in ("value", "a", "b", "voltage_above", "voltage_below", "voltage", "current_below"):
            for vtag, v in [("nan", "NaN")]:
                tag = "bv_%s_%d_%s" % (m.group(1), m.start(), vtag)
                g.case("%s.%s" % (cls, tag), ["run", "doc.xml"], cls, files={"doc.xml": mutate_leaf(bv, m, text=v)})
    g.case(cls + ".bv_ocp_file_missing", ["run", "doc.xml"], cls, files={"doc.xml": bv.replace("@R@/data/ocp/nmc811_LGM50_ocp_Chen2020.csv", "nothere.csv")})

    # duplicated elements
    for sec in ["mesh", "protocol", "output"]:
        m = re.search(r"  <%s>.*?</%s>\n" % (sec, sec), small, re.S)
        one("duplicate_section_%s" % sec, small[: m.end()] + m.group(0) + small[m.end():])
    one("duplicate_alpha", sub1("<alpha>2.7</alpha>", "<alpha>2.7</alpha><alpha>3</alpha>"))
    one("duplicate_semi_axes", sub1('<semi_axes unit="um">0.8 0.55</semi_axes>', '<semi_axes unit="um">0.8 0.55</semi_axes><semi_axes unit="um">1 1</semi_axes>'))
    one("duplicate_cc_duration", sub1('<duration unit="min">10</duration>', '<duration unit="min">10</duration><duration unit="min">20</duration>'))
    one("duplicate_cc_c_rate", sub1('<c_rate unit="C">1</c_rate>', '<c_rate unit="C">1</c_rate><c_rate unit="C">2</c_rate>'))
    one("duplicate_attribute", sub1('<cc direction="charge">', '<cc direction="charge" direction="discharge">'))
    one("duplicate_root", small + "<spot version=\"1\"/>\n")
    # missing elements and attributes the document needs
    for tag, old, new in [
        ("mesh", re.search(r"  <mesh>.*?</mesh>\n", small, re.S).group(0), ""),
        ("material", re.search(r"  <material>.*?</material>\n", small, re.S).group(0), ""),
        ("protocol", re.search(r"  <protocol>.*?</protocol>\n", small, re.S).group(0), ""),
        ("diffusivity", '<diffusivity law="ni_rich_smooth"/>', ""),
        ("shape_type", '<shape type="ellipse">', "<shape>"),
        ("law", '<diffusivity law="ni_rich_smooth"/>', "<diffusivity/>"),
        ("direction", '<cc direction="charge">', "<cc>"),
        ("cc_current", '<c_rate unit="C">1</c_rate>', ""),
        ("cc_cutoff", '<duration unit="min">10</duration>', ""),
        ("semi_axis_count", '<semi_axes unit="um">0.8 0.55</semi_axes>', '<semi_axes unit="um">0.8</semi_axes>'),
        ("root_empty", small[small.index("<spot"):], '<spot version="1"/>\n'),
    ]:
        one("missing_%s" % tag, sub1(old, new))
    # unknown elements and attributes, wrong root, namespaces
    for sec in ["mesh", "protocol", "spot"]:
        one("unknown_element_in_%s" % sec, sub1("<%s%s>" % (sec, ' version="1"' if sec == "spot" else ""), "<%s%s><bogus>1</bogus>" % (sec, ' version="1"' if sec == "spot" else "")))
    one("unknown_attribute", sub1("<alpha>", '<alpha foo="bar">'))
    one("unknown_shape_type", sub1('type="ellipse"', 'type="hexagon"'))
    one("unknown_law", sub1('law="ni_rich_smooth"', 'law="magic"'))
    one("wrong_root", small.replace("<spot version=\"1\">", "<spotx version=\"1\">").replace("</spot>", "</spotx>"))
    one("compare_root_as_run", g.read("tests/inputs/compare/compare.xml"))
    one("namespace_root", sub1('<spot version="1">', '<spot version="1" xmlns="http://example.invalid/spot">'))
    one("version_2", sub1('version="1"', 'version="2"'))
    one("version_huge", sub1('version="1"', 'version="99999999999999999999999999"'))
    one("not_xml_text", "this is not XML at all\n")
    one("only_declaration", '<?xml version="1.0" encoding="UTF-8"?>\n')
    # deep nesting
    one("deep_nesting_100k", sub1("<material>", "<material>" + "<a>" * 100000 + "</a>" * 100000))
    one("nested_cycles_60", sub1(re.search(r"<protocol>.*?</protocol>", small, re.S).group(0),
                                 "<protocol>" + '<cycle repeat="2">' * 60 + '<rest><duration unit="s">1</duration></rest>' + "</cycle>" * 60 + "</protocol>"))
    # entities: internal expansion (billion laughs, quadratic blow-up) and external ones (XXE)
    lol = '<!DOCTYPE spot [\n<!ENTITY lol "lol">\n' + "".join(
        '<!ENTITY lol%d "%s">\n' % (i, ("&lol%d;" % (i - 1) if i > 1 else "&lol;") * 10) for i in range(1, 10)) + "]>\n"
    decl = '<?xml version="1.0" encoding="UTF-8"?>\n'
    body = small[small.index("<spot"):]
    one("billion_laughs_element", decl + lol + body.replace("<alpha>2.7</alpha>", "<alpha>&lol9;</alpha>"))
    one("billion_laughs_attribute", decl + lol + body.replace('<cc direction="charge">', '<cc direction="charge" name="&lol9;">'))
    one("billion_laughs_petsc_options", decl + lol + body.replace("</output>", "</output><solver><petsc_options>&lol9;</petsc_options></solver>"))
    quad = '<!DOCTYPE spot [<!ENTITY a "%s">]>\n' % ("x" * 100000)
    one("quadratic_blowup", decl + quad + body.replace("<alpha>2.7</alpha>", "<alpha>" + "&a;" * 30000 + "</alpha>"))
    for tag, target in [("etc_passwd", "file:///etc/passwd"), ("etc_passwd_relative", "../../../../../../../../etc/passwd"),
                        ("dev_zero", "file:///dev/zero"), ("fifo", "@W@/fifo"), ("network", "http://127.0.0.1:9/x.dtd")]:
        xxe = '<!DOCTYPE spot [<!ENTITY xxe SYSTEM "%s">]>\n' % target
        fs = {"fifo": ("fifo",)} if tag == "fifo" else {}
        fs["doc.xml"] = decl + xxe + body.replace("<alpha>2.7</alpha>", "<alpha>&xxe;</alpha>")
        g.case("%s.xxe_%s" % (cls, tag), ["run", "doc.xml"], cls, files=fs)
    fs = {"doc.xml": decl + '<!DOCTYPE spot [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + body.replace("<progress>false</progress>", "<directory>&xxe;</directory><progress>false</progress>")}
    g.case(cls + ".xxe_directory", ["run", "doc.xml"], cls, files=fs)
    fs = {"doc.xml": decl + '<!DOCTYPE spot [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n' + body.replace('<cc direction="charge">', '<cc direction="charge" name="&xxe;">')}
    g.case(cls + ".xxe_attribute", ["run", "doc.xml"], cls, files=fs)
    # (the documents below are otherwise invalid, alpha -1: the point is that nothing is read or fetched)
    bad = body.replace("<alpha>2.7</alpha>", "<alpha>-1</alpha>")
    one("xxe_parameter_entity", decl + '<!DOCTYPE spot [<!ENTITY % p SYSTEM "file:///etc/passwd"> %p;]>\n' + bad)
    one("external_dtd", decl + '<!DOCTYPE spot SYSTEM "file:///etc/passwd">\n' + bad)
    one("external_dtd_network", decl + '<!DOCTYPE spot SYSTEM "http://127.0.0.1:9/spot.dtd">\n' + bad)
    one("xinclude", sub1("<alpha>2.7</alpha>", '<alpha><xi:include xmlns:xi="http://www.w3.org/2001/XInclude" href="/etc/passwd" parse="text"/></alpha>'))
    one("processing_instruction_stylesheet", decl + '<?xml-stylesheet href="file:///etc/passwd"?>\n' + bad)
    # encodings and bytes
    sb = small.encode()
    for tag, data in [
        ("latin1_in_value", sb.replace(b"<alpha>2.7</alpha>", b"<alpha>2.7\xe9</alpha>")),
        ("latin1_in_name", sb.replace(b"<alpha>2.7</alpha>", b"<alph\xe9>2.7</alph\xe9>")),
        ("overlong_utf8", sb.replace(b"<alpha>2.7</alpha>", b"<alpha>2.7\xc0\xaf</alpha>")),
        ("invalid_byte_ff", sb.replace(b"<progress>", b"\xff\xfe<progress>")),
        ("utf8_surrogate", sb.replace(b"<alpha>2.7</alpha>", b"<alpha>2.7\xed\xa0\x80</alpha>")),
        ("declared_utf16", sb.replace(b'encoding="UTF-8"', b'encoding="UTF-16"')),
        ("declared_bogus_charset", sb.replace(b'encoding="UTF-8"', b'encoding="X-NO-SUCH-CHARSET"')),
        ("utf16_bom_utf8_body", b"\xff\xfe" + sb),
        ("nul_at_start", b"\x00" + sb),
        ("nul_in_value", sb.replace(b"<alpha>2.7</alpha>", b"<alpha>2.7\x00</alpha>")),
        ("nul_after_root", sb + b"\x00<spot/>"),
    ]:
        g.case("%s.bytes_%s" % (cls, tag), ["run", "doc.xml"], cls, files={"doc.xml": bytes(data)})
    # 2 MB of text in one place
    big = "1 " * (1 << 20)
    one("2MB_times", sub1('<times unit="min">0 5 10 15</times>', '<times unit="s">%s</times>' % big))
    one("2MB_whitespace_alpha", sub1("<alpha>2.7</alpha>", "<alpha>" + " " * (2 << 20) + "2.7</alpha>"))
    one("2MB_petsc_options", sub1("</output>", "</output><solver><petsc_options>%s</petsc_options></solver>" % ("-ts_max_steps 9 " * (2 << 16))))
    one("2MB_directory", sub1("<progress>", "<directory>%s</directory><progress>" % ("d" * (2 << 20))))
    one("2MB_element_name", sub1("<alpha>2.7</alpha>", "<%s>2.7</%s>" % ("a" * (2 << 20), "a" * (2 << 20))))
    one("5000_char_directory", sub1("<progress>", "<directory>%s</directory><progress>" % ("d" * 5000)))
    one("64MB_plus_file", sub1("<!--", "<!--" + "x" * (65 << 20)))
    # <petsc_options> that would make PETSc write, read or run files
    for tag, opts in [
        ("ascii_abs", "-ts_monitor ascii:@E@/monitor.txt"), ("log_view_file", "-log_view :@E@/log.txt"),
        ("options_file", "-options_file /etc/passwd"), ("dm_view_hdf5", "-dm_view hdf5:@E@/dm.h5"),
        ("log_trace", "-log_trace @E@/trace"), ("history", "-history @E@/history"), ("info_file", "-info @E@/info"),
        ("viewer_binary_filename", "-viewer_binary_filename @E@/b.bin"), ("debugger", "-on_error_attach_debugger"),
        ("start_in_debugger", "-start_in_debugger noxterm"), ("python", "-python"), ("malloc_dump", "-malloc_dump"),
        ("mat_view_binary", "-mat_view binary"), ("ts_monitor_binary", "-ts_monitor binary"),
        ("snes_view_binary_relative", "-snes_view binary:snes.bin"),
        ("ts_trajectory_visualization", "-ts_save_trajectory -ts_trajectory_type visualization"),
        ("ts_monitor_solution_vtk", "-ts_monitor_solution_vtk sol-%03d.vtu"), ("uppercase_options_file", "-OPTIONS_FILE /etc/passwd"),
        
        ("dlopen", "-dlopen /lib/x86_64-linux-gnu/libc.so.6"),
        ("value_only", "ascii:/tmp/x"), ("dm_refine_12", "-dm_refine 12"), ("ts_max_steps_text", "-ts_max_steps lots"),
        ("unknown_petsc", "-ts_monitr"),
        ("dm_plex_filename", "-dm_plex_filename /etc/passwd"), 
        ("skip_petscrc", "-skip_petscrc -options_file_yaml @E@/x.yaml"),
    ]:
        one("petsc_options_%s" % tag, sub1("</output>", "</output><solver><petsc_options>%s</petsc_options></solver>" % opts))
    # pathological protocols
    proto = re.search(r"<protocol>.*?</protocol>", small, re.S).group(0)
    rest1 = '<rest><duration unit="s">1</duration></rest>'
    gitt = '<gitt direction="charge" pulses="%s"><c_rate unit="C">0.1</c_rate><pulse unit="s">10</pulse><relaxation unit="s">10</relaxation></gitt>'
    for tag, p in [
        ("gitt_pulses_1e9", gitt % "1000000000"), ("gitt_pulses_0", gitt % "0"),
        ("gitt_pulses_2e6", gitt % "2000000"), ("gitt_pulses_overflow", gitt % ("9" * 30)),
        ("gitt_no_pulse_duration", '<gitt direction="charge" pulses="3"><c_rate unit="C">0.1</c_rate><relaxation unit="s">10</relaxation></gitt>'),
        ("cycle_repeat_0", '<cycle repeat="0">%s</cycle>' % rest1), ("cycle_repeat_1e9", '<cycle repeat="1000000000">%s</cycle>' % rest1),
        ("cycle_repeat_overflow", '<cycle repeat="%s">%s</cycle>' % ("9" * 25, rest1)),
        ("cycle_1000x2000_steps", '<cycle repeat="1000">%s</cycle>' % (rest1 * 2000)),
        ("cycle_empty", '<cycle repeat="2"></cycle>'),
        ("duration_negative", '<rest><duration unit="s">-5</duration></rest>'), 
        ("duration_1e308_h", '<rest><duration unit="h">1e308</duration></rest>'), ("duration_denormal", '<rest><duration unit="s">4e-320</duration></rest>'),
        ("duration_inf", '<rest><duration unit="s">INF</duration></rest>'),
        ("c_rate_1e308", '<cc direction="charge"><c_rate unit="C">1e308</c_rate><duration unit="s">10</duration></cc>'),
        ("c_rate_denormal", '<cc direction="charge"><c_rate unit="C">4e-320</c_rate><duration unit="s">10</duration></cc>'),
        ("pitt_steps_1e9", '<pitt><start_voltage unit="V">3.7</start_voltage><voltage_step unit="V">0.01</voltage_step><steps>1000000000</steps><duration unit="s">10</duration></pitt>'),
        ("cv_without_ocp", '<cv><voltage unit="V">4</voltage><duration unit="s">10</duration></cv>'),
        ("rest_only_theta_above", '<rest><theta_above>0.99</theta_above></rest>'),
        ("theta_below_unreachable_charge", '<cc direction="discharge"><c_rate unit="C">1</c_rate><theta_below>0.5</theta_below></cc>'),
        ("voltage_cutoff_without_ocp", '<cc direction="charge"><c_rate unit="C">1</c_rate><voltage_above unit="V">4.2</voltage_above></cc>'),
        ("dvdt_cutoff_uniform", '<rest><dvdt_below unit="mV/min">1</dvdt_below></rest>'),
    ]:
        one("protocol_%s" % tag, sub1(proto, "<protocol>%s</protocol>" % p))
    # mesh shapes with absurd sizes
    shape = re.search(r"<shape.*?</shape>", small, re.S).group(0)
    meshsec = re.search(r"<mesh>.*?</mesh>", small, re.S).group(0)
    for tag, m in [
        ("axes_1e-12um", '<shape type="ellipse"><semi_axes unit="um">1e-12 1e-12</semi_axes></shape>'),
        ("axes_1e12um_cells_1e12", '<shape type="ellipse"><semi_axes unit="um">1e12 1e12</semi_axes></shape><cell_size unit="um">1e12</cell_size>'),
        ("cell_1e-12um", shape + '<cell_size unit="um">1e-12</cell_size>'),
        ("cell_1e12um", shape + '<cell_size unit="um">1e12</cell_size><boundary_cell_size unit="um">1e12</boundary_cell_size>'),
        ("ratio_1e6", '<shape type="ellipse"><semi_axes unit="um">1 1</semi_axes></shape><cell_size unit="um">1e-6</cell_size>'),
        ("boundary_cell_1e-9", shape + '<cell_size unit="um">0.1</cell_size><boundary_cell_size unit="um">1e-9</boundary_cell_size>'),
        ("axes_ratio_1e6", '<shape type="ellipse"><semi_axes unit="um">1 1e-6</semi_axes></shape>'),
        ("box_cells_1e-3", '<shape type="box"><sides unit="um">1 1 1</sides></shape><cell_size unit="um">0.001</cell_size>'),
        ("sphere_1e-300m", '<shape type="sphere"><radius unit="m">1e-300</radius></shape>'),
        ("disc_1e308um", '<shape type="disc"><radius unit="um">1e308</radius></shape>'),
        ("platelet_thickness_1e-12", '<shape type="platelet"><semi_axes unit="um">1 0.8</semi_axes><thickness unit="um">1e-12</thickness></shape>'),
        ("corner_radius_above_sides", '<shape type="rectangle"><sides unit="um">1 1</sides><corner_radius unit="um">5</corner_radius></shape>'),
        ("ellipse_five_axes", '<shape type="ellipse"><semi_axes unit="um">1 1 1 1 1</semi_axes></shape>'),
        ("center_nan", '<shape type="ellipse"><semi_axes unit="um">0.8 0.55</semi_axes><center unit="um">NaN 0</center></shape>'),
        ("center_1e308", '<shape type="ellipse"><semi_axes unit="um">0.8 0.55</semi_axes><center unit="um">1e308 1e308</center></shape>'),
        ("refine_40", shape + "<refine>40</refine>"),
        ("boundary_layer_1e12", shape + '<boundary_layer unit="um">1e12</boundary_layer><cell_size unit="um">0.1</cell_size>'),
        ("image_missing_file", '<image file="nothere.png"><pixel_size unit="um">0.01</pixel_size></image>'),
    ]:
        one("mesh_%s" % tag, sub1(meshsec, "<mesh>%s</mesh>" % m))
    # the image of an <image> mesh and the mesh of a <file> mesh: hostile values in the document
    img = g.read("examples/fit_alpha/run.xml").replace("../../data/images/", "@R@/data/images/")
    for tag, old, new in [("pixel_size_1e-300", '<pixel_size unit="nm">12</pixel_size>', '<pixel_size unit="nm">1e-300</pixel_size>'),
                          ("sigma_1e9", "<sigma>1.5</sigma>", "<sigma>1e9</sigma>"),
                          ("threshold_text", "<sigma>1.5</sigma>", "<threshold>brightish</threshold>"),
                          ("seed_outside", "<sigma>1.5</sigma>", "<seed>100000,100000</seed>"),
                          ("page_99", "<sigma>1.5</sigma>", "<page>99</page>"),
                          ("open_radius_1e9", "<sigma>1.5</sigma>", "<open_radius>1000000000</open_radius>"),
                          ("file_is_xml", 'file="@R@/data/images/nmc811_single_particle_cropA_rows354-546_cols1530-1696.png"', 'file="doc.xml"')]:
        assert old in img, old
        one("image_%s" % tag, img.replace(old, new, 1))
    return one


def compare_documents(g):
    cmp_ = g.read("tests/inputs/compare/compare.xml")
    fit = g.read("tests/inputs/compare/fit.xml")
    run = g.read("tests/inputs/compare/run.xml")
    movie = {"run.xml": run, "movie.tif": ("copy", "@F@/movie.tif"), "movie_timestamps.csv": ("copy", "@F@/movie_timestamps.csv")}
    cls = "compare_xml"
    vals = [("nan", "NaN"), ("1e308", "1e308"), ("wrong_unit", None), ("empty", "")]
    one = xml_documents(g, cls, cmp_, "compare", "compare", extra_files=movie, leaf_values=vals, cut_step=250,
                        skip={"directory", ("directions_deg", "1e308")})

    def sub1(old, new, doc=cmp_):
        assert old in doc, old
        return doc.replace(old, new, 1)

    for tag, old, new in [
        ("simulation_missing", 'file="run.xml"', 'file="nothere.xml"'), ("simulation_self", 'file="run.xml"', 'file="doc.xml"'),
        ("simulation_directory", 'file="run.xml"', 'file="."'), ("simulation_dev_zero", 'file="run.xml"', 'file="/dev/zero"'),
("stack_missing", 'file="movie.tif"', 'file="nothere.tif"'),
        ("stack_is_run_xml", 'file="movie.tif"', 'file="run.xml"'),         ("stack_dev_zero", 'file="movie.tif"', 'file="/dev/zero"'), ("timestamps_missing", 'file="movie_timestamps.csv"', 'file="nothere.csv"'),
        ("timestamps_is_tiff", 'file="movie_timestamps.csv"', 'file="movie.tif"'), ("timestamps_column_unknown", 'column="t_s"', 'column="nope"'),
                ("reference_frame_huge", "<reference_frame>0</reference_frame>", "<reference_frame>99999999999999999999</reference_frame>"),
        ("max_iterations_1e12", "<max_iterations>500</max_iterations>", "<max_iterations>1000000000000</max_iterations>"),
        ("psf_sigma_1e6", '<psf_sigma unit="um">0.3</psf_sigma>', '<psf_sigma unit="um">1e6</psf_sigma>'),
        ("pixel_size_1e-9", '<pixel_size unit="um">0.1</pixel_size>', '<pixel_size unit="um">1e-9</pixel_size>'),
        ("pixel_size_1e9", '<pixel_size unit="um">0.1</pixel_size>', '<pixel_size unit="um">1e9</pixel_size>'),
        ("current_start_after_end", '<current_start unit="s">0</current_start>', '<current_start unit="h">1e6</current_start>'),
        ("directions_five", "<directions_deg>0 90</directions_deg>", "<directions_deg>0 45 90 135 180</directions_deg>"),
        ("figures_time_negative", '<times unit="min">2 5 10 15</times>', '<times unit="min">-5</times>'),
        ("matrix_singular", '<registration method="auto">', '<registration method="given"><matrix>0 0 0 0</matrix><offset unit="um">0 0</offset>'),
        ("window_reversed", "<misfit>series</misfit>", '<misfit>series</misfit><window unit="s">100 10</window>'),
        ("stack_first_huge", 'file="movie.tif"', 'file="movie.tif" first="99999999999"'),
        ("output_directory_is_file", "<directory>compare_out</directory>", "<directory>run.xml</directory>"),
        ("output_directory_proc", "<directory>compare_out</directory>", "<directory>/proc/spot-cannot-write</directory>"),
    ]:
        one(tag, sub1(old, new))
    # a printf pattern as the stack: only one %d-like conversion may be accepted
    for tag, pat in [("pct_s", "f_%s.png"), ("pct_n", "f_%n.png"), ("pct_huge_width", "f_%999999999d.png"), ("two_conversions", "f_%d_%d.png"),
                     ("lone_pct", "f_%.png"), ("pct_dot_huge", "f_%.2147483647d.png")]:
        one("stack_pattern_%s" % tag, sub1('file="movie.tif"', 'file="%s"' % pat), timeout=30 if tag == "pct_huge_width" else 15)
    # timestamps and stacks with hostile content
    ts = "frame,t_s\n" + "".join("%d,%d\n" % (i, 30 * i) for i in range(31))
    for tag, content in [
        ("nan", ts.replace("\n5,150\n", "\n5,nan\n")), ("unsorted", ts.replace("\n5,150\n", "\n5,10\n")),
        ("text", ts.replace("\n5,150\n", "\n5,abc\n")), ("header_only", "frame,t_s\n"), ("empty", ""),
        ("extra_rows", ts + "".join("%d,%d\n" % (i, 30 * i) for i in range(31, 40))),
        ("ragged", ts.replace("\n5,150\n", "\n5\n")),
        ("nul_byte", ts.replace("\n5,150\n", "\n5,15\x000\n")), ("2MB_line", ts.replace("\n5,150\n", "\n5,150" + "," * (2 << 20) + "\n")),
        ("binary", bytes(range(256)) * 64),
    ]:
        fs = dict(movie)
        fs["doc.xml"] = cmp_
        fs["movie_timestamps.csv"] = content
        g.case("%s.timestamps_%s" % (cls, tag), ["compare", "doc.xml"], cls, files=fs)
    rng = np.random.default_rng(7)
    frame = particle(60, 80, rng, bits=16)
    stacks = [
        ("one_frame", tiff([frame], bits=16)[0]),
        ("noise_31", tiff([rng.integers(0, 65535, (60, 80)) for _ in range(31)], bits=16)[0]),
        ("flat_31", tiff([np.full((60, 80), 1000)] * 31, bits=16)[0]),
        ("nan_pages", tiff([np.full((60, 80), np.nan)] * 31, bits=32, sample_format=3)[0]),
        ("sizes_differ", tiff([frame] * 15 + [frame[:30, :40]] * 16, bits=16)[0]),
        ("huge_declared_page", tiff([frame] * 31, bits=16, declared={7: (100000, 100000)})[0]),
        ("strip_past_end", tiff([frame] * 31, bits=16, strip_offset_override={4: 1 << 30})[0]),
        ("truncated_half", tiff([frame] * 31, bits=16)[0][: 31 * 60 * 80]),
        ("ifd_loop", None),
    ]
    for tag, data in stacks:
        if data is None:
            data, offs = tiff([frame] * 31, bits=16)
            data = bytearray(data)
            n = struct.unpack_from("<H", data, offs[-1])[0]
            struct.pack_into("<I", data, offs[-1] + 2 + 12 * n, offs[0])  # the last page links to the first
            data = bytes(data)
        fs = dict(movie)
        fs["doc.xml"] = cmp_
        fs["movie.tif"] = data
        g.case("%s.stack_%s" % (cls, tag), ["compare", "doc.xml"], cls, files=fs, timeout=20)

    # <fit> documents
    fcls = "fit_xml"
    fitfiles = dict(movie)
    fitfiles["compare.xml"] = cmp_
    vals = [("negative", "-1"), ("zero", "0"), ("nan", "NaN"), ("inf", "INF")]
    onef = xml_documents(g, fcls, fit, "fit", "fit", extra_files=fitfiles, leaf_values=vals, cut_step=120, skip={"directory"})
    for tag, old, new in [
        ("range_reversed", "<range>1 10</range>", "<range>10 1</range>"),         ("tolerance_1e-300", "<tolerance>0.02</tolerance>", "<tolerance>1e-300</tolerance>"),
        ("compare_self", 'file="compare.xml"', 'file="doc.xml"'), ("compare_is_run", 'file="compare.xml"', 'file="run.xml"'),
("compare_dev_urandom", 'file="compare.xml"', 'file="/dev/urandom"'),
        ("ranks_per_run_1e12", "</alpha>", "</alpha><parallel><ranks_per_run>1000000000000</ranks_per_run></parallel>"),
        ("psf_range_reversed", "</alpha>", '</alpha><psf_sigma><range unit="um">1 0.1</range></psf_sigma>'),
        ("psf_range_huge", "</alpha>", '</alpha><psf_sigma><range unit="um">0 1e12</range></psf_sigma>'),
        ("output_directory_is_file", "<directory>fit_out</directory>", "<directory>run.xml</directory>"),
    ]:
        assert old in fit, old
        onef(tag, fit.replace(old, new, 1))
    # a fit whose comparison is broken
    fs = dict(fitfiles)
    fs["compare.xml"] = cmp_.replace("<reference_frame>0</reference_frame>", "<reference_frame>abc</reference_frame>")
    fs["doc.xml"] = fit
    g.case(fcls + ".compare_invalid", ["fit", "doc.xml"], fcls, files=fs)
    fs = dict(fitfiles)
    fs["compare.xml"] = cmp_.replace('file="run.xml"', 'file="compare.xml"')
    fs["doc.xml"] = fit
    g.case(fcls + ".compare_simulation_is_compare", ["fit", "doc.xml"], fcls, files=fs)
    fs = dict(fitfiles)
    fs["compare.xml"] = cmp_.replace('file="run.xml"', 'file="doc.xml"')
    fs["doc.xml"] = fit
    g.case(fcls + ".compare_simulation_is_fit", ["fit", "doc.xml"], fcls, files=fs)


# ----------------------------------------------------------------------------------------------
# command-line options
# ----------------------------------------------------------------------------------------------
def options(g):
    small = {"in.xml": ("copy", "@F@/small.xml")}
    small_file = {"in.xml": ("copy", "@F@/small_file.xml"), "small_ellipse.msh": ("copy", "@F@/small_ellipse.msh")}
    cls = "run_options"
    for tag, opts in [
        ("misspelt_spot", ["-phys_alpah", "3"]), ("misspelt_step", ["-proto_0_durration", "5min"]),
        ("unknown_petsc", ["-ts_monitr"]),  ("unknown_prefix", ["-zzz_top", "1"]),
        ("degree_text", ["-solver_degree", "two"]), ("degree_3", ["-solver_degree", "3"]), ("degree_huge", ["-solver_degree", "99999999999999999999"]),
         
        ("alpha_nan", ["-phys_alpha", "nan"]), 
        ("alpha_1e400", ["-phys_alpha", "1e400"]), ("alpha_empty", ["-phys_alpha", ""]), 
        ("alpha_wrong_unit", ["-phys_alpha", "3um"]),  ("alpha_1e308", ["-phys_alpha", "1e308"]),
        ("alpha_hex_float", ["-phys_alpha", "0x1p-1080"]), ("alpha_trailing_garbage", ["-phys_alpha", "3abc"]),
        ("theta_1.5", ["-init_theta", "1.5"]), 
        ("c_rate_negative", ["-proto_0_c_rate", "-1"]),  
        ("duration_negative", ["-proto_0_duration", "-5min"]), ("duration_zero", ["-proto_0_duration", "0"]), 
        ("duration_wrong_unit", ["-proto_0_duration", "5um"]), ("step_out_of_range", ["-proto_5_duration", "5min"]),
        ("step_index_huge", ["-proto_99999999999999999999_duration", "5min"]), 
        ("nsteps_0", ["-proto_nsteps", "0"]), ("nsteps_huge", ["-proto_nsteps", "99999999999"]),
        ("refine_30", ["-mesh_refine", "30"]),  ("cell_size_1e-9", ["-mesh_cell_size", "1e-9"]),
         ("out_times_negative", ["-out_times", "-5"]), ("out_times_nan", ["-out_times", "1,nan"]),
        ("out_times_60k_values", ["-out_times", ",".join(["1"] * 60000)]), 
        ("probes_outside", ["-out_probes", "100,100"]), ("probes_odd", ["-out_probes", "0,0,1"]),
        ("other_command_synth", ["-synth_k", "0.5"]), ("other_command_gitt", ["-gitt_length", "1um"]), 
         ("image_option_on_shape", ["-mesh_image_pixel_size", "1"]),
        ("shape_parameter", ["-mesh_shape_radius", "1um"]),
        ("no_value_last", ["-phys_alpha"]), ("no_value_middle", ["-phys_alpha", "-solver_degree", "2"]), ("out_directory_no_value", ["-out_directory"]),
        ("twice_spot", ["-phys_alpha", "3", "-phys_alpha", "4"]), ("twice_petsc", ["-ts_max_steps", "5", "-ts_max_steps", "6"]),
         ("pc_factor_unavailable", ["-pc_type", "lu", "-pc_factor_mat_solver_type", "superlu_dist_not_here"]),
        ("ts_max_steps_text", ["-ts_max_steps", "abc"]),  ("mesh_max_cells_0", ["-mesh_max_cells", "0"]),
         ("law_unknown", ["-phys_diffusivity_law", "magic"]),
         
        ("temperature_absolute_zero", ["-phys_temperature", "0K"]), 
        ("extra_input", ["@F@/bv_small.xml"]), ("double_dash_unknown", ["--frobnicate"]), ("option_name_only_dash", ["-"]),
        ("option_100kB_value", ["-phys_alpha", "3" * 100000]), ("option_100kB_name", ["-" + "a" * 100000, "1"]),
        ("options_file_missing", ["-options_file", "nothere.txt"]),
    ]:
        shape = tag.startswith(("refine", "cell_size", "shape_parameter", "image_option", "dm_refine", "mesh_max_cells", "probes"))
        g.case("%s.%s" % (cls, tag), ["run", "in.xml", *opts], cls, files=small if shape else small_file)
    # PETSc reads -options_file itself, at start-up: every file class
    for tag, spec in file_classes(".opts", b"garbage\x01\xff\x00" * 100):
        if tag in ("empty", "symlink_dev_zero", "dangling_symlink"):
            continue
        file_case(g, "run_options_file", tag, spec, ".opts", lambda p: ["run", "in.xml", "-options_file", p], small_file)
    # no input, or not first
    g.case(cls + ".no_input", ["run"], cls)
    g.case(cls + ".option_before_input", ["run", "-phys_alpha", "3", "in.xml"], cls, files=small)

    # spot mesh
    cls = "mesh_options"
    img = {"p.png": ("copy", "@F@/particle.png")}
    for tag, opts in [
        ("no_pixel_size", []), ("pixel_size_zero", ["--pixel-size", "0"]), 
        ("pixel_size_nan", ["--pixel-size", "nan"]), ("pixel_size_1e-300", ["--pixel-size", "1e-300"]),
        ("pixel_size_1e300", ["--pixel-size", "1e300"]), ("pixel_size_no_value", ["--pixel-size"]),
        ("sigma_negative", ["--pixel-size", "0.01", "--sigma", "-1"]), ("sigma_1e6", ["--pixel-size", "0.01", "--sigma", "1e6"]),
        
        ("threshold_2", ["--pixel-size", "0.01", "--threshold", "2"]), 
        ("threshold_text", ["--pixel-size", "0.01", "--threshold", "abc"]), ("open_1e9", ["--pixel-size", "0.01", "--open", "1000000000"]),
        ("close_negative", ["--pixel-size", "0.01", "--close", "-1"]), ("smoothing_1e9", ["--pixel-size", "0.01", "--smoothing", "1e9"]),
        ("seed_outside", ["--pixel-size", "0.01", "--seed", "10000,10000"]), ("seed_text", ["--pixel-size", "0.01", "--seed", "a,b"]),
        ("seed_background", ["--pixel-size", "0.01", "--seed", "0,0"]),
        ("page_negative", ["--pixel-size", "0.01", "--page", "-1"]), ("page_99", ["--pixel-size", "0.01", "--page", "99"]),
        ("extrude_negative", ["--pixel-size", "0.01", "--extrude", "-1"]), 
        ("extrude_1e-12", ["--pixel-size", "0.01", "--extrude", "1e-12"]),
        ("cell_size_1e-9", ["--pixel-size", "0.01", "--cell-size", "1e-9"]), ("boundary_cell_size_zero", ["--pixel-size", "0.01", "--boundary-cell-size", "0"]),
        ("max_cells_0", ["--pixel-size", "0.01", "-mesh_max_cells", "0"]),
        ("max_pixels_1", ["--pixel-size", "0.01", "-mesh_image_max_pixels", "1"]), ("unknown_argument", ["--pixel-size", "0.01", "--pixelsize", "1"]),
        ("other_command", ["--pixel-size", "0.01", "--noise", "0.1"]),
        ("other_command_option", ["--pixel-size", "0.01", "-phys_alpha", "3"]), ("twice", ["--pixel-size", "0.01", "--pixel-size", "0.02"]),
        ("output_no_value", ["--pixel-size", "0.01", "-o"]), ("output_empty", ["--pixel-size", "0.01", "-o", ""]),
        ("output_directory", ["--pixel-size", "0.01", "-o", "."]), 
        ("output_proc", ["--pixel-size", "0.01", "-o", "/proc/spot.msh"]),
        ("output_is_image", ["--pixel-size", "0.01", "-o", "p.png"]), ("preview_is_mesh", ["--pixel-size", "0.01", "-o", "a.msh", "--preview", "a.msh"]),
        ("preview_is_image", ["--pixel-size", "0.01", "--preview", "p.png"]), 
        ("output_5000_chars", ["--pixel-size", "0.01", "-o", "d" * 5000 + ".msh"]), ("output_deep_5000", ["--pixel-size", "0.01", "-o", "a/" * 2500 + "p.msh"]),
        ("two_images", ["--pixel-size", "0.01", "p.png"]),
    ]:
        g.case("%s.%s" % (cls, tag), ["mesh", "p.png", *opts], cls, files=img)
    g.case(cls + ".no_image", ["mesh", "--pixel-size", "0.01"], cls)

    # spot gitt
    cls = "gitt_options"
    rec = {"r.csv": ("copy", "@F@/record.csv"), "out": ("dir",)}
    base = ["gitt", "r.csv"]
    for tag, opts in [
        ("no_length", []), ("length_zero", ["--length", "0"]), ("length_negative", ["--length", "-1um"]), 
        ("length_unit", ["--length", "1.2parsec"]), ("length_1e308", ["--length", "1e308"]), ("length_no_value", ["--length"]),
        ("capacity_zero", ["--length", "1.7um", "--capacity", "0"]), ("capacity_negative", ["--length", "1.7um", "--capacity", "-2.6Ah"]),
        ("theta_start_2", ["--length", "1.7um", "--theta-start", "2"]),
        ("current_threshold_zero", ["--length", "1.7um", "--current-threshold", "0"]), ("current_threshold_1.5", ["--length", "1.7um", "--current-threshold", "1.5"]),
        ("edges_unknown", ["--length", "1.7um", "--edges", "sideways"]), ("fit_window_reversed", ["--length", "1.7um", "--fit-window", "1,0.1"]),
        ("fit_window_one", ["--length", "1.7um", "--fit-window", "0.5"]),
        ("max_drift_negative", ["--length", "1.7um", "--max-drift", "-1"]), 
        ("time_unit_unknown", ["--length", "1.7um", "--time-unit", "fortnight"]), 
        ("time_column_missing", ["--length", "1.7um", "--time-column", "nope"]), ("voltage_column_is_time", ["--length", "1.7um", "--voltage-column", "time_s"]),
        ("both_positive_flags", ["--length", "1.7um", "--charge-positive", "--discharge-positive"]),
        ("unknown_argument", ["--length", "1.7um", "--lenght", "2um"]), 
        ("other_command", ["--length", "1.7um", "--pixel-size", "1"]), ("other_command_option", ["--length", "1.7um", "-phys_alpha", "3"]),
        ("twice", ["--length", "1.7um", "--length", "2um"]), ("output_no_value", ["--length", "1.7um", "-o"]),
        ("output_is_file", ["--length", "1.7um", "-o", "r.csv"]), ("output_proc", ["--length", "1.7um", "-o", "/proc/spot-gitt"]),
        ("length_and_mesh", ["--length", "1.7um", "--mesh", "@F@/small_ellipse.msh"]),
        ("extra_record", ["--length", "1.7um", "r.csv"]), ("simulate_and_record", ["--length", "1.7um", "--simulate", "@F@/small.xml"]),
    ]:
        # -o out (an existing directory) unless the case is about -o, and for a few: the default gitt_out/
        default_out = tag in ("length_zero", "edges_unknown", "time_column_missing", "length_1e308")
        if not default_out and not any(o.startswith("-o") or o.startswith("--output") for o in opts):
            opts = opts + ["-o", "out"]
        g.case("%s.%s" % (cls, tag), base + opts, cls, files=rec)
    g.case(cls + ".no_record", ["gitt", "--length", "1um"], cls)
    for tag, spec in file_classes(".msh", b"$MeshFormat\n4.1 0 8\n$EndMeshFormat\n\x00\xff" * 50):
        if tag in ("dangling_symlink", "symlink_loop", "unreadable"):
            continue
        file_case(g, "gitt_mesh_file", tag, spec, ".msh", lambda p: base + ["--mesh", p, "-o", "out"], rec)

    # spot synth
    cls = "synth_options"
    run = {"run.xml": ("copy", "@F@/run.xml")}
    for tag, opts in [
        ("output_no_value", ["-o"]), ("output_png", ["-o", "m.png"]), 
        ("output_proc", ["-o", "/proc/m.tif"]), ("output_5000_chars", ["-o", "d" * 5000 + ".tif"]),
        ("timestamps_is_input", ["-o", "m.tif", "--timestamps", "run.xml"]), ("timestamps_is_stack", ["-o", "m.tif", "--timestamps", "m.tif"]),
        ("noise_negative", ["-o", "m.tif", "--noise", "-1"]), ("pixel_size_zero", ["-o", "m.tif", "--pixel-size", "0"]),
        ("pixel_size_1e-12", ["-o", "m.tif", "--pixel-size", "1e-12um"]), ("size_huge", ["-o", "m.tif", "--size", "100000,100000"]),
        ("size_zero", ["-o", "m.tif", "--size", "0,0"]), ("bits_8", ["-o", "m.tif", "--bits", "8"]),
        ("frame_interval_zero", ["-o", "m.tif", "--frame-interval", "0"]), ("frame_interval_1e-9", ["-o", "m.tif", "--frame-interval", "1e-9"]),
        ("frame_times_unsorted", ["-o", "m.tif", "--frame-times", "50,10,20"]), 
        ("psf_negative", ["-o", "m.tif", "--psf-sigma", "-1um"]),
        ("psf_1e6", ["-o", "m.tif", "--psf-sigma", "1e6um"]), ("shift_text", ["-o", "m.tif", "--shift", "a,b"]),
        ("shift_huge", ["-o", "m.tif", "--shift", "1e12,0"]), ("rotation_nan", ["-o", "m.tif", "--rotation", "nan"]),
        ("intensity_negative", ["-o", "m.tif", "--intensity", "-0.5"]),
        ("unknown_argument", ["-o", "m.tif", "--nois", "0.1"]), ("other_command", ["-o", "m.tif", "--pixel-size", "1", "--length", "1"]),
        ("twice", ["-o", "m.tif", "--noise", "0.1", "--noise", "0.2"]),
        ("noise_no_value", ["-o", "m.tif", "--noise"]), ("run_option_wrong", ["-o", "m.tif", "-phys_alpha", "-3"]),
    ]:
        g.case("%s.%s" % (cls, tag), ["synth", "run.xml", *opts], cls, files=run, timeout=20)
    g.case(cls + ".no_input", ["synth", "-o", "m.tif"], cls)

    # spot compare and spot fit
    cls = "compare_options"
    cfiles = {"c.xml": ("copy", "@F@/compare.xml"), "compare.xml": ("copy", "@F@/compare.xml"), "run.xml": ("copy", "@F@/run.xml"), "movie.tif": ("copy", "@F@/movie.tif"),
              "movie_timestamps.csv": ("copy", "@F@/movie_timestamps.csv"), "fit.xml": ("copy", "@F@/fit.xml")}
    for tag, opts in [
        ("misspelt", ["-compare_experiment_pixel_sise", "0.1"]), ("pixel_size_nan", ["-compare_experiment_pixel_size", "nan"]),
        ("pixel_size_negative", ["-compare_experiment_pixel_size", "-0.1um"]), ("reference_frame_text", ["-compare_experiment_reference_frame", "first"]),
        ("reference_frame_negative", ["-compare_experiment_reference_frame", "-1"]), ("misfit_unknown", ["-compare_metrics_misfit", "vibes"]),
        ("matrix_three", ["-compare_registration_method", "given", "-compare_registration_matrix", "1,0,0"]),
        ("onset_2", ["-compare_metrics_onset_fraction", "2"]), ("other_command", ["-synth_noise", "0.1"]), ("fit_option", ["-fit_alpha_range", "1,2"]),
        ("run_option_wrong", ["-phys_alpha", "nan"]), ("stack_no_value", ["-compare_experiment_stack_file"]),
        ("output_is_file", ["-compare_output_directory", "c.xml"]), ("output_proc", ["-compare_output_directory", "/proc/spot-compare"]),
        ("output_5000_chars", ["-compare_output_directory", "d" * 5000]), ("extra_document", ["fit.xml"]),
    ]:
        g.case("%s.%s" % (cls, tag), ["compare", "c.xml", *opts], cls, files=cfiles)
    g.case(cls + ".no_document", ["compare"], cls)
    g.case(cls + ".run_document", ["compare", "run.xml"], cls, files=cfiles)
    g.case(cls + ".fit_document", ["compare", "fit.xml"], cls, files=cfiles)
    cls = "fit_options"
    for tag, opts in [
        ("misspelt", ["-fit_alpha_rnage", "1,2"]), ("range_text", ["-fit_alpha_range", "a,b"]), ("range_nan", ["-fit_alpha_range", "nan,2"]),
        ("range_one", ["-fit_alpha_range", "2"]), ("tolerance_zero", ["-fit_alpha_tolerance", "0"]), ("max_runs_0", ["-fit_max_runs", "0"]),
        ("max_runs_negative", ["-fit_max_runs", "-5"]), ("ranks_per_run_0", ["-fit_parallel_ranks_per_run", "0"]),
        ("ranks_per_run_3_on_1", ["-fit_parallel_ranks_per_run", "3"]), ("other_command", ["--pixel-size", "1"]),
        ("output_is_file", ["-fit_output_directory", "fit.xml"]), ("output_5000_chars", ["-fit_output_directory", "d" * 5000]),
    ]:
        g.case("%s.%s" % (cls, tag), ["fit", "fit.xml", *opts], cls, files=cfiles)
    g.case(cls + ".no_document", ["fit"], cls)
    g.case(cls + ".compare_document", ["fit", "c.xml"], cls, files=cfiles)

    # top level, schema, version
    cls = "toplevel"
    for tag, args in [("no_command", []), ("unknown_command", ["bogus"]), ("empty_command", [""]), ("dash_only", ["-"]),
                      ("unknown_flag", ["--bogus"]), ("petsc_option_only", ["-phys_alpha", "3"]),
                      ("schema_unknown", ["schema", "nothere.xsd"]), ("schema_path", ["schema", "/etc/passwd"]),
                      ("schema_traversal", ["schema", "../../../../etc/passwd"]), ("schema_two", ["schema", "spot.xsd", "compare.xsd"]),
                      ("schema_option", ["schema", "-bogus_option", "1"]), ("version_extra", ["version", "extra"]),
                      ("version_option", ["version", "-bogus_option", "1"]), ("command_100kB", ["r" * 100000]),
                      ("run_case", ["RUN", "x.xml"])]:
        g.case("%s.%s" % (cls, tag), args, cls)


# ----------------------------------------------------------------------------------------------
# files of every kind where spot reads one
# ----------------------------------------------------------------------------------------------
def files(g):
    small = g.read("tests/inputs/small.xml")
    garbage = bytes(g.rng.getrandbits(8) for _ in range(4096))
    # the input document
    for tag, spec in file_classes(".xml", garbage):
        file_case(g, "file_run_input", tag, spec, ".xml", lambda p: ["run", p])
    for cmd in ["synth", "compare", "fit"]:
        for tag, spec in file_classes(".xml", garbage):
            if tag in ("missing", "fifo", "dev_zero", "sparse_300MB"):
                file_case(g, "file_%s_input" % cmd, tag, spec, ".xml", lambda p, cmd=cmd: [cmd, p] + (["-o", "m.tif"] if cmd == "synth" else []))
    for tag, spec in file_classes(".xml", garbage):
        if tag in ("missing", "directory", "fifo", "dev_urandom", "empty", "garbage"):
            file_case(g, "file_gitt_simulate_input", tag, spec, ".xml", lambda p: ["gitt", "--simulate", p])
    # the mesh file: -mesh_file and <mesh><file>
    msh = g.read("tests/inputs/small_ellipse.msh")
    mshfiles = {"in.xml": ("copy", "@F@/small_file.xml")}
    for tag, spec in file_classes(".msh", garbage):
        file_case(g, "file_mesh_file", tag, spec, ".msh", lambda p: ["run", "in.xml", "-mesh_file", p], mshfiles)
    n = len(msh)
    for k, frac in enumerate([0.05, 0.4, 0.8, 0.97]):
        g.case("file_mesh_file.truncated_%d" % round(frac * 100), ["run", "in.xml", "-mesh_file", "m.msh"], "file_mesh_file",
               files={"in.xml": ("copy", "@F@/small_file.xml"), "m.msh": msh[: int(n * frac)]})
    # a mesh file whose node block is garbled in place
    lines = msh.split("\n")
    for i, l in enumerate(lines):
        if l.startswith("$Nodes"):
            k = i + 4
            break
    for tag, repl in [("node_nan", "1 nan 0"), ("node_1e308", "1e308 -1e308 0"), ("node_text", "x y z")]:
        ls = list(lines)
        ls[k] = repl
        g.case("file_mesh_file.%s" % tag, ["run", "in.xml", "-mesh_file", "m.msh"], "file_mesh_file",
               files={"in.xml": ("copy", "@F@/small_file.xml"), "m.msh": "\n".join(ls)})
    g.case("file_mesh_file.is_image", ["run", "in.xml", "-mesh_file", "@F@/particle.png"], "file_mesh_file", files=mshfiles)
    g.case("file_mesh_file.is_xml", ["run", "in.xml", "-mesh_file", "in.xml"], "file_mesh_file", files=mshfiles)
    g.case("file_mesh_file.info_beside_binary", ["run", "in.xml", "-mesh_file", "m.msh"], "file_mesh_file",
           files={"in.xml": ("copy", "@F@/small_file.xml"), "m.msh": ("copy", "@R@/tests/inputs/msh/good/square_msh41_binary.msh"),
                  "m.msh.info": "-ts_max_steps 1\n"})

    # diffusivity / OCP tables
    dtab = g.read("data/diffusivity/ni_rich_nmc_smooth_law_Dgitt.csv")
    tdoc = small.replace('<diffusivity law="ni_rich_smooth"/>', '<diffusivity law="table" file="D.csv"/>')
    for tag, spec in file_classes(".csv", garbage):
        if tag == "missing":
            spec = None
        fs = {"in.xml": tdoc.replace('file="D.csv"', 'file="f.csv"') if not isinstance(spec, str) else tdoc.replace('file="D.csv"', 'file="%s"' % spec)}
        if tag == "symlink_loop":
            fs["f.csv"] = ("symlink", "@W@/loop.csv")
            fs["loop.csv"] = ("symlink", "@W@/f.csv")
        elif spec is not None and not isinstance(spec, str):
            fs["f.csv"] = spec
        g.case("file_table.%s" % tag, ["run", "in.xml"], "file_table", files=fs, nonroot=(tag == "unreadable"))
    hdr = "".join(l for l in dtab.splitlines(True) if l.startswith("#"))
    rows = [l for l in dtab.splitlines(True) if not l.startswith("#")]
    head, body = rows[0], rows[1:]
    mid = len(body) // 2
    for tag, content in [
        ("header_only", hdr + head), ("one_row", hdr + head + body[mid]), ("nan_value", hdr + head + "".join(body[:mid]) + body[mid].split(",")[0] + ",nan\n" + "".join(body[mid + 1:])),
                ("negative_D", hdr + head + "".join(body[:mid]) + body[mid].split(",")[0] + ",-1e-13\n" + "".join(body[mid + 1:])),
        ("D_1e308", hdr + head + "".join(body[:mid]) + body[mid].split(",")[0] + ",1e308\n" + "".join(body[mid + 1:])),
        ("duplicate_theta", hdr + head + "".join(body[:mid + 1]) + body[mid] + "".join(body[mid + 1:])),
        ("unsorted", hdr + head + "".join(body[:mid]) + body[mid + 1] + body[mid] + "".join(body[mid + 2:])),
        ("text_value", hdr + head + "".join(body[:mid]) + body[mid].split(",")[0] + ",abc\n" + "".join(body[mid + 1:])),
        ("ragged", hdr + head + "".join(body[:mid]) + body[mid].split(",")[0] + "\n" + "".join(body[mid + 1:])),
        ("wrong_header", hdr + "x,y\n" + "".join(body)),
        ("2MB_line", hdr + head + "".join(body[:mid]) + "0.5," + "1" * (2 << 20) + "\n" + "".join(body[mid + 1:])),
        ("100k_columns", hdr + ",".join("c%d" % i for i in range(100000)) + "\n" + "".join(body)),
        ("nul_byte", hdr + head + "".join(body[:mid]) + "0.5\x00,1e-14\n" + "".join(body[mid + 1:])),
        ("non_utf8", hdr + head + "".join(body[:mid]) + "0.5\udce9,1e-14\n" + "".join(body[mid + 1:])),
    ]:
        g.case("file_table.%s" % tag, ["run", "in.xml"], "file_table", files={"in.xml": tdoc, "D.csv": content})
    for tag, attr in [("column_missing", 'theta_column="nope"'), ("value_column_is_theta", 'value_column="theta"'),
                      ("unit_wrong", 'unit="V"'), ("file_empty_name", None)]:
        doc = tdoc.replace('file="D.csv"', 'file="D.csv" %s' % attr) if attr else tdoc.replace('file="D.csv"', 'file=""')
        g.case("file_table.%s" % tag, ["run", "in.xml"], "file_table", files={"in.xml": doc, "D.csv": ("copy", "@F@/ni_rich_nmc_smooth_law_Dgitt.csv")})
    g.case("file_table.file_via_option_dev_zero", ["run", "in.xml", "-phys_diffusivity_file", "/dev/zero"], "file_table",
           files={"in.xml": tdoc, "D.csv": ("copy", "@F@/ni_rich_nmc_smooth_law_Dgitt.csv")})
    bv = g.read("tests/inputs/bv_small.xml").replace("../../data/ocp/nmc811_LGM50_ocp_Chen2020.csv", "U.csv")
    for tag, content in [("empty", ""), ("garbage", garbage), ("one_row", "theta,U_V\n0.5,3.8\n"), ("nan", "theta,U_V\n0.2,4.4\n0.5,nan\n0.9,3.6\n"),
                         ("fifo", ("fifo",)), ("dev_zero", ("symlink", "/dev/zero"))]:
        g.case("file_ocp_table.%s" % tag, ["run", "in.xml"], "file_ocp_table", files={"in.xml": bv, "U.csv": content})

    # checkpoints
    ck = {"in.xml": ("copy", "@F@/small.xml")}
    for tag, spec in file_classes(".h5", garbage):
        file_case(g, "file_checkpoint", tag, spec, ".h5", lambda p: ["run", "in.xml", "-init_checkpoint_file", p], ck)
    ckdata = open(os.path.join(g.fix, "ckrun", "checkpoint.h5"), "rb").read() if g.spot else b""
    for frac in [0.01, 0.5, 0.99]:
        g.case("file_checkpoint.truncated_%d" % round(frac * 100), ["run", "in.xml", "-init_checkpoint_file", "c.h5"], "file_checkpoint",
               files={"in.xml": ("copy", "@F@/small.xml"), "c.h5": ckdata[: int(len(ckdata) * frac)]})
    d = bytearray(ckdata)
    d[:8] = bytes(b ^ 0xFF for b in d[:8])  # the HDF5 signature
    g.case("file_checkpoint.signature_flipped", ["run", "in.xml", "-init_checkpoint_file", "c.h5"], "file_checkpoint",
           files={"in.xml": ("copy", "@F@/small.xml"), "c.h5": bytes(d)})
    g.case("file_checkpoint.is_fields_h5", ["run", "in.xml", "-init_checkpoint_file", "@F@/ckrun/fields.h5"], "file_checkpoint", files=ck)
    g.case("file_checkpoint.other_mesh", ["run", "in.xml", "-init_checkpoint_file", "@F@/ckrun/checkpoint.h5"], "file_checkpoint",
           files={"in.xml": small.replace('<semi_axes unit="um">0.8 0.55</semi_axes>', '<radius unit="um">0.5</radius>').replace('type="ellipse"', 'type="disc"')})
    g.case("file_checkpoint.in_document_missing", ["run", "in.xml"], "file_checkpoint",
           files={"in.xml": small.replace("<theta>0.97</theta>", '<checkpoint file="nothere.h5"/>')})
    g.case("file_checkpoint.in_document_and_theta", ["run", "in.xml", "-init_checkpoint_file", "@F@/ckrun/checkpoint.h5", "-init_theta", "0.5"], "file_checkpoint", files=ck)

    # GITT records
    cls = "gitt_record"
    rec = open(os.path.join(g.fix, "record.csv"), encoding="utf-8").read()
    rl = rec.splitlines(True)
    hdr_i = next(i for i, l in enumerate(rl) if l.startswith("time_s"))
    comments, head, body = rl[:hdr_i], rl[hdr_i], rl[hdr_i + 1:]
    t = np.arange(0, 3000, 10.0)

    def table(cur, volt, times=t):
        return "time_s,current_A,voltage_V\n" + "".join("%.3f,%.6g,%.6g\n" % x for x in zip(times, cur, volt))

    def swap(i, j):
        b = list(body)
        b[i], b[j] = b[j], b[i]
        return "".join(comments) + head + "".join(b)

    def setcol(i, col, v):
        b = list(body)
        f = b[i].rstrip("\n").split(",")
        f[col] = v
        b[i] = ",".join(f) + "\n"
        return "".join(comments) + head + "".join(b)

    records = [
        ("no_pulses_rest_only", table(np.zeros_like(t), 3.7 + 0 * t)),
        ("all_zero", table(0 * t, 0 * t)),
        ("one_row", "time_s,current_A,voltage_V\n0,0.25,3.7\n"),
        ("header_only", "time_s,current_A,voltage_V\n"),
        ("empty", ""),
        ("nan_current", setcol(100, 1, "nan")), ("nan_voltage", setcol(2500, 2, "nan")),
        ("inf_voltage", setcol(2500, 2, "inf")), ("huge_current", setcol(30, 1, "1e308")), 
        ("text_value", setcol(100, 2, "abc")), ("unsorted_times", swap(100, 101)), 
        ("duplicate_time", setcol(101, 0, body[100].split(",")[0])), ("negative_time", setcol(0, 0, "-1e300")),
        ("ragged", setcol(100, 2, "3.7,1,2,3")), ("missing_field", "".join(comments) + head + "".join(body[:100]) + "100.0,0.25\n" + "".join(body[101:])),
        ("no_header", "".join(body)), ("columns_unknown", "a,b,c\n" + "".join(body)),
        ("one_pulse_no_rest", table(np.where(t < 600, 0.25, 0.0)[:70], (3.7 + 1e-4 * t)[:70], t[:70])),
        ("single_sample_pulses", table(np.where(np.arange(t.size) % 50 == 0, 0.25, 0.0), 3.7 + 0 * t)),
        ("opposite_pulses", table(np.where((t // 300) % 2 == 0, 0.25, -0.25), 3.7 + 0 * t)),
        ("2MB_line", "".join(comments) + head + "".join(body[:50]) + "0" * (2 << 20) + "\n" + "".join(body[50:])),
        ("nul_byte", "".join(comments) + head + "".join(body[:50]) + "\x00" + "".join(body[50:])),
        ("binary", garbage * 16), 
        ("100k_columns", ",".join("c%d" % i for i in range(100000)) + "\n"),
        ("sparse_300MB", ("sparse", 300 << 20, ("".join(comments) + head + "".join(body[:10])).encode())),
    ]
    for tag, content in records:
        # the output directory exists, except in a few cases where spot must make it (and remove it)
        fresh = tag in ("empty", "nan_current", "unsorted_times", "single_sample_pulses", "negative_time")
        g.case("%s.%s" % (cls, tag), ["gitt", "r.csv", "--length", "1.7um", "-o", "newout" if fresh else "out"], cls,
               files={"r.csv": content} if fresh else {"r.csv": content, "out": ("dir",)})
    for tag, spec in file_classes(".csv", garbage):
        if tag in ("empty", "garbage", "sparse_300MB"):
            continue
        file_case(g, cls, tag, spec, ".csv", lambda p: ["gitt", p, "--length", "1.7um", "-o", "out"], {"out": ("dir",)})

    # gitt --simulate inputs that cannot be simulated
    cls = "gitt_simulate"
    sim = g.read("examples/gitt_analysis/simulated.xml").replace("../../data/ocp/", "@R@/data/ocp/")
    for tag, doc in [("no_ocp", small), ("no_gitt_step", sim.replace(re.search(r"<gitt.*?</gitt>", sim, re.S).group(0), '<rest><duration unit="s">10</duration></rest>')),
                     ("pulses_1e9", sim.replace('pulses="15"', 'pulses="1000000000"')), ("pulses_0", sim.replace('pulses="15"', 'pulses="0"')),
                     ("truncated", sim[: len(sim) // 2]), ("ocp_missing", sim.replace("nmc811_LGM50_ocp_Chen2020.csv", "nothere.csv")),
                     ("compare_document", g.read("tests/inputs/compare/compare.xml"))]:
        g.case("%s.%s" % (cls, tag), ["gitt", "--simulate", "s.xml", "-o", "out"], cls, files={"s.xml": doc})
    g.case(cls + ".option_wrong", ["gitt", "--simulate", "s.xml", "-o", "out", "-phys_alpha", "nan"], cls, files={"s.xml": sim})
    g.case(cls + ".length_given", ["gitt", "--simulate", "s.xml", "-o", "out", "--length", "-1um"], cls, files={"s.xml": sim})


# ----------------------------------------------------------------------------------------------
# images for spot mesh (and <mesh><image>)
# ----------------------------------------------------------------------------------------------
def images(g):
    cls = "mesh_image"
    rng = np.random.default_rng(11)
    good = particle(96, 96, rng)
    goodpng = png(good)
    tif1, offs = tiff([good], bits=8)
    cases = [
        ("noise.png", png(rng.integers(0, 256, (96, 96)))), ("flat.png", png(np.full((96, 96), 128))), ("black.png", png(np.zeros((96, 96)))),
        ("ramp.png", png(np.tile(np.linspace(0, 255, 96), (96, 1)))), ("1x1.png", png(np.array([[200]]))),
        ("1xN.png", png(np.tile(np.array([0, 255] * 48), (1, 1)))), ("Nx1.png", png(np.array([[0], [255]] * 48))),
        ("checkerboard.png", png((np.indices((96, 96)).sum(0) % 2) * 255)),
        ("header_100000x100000.png", png(good, width=100000, height=100000)), ("header_10000x10000.png", png(good, width=10000, height=10000)),
        ("header_0x0.png", png(good, width=0, height=0)),         ("header_lies_small.png", png(good, width=10, height=10)),
        ("bad_crc.png", goodpng[:29] + b"\x00\x00\x00\x00" + goodpng[33:]), ("bad_zlib.png", png(good, idat=b"\x78\x9c" + bytes(200))),
        ("idat_missing.png", goodpng[:33] + png_chunk(b"IEND", b"")), ("bitdepth_3.png", png(good, bitdepth=3)),
        ("palette_no_plte.png", png(good, colortype=3)),
        ("16bit_noise.png", png(rng.integers(0, 65536, (96, 96)), bitdepth=16)), ("16bit_flat.png", png(np.full((96, 96), 40000), bitdepth=16)),
        ("noise.tif", tiff([rng.integers(0, 256, (96, 96))])[0]), ("flat.tif", tiff([np.full((96, 96), 77)])[0]),
        ("huge_declared.tif", tiff([good], declared={0: (100000, 100000)})[0]),         ("strip_past_end.tif", tiff([good], strip_offset_override={0: 1 << 30})[0]),
        ("nan_float.tif", tiff([np.full((96, 96), np.nan)], bits=32, sample_format=3)[0]),
        ("inf_float.tif", tiff([np.where(good > 100, np.inf, -np.inf)], bits=32, sample_format=3)[0]),
        ("noise.pgm", pgm(rng.integers(0, 256, (96, 96)))), ("maxval_0.pgm", b"P5\n96 96\n0\n" + bytes(96 * 96)),
        ("maxval_70000.pgm", b"P5\n96 96\n70000\n" + bytes(96 * 96 * 2)), ("header_huge.pgm", b"P5\n100000 100000\n255\n" + bytes(100)),
        ("header_overflow.pgm", b"P5\n99999999999999999999 1\n255\n" + bytes(100)),
        ("header_text.pgm", b"P5\nwide tall\n255\n"), ("ascii_garbage.pgm", b"P2\n4 4\n255\n1 2 3 x y z\n"),         ("truncated_body.pgm", pgm(good)[:500]), ("comment_only.pgm", b"P5\n#" + b"x" * (2 << 20) + b"\n"),
        ("garbage.png", bytes(range(256)) * 40), ("text_named.png", b"this is not an image\n"), ("xml_named.tif", b"<?xml version='1.0'?><spot/>\n"),
        ("jpeg_magic.png", b"\xff\xd8\xff\xe0" + bytes(2000)), ("empty.png", b""),
        ("truncated_header.tif", tif1[:6]),
    ]
    for k in [0.1, 0.5, 0.9]:
        cases.append(("truncated_%02d.png" % (k * 100), goodpng[: int(len(goodpng) * k)]))
        cases.append(("truncated_%02d.tif" % (k * 100), tif1[: int(len(tif1) * k)]))
    # multi-page TIFFs with a bad page
    pages = [good, good, good]
    t3, offs = tiff(pages)
    bad = bytearray(t3)
    struct.pack_into("<I", bad, offs[1] + 2 + 12 * 5 + 8, 1 << 30)  # page 1's strip offset past the end
    cases.append(("multipage_bad_page1.tif", bytes(bad)))
    loop = bytearray(t3)
    n = struct.unpack_from("<H", loop, offs[2])[0]
    struct.pack_into("<I", loop, offs[2] + 2 + 12 * n, offs[0])
    cases.append(("multipage_ifd_loop.tif", bytes(loop)))
    self_loop = bytearray(tif1)
    n = struct.unpack_from("<H", self_loop, offs[0])[0]
    struct.pack_into("<I", self_loop, offs[0] + 2 + 12 * n, offs[0])
    cases.append(("ifd_self_loop.tif", bytes(self_loop)))
    cases.append(("ifd_offset_past_end.tif", b"II*\x00" + struct.pack("<I", 1 << 30) + bytes(64)))
    for name, data in cases:
        if name in ("multipage_bad_page1.tif", "multipage_ifd_loop.tif", "ifd_self_loop.tif"):
            continue  # page 0 is good, and spot meshes it (the cases below ask for the bad page)
        g.case("%s.%s" % (cls, name), ["mesh", name, "--pixel-size", "0.01", "-o", "p.msh"], cls, files={name: data})
    for name, page in [("multipage_bad_page1.tif", "1"), ("multipage_ifd_loop.tif", "5"), ("ifd_self_loop.tif", "1")]:
        g.case("%s.%s_page%s" % (cls, name, page), ["mesh", name, "--pixel-size", "0.01", "--page", page, "-o", "p.msh"], cls, files={name: dict(cases)[name]})
    for tag, spec in file_classes(".png", bytes(range(256)) * 16):
        if tag in ("garbage", "empty"):
            continue
        file_case(g, "mesh_image_file", tag, spec, ".png", lambda p: ["mesh", p, "--pixel-size", "0.01", "-o", "p.msh"])
    g.case("mesh_image_file.sparse_300MB_pgm", ["mesh", "f.pgm", "--pixel-size", "0.01", "-o", "p.msh"], "mesh_image_file",
           files={"f.pgm": ("sparse", 300 << 20, b"P5\n17320 17320\n255\n")})
    g.case("mesh_image_file.msh_as_image", ["mesh", "@F@/small_ellipse.msh", "--pixel-size", "0.01", "-o", "p.msh"], "mesh_image_file")


# ----------------------------------------------------------------------------------------------
# output destinations (including a read-only and a full file system, mounted in the case's own
# mount namespace by run.sh)
# ----------------------------------------------------------------------------------------------
def outputs(g):
    cls = "output"
    small = {"in.xml": ("copy", "@F@/small.xml"), "afile": "x\n", "fifo": ("fifo",), "ro": ("dir",), "full": ("dir",)}
    for tag, d, setup in [
        ("is_file", "afile", None), ("under_file", "afile/out", None), ("is_fifo", "fifo", None), ("proc", "/proc/spot-out", None),
        ("proc_self", "/proc/self/status", None), ("dev_null", "/dev/null", None), ("dev_full_sub", "/dev/full/out", None),
        ("readonly_tmpfs", "ro", "tmpfs ro 64k ro"), ("readonly_tmpfs_sub", "ro/out", "tmpfs ro 64k ro"),
        ("full_tmpfs", "full/out", "tmpfs full 8k rw"), ("path_5000", "d" * 5000, None), ("path_deep_5000", "a/" * 2500, None),
        ("empty_string", "", None), ("sys", "/sys/kernel/spot", None),
    ]:
        g.case("%s.run_%s" % (cls, tag), ["run", "in.xml", "-out_directory", d], cls, files=small, setup=setup)
    doc = g.read("tests/inputs/small.xml")
    g.case(cls + ".run_directory_in_document_readonly", ["run", "in.xml"], cls,
           files={"in.xml": doc.replace("<progress>", "<directory>ro/out</directory><progress>"), "ro": ("dir",)}, setup="tmpfs ro 64k ro")
    g.case(cls + ".run_document_in_readonly_dir", ["run", "ro/in.xml"], cls, files={"ro/in.xml": ("copy", "@F@/small.xml")}, setup="bind ro")
    img = {"p.png": ("copy", "@F@/particle.png"), "ro": ("dir",), "full": ("dir",)}
    for tag, o, setup in [("readonly", "ro/p.msh", "tmpfs ro 64k ro"), ("full", "full/p.msh", "tmpfs full 8k rw"), ("fifo_dir", "fifo/p.msh", None)]:
        fs = dict(img)
        fs["fifo"] = ("fifo",)
        g.case("%s.mesh_%s" % (cls, tag), ["mesh", "p.png", "--pixel-size", "0.01", "-o", o], cls, files=fs, setup=setup, timeout=20)
    rec = {"r.csv": ("copy", "@F@/record.csv"), "ro": ("dir",), "full": ("dir",)}
    for tag, o, setup in [("readonly", "ro/out", "tmpfs ro 64k ro"), ("full", "full/out", "tmpfs full 8k rw")]:
        g.case("%s.gitt_%s" % (cls, tag), ["gitt", "r.csv", "--length", "1.7um", "-o", o], cls, files=rec, setup=setup)
    run = {"run.xml": ("copy", "@F@/run.xml"), "ro": ("dir",), "full": ("dir",)}
    for tag, o, setup in [("readonly", "ro/m.tif", "tmpfs ro 64k ro"), ("full", "full/m.tif", "tmpfs full 8k rw")]:
        g.case("%s.synth_%s" % (cls, tag), ["synth", "run.xml", "-o", o], cls, files=run, setup=setup, timeout=20)
    cf = {"c.xml": ("copy", "@F@/compare.xml"), "compare.xml": ("copy", "@F@/compare.xml"), "run.xml": ("copy", "@F@/run.xml"), "movie.tif": ("copy", "@F@/movie.tif"),
          "movie_timestamps.csv": ("copy", "@F@/movie_timestamps.csv"), "fit.xml": ("copy", "@F@/fit.xml"), "ro": ("dir",), "full": ("dir",)}
    for tag, o, setup in [("readonly", "ro/out", "tmpfs ro 64k ro"), ("full", "full/out", "tmpfs full 8k rw")]:
        g.case("%s.compare_%s" % (cls, tag), ["compare", "c.xml", "-compare_output_directory", o], cls, files=cf, setup=setup, timeout=20)
    g.case(cls + ".fit_readonly", ["fit", "fit.xml", "-fit_output_directory", "ro/out"], cls, files=cf, setup="tmpfs ro 64k ro")


# ----------------------------------------------------------------------------------------------
# a few of the above on 2 ranks
# ----------------------------------------------------------------------------------------------
def mpi(g):
    cls = "mpi"
    small = g.read("tests/inputs/small.xml")
    for tag, args, fs in [
        ("malformed", ["run", "in.xml"], {"in.xml": small[:300]}),
        ("fifo_input", ["run", "in.xml"], {"in.xml": ("fifo",)}),
        ("misspelt_option", ["run", "in.xml", "-phys_alpah", "3"], {"in.xml": small}),
        ("xxe", ["run", "in.xml"], {"in.xml": small.replace("<spot ", '<!DOCTYPE spot [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<spot ', 1).replace("<alpha>2.7</alpha>", "<alpha>&xxe;</alpha>")}),
        ("table_nan", ["run", "in.xml"], {"in.xml": small.replace('<diffusivity law="ni_rich_smooth"/>', '<diffusivity law="table" file="D.csv"/>'), "D.csv": "theta,D_cm2_per_s\n0.1,1e-13\n0.5,nan\n0.9,1e-14\n"}),
        ("mesh_file_garbage", ["run", "in.xml", "-mesh_file", "m.msh"], {"in.xml": ("copy", "@F@/small_file.xml"), "m.msh": "$MeshFormat\n4.1 0 8\n$EndMeshFormat\n$Nodes\n1 99999999999 1 1\n"}),
        ("checkpoint_truncated", ["run", "in.xml", "-init_checkpoint_file", "c.h5"], {"in.xml": small, "c.h5": (open(os.path.join(g.fix, "ckrun", "checkpoint.h5"), "rb").read()[:5000] if g.spot else b"")}),
        ("out_directory_readonly", ["run", "in.xml", "-out_directory", "ro/out"], {"in.xml": small, "ro": ("dir",)}),
        ("mesh_huge_header", ["mesh", "h.png", "--pixel-size", "0.01", "-o", "p.msh"], {"h.png": png(particle(32, 32), width=100000, height=100000)}),
        ("gitt_nan", ["gitt", "r.csv", "--length", "1.7um", "-o", "out"], {"r.csv": "time_s,current_A,voltage_V\n0,0,3.7\n10,nan,3.7\n20,0.2,3.8\n"}),
        ("synth_bad_option", ["synth", "run.xml", "-o", "m.tif", "--noise", "-1"], {"run.xml": ("copy", "@F@/run.xml")}),
        ("compare_stack_garbage", ["compare", "c.xml"], {"c.xml": ("copy", "@F@/compare.xml"), "run.xml": ("copy", "@F@/run.xml"), "movie.tif": b"II*\x00garbage" * 10,
                                                         "movie_timestamps.csv": ("copy", "@F@/movie_timestamps.csv")}),
        ("fit_range_reversed", ["fit", "f.xml", "-fit_alpha_range", "10,1"], {"f.xml": ("copy", "@F@/fit.xml"), "compare.xml": ("copy", "@F@/compare.xml"), "run.xml": ("copy", "@F@/run.xml"),
                                                                               "movie.tif": ("copy", "@F@/movie.tif"), "movie_timestamps.csv": ("copy", "@F@/movie_timestamps.csv")}),
        ("petsc_options_escape", ["run", "in.xml"], {"in.xml": small.replace("</output>", "</output><solver><petsc_options>-ts_monitor binary</petsc_options></solver>")}),
    ]:
        g.case("%s.%s" % (cls, tag), args, cls, files=fs, ranks=2, timeout=45,
               setup="tmpfs ro 64k ro" if tag == "out_directory_readonly" else None)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out")
    ap.add_argument("--repo", default=os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))
    ap.add_argument("--spot", default=None, help="the spot binary, to make the fixtures only spot can make (a movie, a checkpoint)")
    a = ap.parse_args()
    out = os.path.abspath(a.out)
    if os.path.exists(out):
        # rm, not shutil.rmtree: a case may have left a path 2500 directories deep
        subprocess.run(["rm", "-rf", "--one-file-system", out], check=True)
    os.makedirs(out)
    g = Gen(out, os.path.abspath(a.repo), os.path.abspath(a.spot) if a.spot else None)
    make_fixtures(g)
    run_documents(g)
    compare_documents(g)
    options(g)
    files(g)
    images(g)
    outputs(g)
    mpi(g)
    assert g.dropped == DROP, "DROP names cases that do not exist: %s" % " ".join(sorted(DROP - g.dropped))
    with open(os.path.join(out, "classes.txt"), "w") as f:
        for k in sorted(g.count):
            f.write("%s %d\n" % (k, g.count[k]))
    print("generate.py: %d cases in %d classes in %s" % (len(g.names), len(g.count), out))


if __name__ == "__main__":
    main()
