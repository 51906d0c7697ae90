/* postproc: what a run reports, computed from the solver's state.

   Observables of θ (all dimensionless):
     mean        (1/|Ω|) ∫Ω θ
     centroid    θ at the particle's centroid (or at its deepest point, if the centroid lies
                 outside a non-convex particle)
     centre      mean over the centre region  {x : d(x) ≥ (1 − r_c) d_max}
     periphery   mean over the periphery band {x : d(x) ≤ w}
     surface     (1/|∂Ω|) ∮ θ over the active surface
     min, max    over the degrees of freedom
     surface_min the least θ over the degrees of freedom on the active surface (∮ φ_i > 0)
   with d(x) the distance to the active surface and d_max its largest value. Defaults:
   r_c = 0.3 (-out_centre_fraction), w = 0.25 d_max (-out_periphery_width, a length).
   Region means are linear functionals w·θ whose weights are integrated once by quadrature.

   Outputs of a run in -out_directory (default "out"): timeseries.csv (one row per accepted
   time step), fields.h5 + fields.xmf (θ at -out_times, XDMF 3 for ParaView and meshio), probes.csv (θ at the
   points of -out_probes x1,y1[,z1],x2,... at -out_times), a progress line on
   the terminal and one log line per protocol step. Files are written under a temporary
   name and renamed when complete; OutputDiscard removes them after a failure. */
#ifndef SPOT_POSTPROC_H
#define SPOT_POSTPROC_H

#include "solver/solver.h"
#include "files/files.h"

typedef struct {
  PetscReal mean, centroid, centre, periphery, surface, min, max, surface_min;
} Observables;

typedef struct _p_Observer *Observer;
typedef struct _p_Output   *Output;
typedef struct _p_Probe    *Probe;

/* θ at points (µm), evaluated with the element's own interpolation; values on every rank */
PetscErrorCode ProbeCreate(DM dm, PetscInt n, const PetscReal points[], PetscBool found[], Probe *probe);
PetscErrorCode ProbeEvaluate(Probe probe, Vec theta, PetscReal values[]);
PetscErrorCode ProbeGetPoints(Probe probe, PetscInt *n, PetscInt *dim, const PetscReal **points);
PetscErrorCode ProbeDestroy(Probe *probe);

PetscErrorCode ObserverCreate(Solver s, Observer *obs);
PetscErrorCode ObserverCompute(Observer obs, Vec theta, Observables *o);
PetscErrorCode ObserverView(Observer obs, PetscViewer viewer);
PetscErrorCode ObserverGetRegions(Observer obs, PetscReal *d_max, PetscReal *centre_threshold, PetscReal *periphery_width, PetscReal *centre_measure, PetscReal *periphery_measure);
PetscErrorCode ObserverDestroy(Observer *obs);
/* Per particle k of a population (arrays of N, every rank; regions relative to the particle's own
   d_max): mean, centre, periphery and surface means of θ. One reduction of 4N numbers. */
PetscErrorCode ObserverComputeParticles(Observer obs, Vec theta, PetscReal mean[], PetscReal centre[], PetscReal periphery[], PetscReal surface[]);
PetscErrorCode ObserverGetParticleVolumes(Observer obs, const PetscReal **volume);
/* The synthetic (003) diffraction peak of the field of view (postproc/diffraction.c); NULL
   without a lattice law */
/* Line profiles of θ (profile.c): chords through the centroid at angles or segments between end
   points, sampled evenly; profiles.csv at the output times (or every time step) */
typedef struct _p_Profiles *Profiles;
PetscErrorCode ProfilesCreate(Solver s, Profiles *p); /* NULL when no profile is asked for */
PetscErrorCode ProfilesView(Profiles p, PetscViewer viewer);
PetscErrorCode ProfilesEveryStep(Profiles p, PetscBool *every);
PetscErrorCode ProfilesCompute(Profiles p, Vec theta);
PetscErrorCode ProfilesWriteHeader(Profiles p, FileOut f);
PetscErrorCode ProfilesWriteRows(Profiles p, PetscReal t, FileOut f); /* rank 0; kept for the figure */
PetscErrorCode ProfilesDestroy(Profiles *p);

typedef struct _p_Diffraction *Diffraction;
PetscErrorCode DiffractionCreate(Solver s, Diffraction *d);
PetscErrorCode DiffractionView(Diffraction d, PetscViewer viewer);
PetscErrorCode DiffractionCompute(Diffraction d, Vec theta);
PetscErrorCode DiffractionWriteHeader(Diffraction d, FileOut f);
PetscErrorCode DiffractionWriteRows(Diffraction d, PetscReal t, FileOut f);
PetscErrorCode DiffractionDestroy(Diffraction *d);
PetscErrorCode PostprocDistanceToSurface(PetscInt dim, PetscInt nfacets, const PetscReal facets[], const PetscReal x[], PetscReal *d);
/* The same distance for many points: a bounding-volume tree of the facets (copied) */
typedef struct _p_SurfaceTree *SurfaceTree;
PetscErrorCode                 PostprocSurfaceTreeCreate(PetscInt dim, PetscInt nfacets, const PetscReal facets[], SurfaceTree *tree);
PetscErrorCode                 PostprocSurfaceTreeDistance(SurfaceTree tree, const PetscReal x[], PetscReal *d);
PetscErrorCode                 PostprocSurfaceTreeDestroy(SurfaceTree *tree);

PetscErrorCode OutputCreate(Solver s, const char directory[], const char input_name[], Output *out);
PetscErrorCode OutputMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode OutputFinish(Output out);
PetscErrorCode OutputDiscard(Output out);
PetscErrorCode OutputDestroy(Output *out);

/* ======== output files ======== */
/* The files of one command, all or nothing: spot synth's stack and timestamps, spot compare's
   tables and figures, spot fit's, spot gitt's, the maps of spot run. Rank 0 writes each file
   through files/files.h under a unique temporary beside its name (every write checked, the first
   failure kept); PostprocFilesComplete checks a file as soon as it is written, so a full disk
   stops the command at once. Nothing appears under its own name until PostprocFilesPublish,
   collective, which first checks that every file is complete and that no directory stands in
   the way of any of them, then renames them all (the files adopted too: a mesh spot made for the
   command); if one rename fails, those already renamed are removed again.
   PostprocFilesDestroy removes whatever was not published, so a command that fails, on any
   rank, leaves no file behind. A planted link at a file's name is replaced, never followed.
   A complete file is closed (flushed and synced); at most 32 wait at once: a command that writes
   more (spot run with many maps) publishes its oldest complete files early and still removes
   them if it fails later.
   Messages: "cannot write <what> 'path': the disk is full (No space left on device)", <what> the
   kind of file given to PostprocFilesOpen ("figure", "image stack"; NULL: none).
   Open, Complete and Adopt are called on rank 0 (inside CompareOnRankZero, which makes a failure
   fail on every rank); Create, Publish and Destroy on every rank. */
typedef struct _p_PostprocFiles *PostprocFiles;

PetscErrorCode PostprocFilesCreate(MPI_Comm comm, PostprocFiles *files);
PetscErrorCode PostprocFilesOpen(PostprocFiles files, const char path[], const char what[], FileOut *f); /* the set owns f */
PetscErrorCode PostprocFilesComplete(PostprocFiles files, FileOut f);
/* A complete file made elsewhere (made) becomes the file of the set for path: it is moved into
   that file's temporary (returned), so that an interrupt removes it and it is published with the
   others. Rank 0. */
PetscErrorCode PostprocFilesAdopt(PostprocFiles files, const char made[], const char path[], char temporary[], size_t len);
/* Collective: the mesh spot made for the command in dir (MESH_GENERATED_NAME), if it is there,
   adopted as dir/mesh.msh (call it only when PostprocMeshGenerated says spot made the mesh);
   mesh: where it is until then ("" when there is none), every rank. Its temporary name does not
   end in .msh: a run that must load the mesh again adopts it after that. */
PetscErrorCode PostprocFilesAdoptMesh(PostprocFiles files, const char dir[], char mesh[], size_t len);
/* Did spot make the command's mesh (MESH_GENERATED_NAME), rather than load the user's? While it
   is made and until it is adopted or removed, an interrupt removes it (every rank: true, after:
   false) */
PetscErrorCode PostprocMeshGenerated(PetscBool *generated);
PetscErrorCode PostprocMeshRemoveOnSignal(const char dir[], PetscBool remove);
PetscErrorCode PostprocFilesPublish(PostprocFiles files);
PetscErrorCode PostprocFilesDestroy(PostprocFiles *files);
/* Rank 0 runs write(files, ctx), which opens, writes and completes files of the set; a failure
   fails on every rank. files NULL: a set of their own, published at once. Collective. */
PetscErrorCode PostprocWrite(MPI_Comm comm, PostprocFiles files, PetscErrorCode (*write)(PostprocFiles, void *), void *ctx);

/* summary.png of spot run (summary.c): V, current density and θ (mean, centre, periphery, surface)
   against t in stacked panels, the ends of the protocol steps dashed; rows on rank 0 */
typedef struct _p_Summary *Summary;
PetscErrorCode SummaryCreate(Summary *s);
PetscErrorCode SummaryAddRow(Summary s, const PetscReal values[7]); /* t (s), V (V), i (A/m²), θ mean, centre, periphery, surface */
PetscErrorCode SummaryAddStepEnd(Summary s, PetscReal t);
PetscErrorCode SummaryWrite(Summary s, MPI_Comm comm, PostprocFiles files, const char path[]); /* summary.png; collective */
PetscErrorCode SummaryDestroy(Summary *s);
PetscErrorCode ProfilesWriteFigure(Profiles p, MPI_Comm comm, PostprocFiles files, const char path[]); /* profiles_kymograph.png; collective */


/* PETSc errors caught instead of printed: PetscPushErrorHandler(PostprocCaptureErrors, &captured) */
typedef struct {
  PetscErrorCode code;
  char           message[1024];
} PostprocCaptured;
PetscErrorCode PostprocCaptureErrors(MPI_Comm comm, int line, const char *func, const char *file, PetscErrorCode n, PetscErrorType p, const char *mess, void *ctx);

/* ======== plot ======== */
/* plot: figures for readers of papers, drawn with cairo (postproc/plot.c).

   A figure is a white page of width × height units (one unit = one pixel of the PNG, 0.75 pt of
   the PDF/SVG) holding axes (panels). Each axes has a frame, 4 to 8 "nice" ticks (1, 2, 2.5, 5 ×
   10^k on linear scales, decades 10ⁿ on log scales) labelled with as many digits as neighbours
   need to differ, a title, axis labels (the y label rotated), and series: lines (any width),
   markers (filled or open circles, squares, crosses) or both, with a legend placed where it
   hides the least data (the position given is a preference). Text is DejaVu Sans, UTF-8 (θ, µ,
   ², Å). Limits are taken from the data unless set. Non-finite points, and points ≤ 0 on a log
   axis, are skipped and break a line. Axes may also hold images (data-space rectangles of RGB
   pixels, e.g. maps), vertical marker lines (step boundaries), a colour-bar style, and share the
   x axis of another axes (stacked panels against time: one set of x tick labels, at the bottom
   panel, which is the one shared).

   Output: PNG always; PDF and SVG as well with -out_figure_formats png,pdf,svg (a comma-separated
   list; an unknown name is a one-line input error). The PDF/SVG of fig.png is fig.pdf/fig.svg,
   the same drawing with images embedded. Files are written through PostprocFiles: under a
   temporary name, every write checked, published only when all are complete (a full disk or an
   unwritable folder is one line naming the file, and no file is left).

   Collective objects: every rank calls the same functions with the same data; rank 0 draws
   and writes, and a failure to write fails on every rank (InputCollectiveError).

     PlotFigure fig; PlotAxes ax;
     PlotFigureCreate(comm, 800, 500, &fig);
     PlotFigureAddAxes(fig, 0, 0, 1, 1, &ax);          // fractions of the figure: x0, y0, x1, y1 from top-left
     PlotAxesSetLabels(ax, "title", "θ", "D (cm²/s)");
     PlotAxesSetLog(ax, PETSC_FALSE, PETSC_TRUE);
     PlotAxesAddSeries(ax, n, x, y, PlotColorCycle(0), 2.0, PLOT_MARKER_CIRCLE, 6.0, "GITT");
     PlotFigureWritePNG(fig, "out/d.png");             // and out/d.pdf, out/d.svg on request
     PlotFigureDestroy(&fig);

   Stacked panels sharing time, with step boundaries:
     PlotFigureAddAxes(fig, 0, 0.00, 1, 0.36, &top);  PlotFigureAddAxes(fig, 0, 0.36, 1, 1, &bottom);
     PlotAxesShareX(top, bottom);                      // top: bottom's x limits, no x tick labels
     for each step end t_k: PlotAxesAddVLine(top, t_k, grey, 1, PETSC_TRUE), same on bottom */

#include <petscsys.h>

typedef struct _p_PlotFigure *PlotFigure;
typedef struct _p_PlotAxes   *PlotAxes; /* owned by its figure */

typedef struct {
  unsigned char r, g, b;
} PlotColor;

typedef enum {
  PLOT_MARKER_NONE,
  PLOT_MARKER_CIRCLE,      /* filled */
  PLOT_MARKER_OPEN_CIRCLE, /* ring */
  PLOT_MARKER_SQUARE,      /* filled */
  PLOT_MARKER_CROSS        /* × */
} PlotMarker;

typedef enum {
  PLOT_LEGEND_NONE,
  PLOT_LEGEND_UPPER_RIGHT,
  PLOT_LEGEND_UPPER_LEFT,
  PLOT_LEGEND_LOWER_RIGHT,
  PLOT_LEGEND_LOWER_LEFT
} PlotLegendPosition;

typedef enum {
  PLOT_IMAGE_NEAREST, /* pixels stay square blocks: maps of data on a grid */
  PLOT_IMAGE_BILINEAR /* smooth: photographs, colour ramps */
} PlotImageFilter;

typedef enum {
  PLOT_FORMAT_PNG,
  PLOT_FORMAT_PDF,
  PLOT_FORMAT_SVG,
  PLOT_FORMAT_COUNT
} PlotFormat;

#define PLOT_MAX_TICKS 32

PlotColor PlotColorCycle(PetscInt i); /* a palette of 8 distinguishable colours, repeating */
PlotColor PlotColorRGB(unsigned char r, unsigned char g, unsigned char b);

/* -out_figure_formats: formats[k] for each PlotFormat (PNG always true); collective check */
PetscErrorCode PlotFormatsFromOptions(MPI_Comm comm, PetscBool formats[PLOT_FORMAT_COUNT]);
/* fig.png → fig.pdf / fig.svg */
PetscErrorCode PlotFormatPath(const char png_path[], PlotFormat format, char path[], size_t len);

PetscErrorCode PlotFigureCreate(MPI_Comm comm, PetscInt width, PetscInt height, PlotFigure *fig);
PetscErrorCode PlotFigureSetFontScale(PlotFigure fig, PetscInt scale); /* text size 5 + 5.5·scale units; default from the size */
PetscErrorCode PlotFigureAddAxes(PlotFigure fig, PetscReal x0, PetscReal y0, PetscReal x1, PetscReal y1, PlotAxes *ax);
PetscErrorCode PlotFigureAddText(PlotFigure fig, PetscReal x, PetscReal y, const char text[], PlotColor color); /* x, y: fractions, top-left of the text */
/* Limits, ticks and plot areas from the data and the text sizes (done by Render and Write;
   call it to ask PlotAxesDataToPixel & co. before drawing) */
PetscErrorCode PlotFigureLayout(PlotFigure fig);
PetscErrorCode PlotFigureRender(PlotFigure fig); /* lay out and draw into an RGB image on this rank */
PetscErrorCode PlotFigureGetImage(PlotFigure fig, PetscInt *width, PetscInt *height, const unsigned char **rgb);
PetscErrorCode PlotFigureWritePNG(PlotFigure fig, const char path[]); /* and its PDF/SVG on request */
/* The figure's files go into files (published with them) instead of being published at once */
PetscErrorCode PlotFigureSetOutputFiles(PlotFigure fig, PostprocFiles files);
/* Rank 0 lays the figure out, runs draw(fig, ctx) (which may change limits and lay out again, or
   add images), and writes path and its twins */
PetscErrorCode PlotFigureWriteCanvas(PlotFigure fig, const char path[], PetscErrorCode (*draw)(PlotFigure, void *), void *ctx);
/* The files a figure written to png_path makes (n ≤ PLOT_FORMAT_COUNT) */
PetscErrorCode PlotFigureGetPaths(PlotFigure fig, const char png_path[], PetscInt *n, char paths[][PETSC_MAX_PATH_LEN]);
/* Rank 0: an 8-bit RGB image (row 0 at the top) into a PNG file of a set */
PetscErrorCode PlotWritePNG(PostprocFiles files, const char path[], PetscInt width, PetscInt height, const unsigned char rgb[]);
PetscErrorCode PlotFigureDestroy(PlotFigure *fig);

PetscErrorCode PlotAxesSetLabels(PlotAxes ax, const char title[], const char xlabel[], const char ylabel[]);
PetscErrorCode PlotAxesSetLog(PlotAxes ax, PetscBool xlog, PetscBool ylog);
PetscErrorCode PlotAxesSetXLimits(PlotAxes ax, PetscReal xmin, PetscReal xmax);
PetscErrorCode PlotAxesSetYLimits(PlotAxes ax, PetscReal ymin, PetscReal ymax);
PetscErrorCode PlotAxesSetLegend(PlotAxes ax, PlotLegendPosition position); /* a preference; NONE: no legend */
/* A colour bar for values lo..hi upwards: a narrow bar, ticks and labels on its right, the title above */
PetscErrorCode PlotAxesSetColorBar(PlotAxes ax, PetscReal lo, PetscReal hi);
/* ax takes the x limits of with (from the data of both, unless set on with) and draws no x tick
   labels nor x label; their plot areas line up */
PetscErrorCode PlotAxesShareX(PlotAxes ax, PlotAxes with);
/* width: line width in figure units (0: no line); marker size: diameter; label: legend text or NULL */
PetscErrorCode PlotAxesAddSeries(PlotAxes ax, PetscInt n, const PetscReal x[], const PetscReal y[], PlotColor color, PetscReal width, PlotMarker marker, PetscReal marker_size, const char label[]);
/* A vertical line across the plot area at x (e.g. a protocol step boundary) */
PetscErrorCode PlotAxesAddVLine(PlotAxes ax, PetscReal x, PlotColor color, PetscReal width, PetscBool dashed);
/* An RGB image (row 0 at the top, copied) covering data x0..x1, y0..y1, under the series */
PetscErrorCode PlotAxesAddImage(PlotAxes ax, PetscInt cols, PetscInt rows, const unsigned char rgb[], PetscReal x0, PetscReal x1, PetscReal y0, PetscReal y1, PlotImageFilter filter);
/* After layout: the limits in use, the figure position (column, row) of a data point, and the
   plot area (left, top, right, bottom) */
PetscErrorCode PlotAxesGetLimits(PlotAxes ax, PetscReal *xmin, PetscReal *xmax, PetscReal *ymin, PetscReal *ymax);
PetscErrorCode PlotAxesDataToPixel(PlotAxes ax, PetscReal x, PetscReal y, PetscReal *col, PetscReal *row);
PetscErrorCode PlotAxesGetPlotArea(PlotAxes ax, PetscReal rect[4]);

/* Helpers, also used by the axes */
PetscErrorCode PlotTimeUnit(PetscReal t_end, PetscReal *per_s, const char **unit); /* s, min or h for a time axis up to t_end s */
PetscErrorCode PlotNiceTicks(PetscReal lo, PetscReal hi, PetscInt max_ticks, PetscInt *n, PetscReal ticks[]);
PetscErrorCode PlotTextSize(const char text[], PetscInt scale, PetscInt *width, PetscInt *height); /* in figure units */

/* ======== gitt ======== */
/* gitt: D(θ) from a galvanostatic intermittent titration (GITT) record, by Weppner–Huggins.

   Input: samples (t, I, V) in memory, t strictly increasing (s), I in A with positive =
   charge (delithiation of the cathode: θ falls), V in V. A file, a simulation or a test
   can supply them (GittSetRecord); the analysis does not read files.

   Pulse finder. The current is median-filtered over 3 samples (isolated spikes and dropouts
   vanish); I_p = max |I_filtered|, and the record must rise above 20 times its noise (σ from
   the median step between samples). A pulse starts where |I_f| > min(max(0.2, 2f), 0.95) I_p
   (so pulses down to a fifth of the largest are found) and extends, on both sides, over the samples with
   |I_f| > f I_p of the same sign (f = -gitt_current_threshold, default 0.05), so ramps and CV
   tails belong to it. Edges (-gitt_edges): "previous" (default; cyclers log a sample at the
   end of every step, so the step changes right after it): the pulse runs from the last sample
   of the rest before it to its own last sample, and sample i carries its current over
   (t_i−1, t_i]; "midpoint": the edges lie midway between the samples on either side of them,
   and each sample carries its share of time. Either way τ = t_end − t_start and Q = Σ I_i w_i
   with Σ w_i = τ.
   The samples between two pulses are a rest. θ by coulomb counting over the pulses only
   (the rests carry no current):  θ = θ_start − Q_before / C,  θ_pulse = mid-pulse value; a θ
   beyond [−0.25, 1.25] is an error (the capacity or θ_start is wrong), within it a warning.

   Per pulse k (the rest before it ends at E_s(k−1), the rest after it at E_s(k)):
     relaxed voltage E_s   least-squares line through the last -gitt_relax_window (10 %) of the
                           rest, evaluated at its end; its slope is the drift dE/dt
     ΔE_s = E_s(k) − E_s(k−1)
     √t fit                E(t) = E_0 + m √(t − t_start) over t − t_start ∈ [a τ, b τ]
                           (-gitt_fit_window a,b, default 0.1,1): the linear part, so the
                           instantaneous IR step (E_0 − E_s(k−1)) is excluded
     ΔE_t = m √τ
     D = 4/(π τ) · L² · (ΔE_s/ΔE_t)²        valid for τ ≪ L²/D; reported: τ D / L²
   with L the diffusion length (|Ω|/|∂Ω| in 2-D, V/A in 3-D; µm), so D is in µm²/s.

   A rest must have relaxed: its end drift |dE/dt|, less twice its standard error (noise alone
   does not fail a rest), must not exceed -gitt_max_drift (mV/h, default 10); otherwise the
   analysis stops with a message naming the rest, unless -gitt_allow_unrelaxed, which only
   flags the pulses beside it. A rest before the first
   pulse with fewer than 3 samples is taken as the relaxed initial state.

   The D(θ) table holds the pulses that give a D (no GITT_FLAG_EXCLUDED bit), sorted by θ,
   pulses at the same θ merged (geometric mean of D). Under MPI every rank analyses the same
   record (errors are raised on every rank); rank 0 writes the files.

   Options (-gitt_ prefix; the app maps `spot gitt --name` arguments to them):
     -gitt_length L (µm, units allowed)   -gitt_theta_start θ0   -gitt_capacity C (A·s, or 2.6Ah)
     -gitt_current_threshold f   -gitt_edges previous|midpoint   -gitt_fit_window a,b   -gitt_relax_window r   -gitt_max_drift mV/h
     -gitt_allow_unrelaxed   -gitt_max_ratio (τD/L² above it is flagged, 0.1)
     -gitt_min_r2 (√t fit quality below it is flagged, 0.98)   -gitt_current_tolerance (0.05) */

#include <petscsys.h>
#include <petscviewer.h>

typedef struct _p_Gitt *Gitt;

/* Flags of a pulse; the EXCLUDED ones keep it out of the D(θ) table */
typedef enum {
  GITT_FLAG_LONG_PULSE = 1,  /* τ D / L² > -gitt_max_ratio: the √t law may not hold */
  GITT_FLAG_POOR_FIT   = 2,  /* R² of the √t fit < -gitt_min_r2 */
  GITT_FLAG_UNRELAXED  = 4,  /* a rest beside it had not relaxed (-gitt_allow_unrelaxed) */
  GITT_FLAG_NO_REST    = 8,  /* no rest before or after it (record starts or ends in it): excluded */
  GITT_FLAG_CURRENT    = 16, /* current not constant (over 10 % of samples off the median by more than -gitt_current_tolerance): excluded */
  GITT_FLAG_FEW_POINTS = 32, /* fewer than 3 samples in the fit window: excluded */
  GITT_FLAG_SIGN       = 64  /* ΔE_s and ΔE_t zero or of opposite signs: excluded */
} GittFlag;
#define GITT_FLAG_EXCLUDED (GITT_FLAG_NO_REST | GITT_FLAG_CURRENT | GITT_FLAG_FEW_POINTS | GITT_FLAG_SIGN)

typedef struct {
  PetscInt  first, last;               /* its samples (current on), 0-based */
  PetscInt  rest_first, rest_last;     /* samples of the rest after it; rest_last < rest_first if none */
  PetscReal t_start, t_end, tau;       /* s */
  PetscReal current;                   /* mean current Q/τ, A (positive = charge) */
  PetscReal charge;                    /* Q, A·s */
  PetscReal theta_before, theta_after; /* coulomb counting */
  PetscReal theta;                     /* mid-pulse θ: where its D goes in the table */
  PetscReal rest_before, rest_after;   /* durations of the rests around it, s */
  PetscReal relaxed_voltage_before;    /* E_s at the end of the rest before, V */
  PetscReal relaxed_voltage_after;     /* E_s at the end of the rest after, V */
  PetscReal drift_before, drift_after; /* dE/dt at the ends of those rests, V/s */
  PetscReal relaxed_change;            /* ΔE_s, V */
  PetscReal sqrt_slope;                /* m = dE/d√t, V/√s */
  PetscReal sqrt_intercept;            /* E_0: the √t line at the pulse start, V */
  PetscReal ir_step;                   /* E_0 − E_s(before), V */
  PetscReal fit_start, fit_end;        /* fit window, s after t_start */
  PetscInt  fit_points;
  PetscReal fit_r2;
  PetscReal transient_change; /* ΔE_t = m √τ, V */
  PetscReal D;                /* µm²/s (NaN if none) */
  PetscReal tau_D_over_L2;
  PetscInt  flags; /* GittFlag bits */
} GittPulse;

PetscErrorCode GittCreate(MPI_Comm comm, Gitt *gitt);
PetscErrorCode GittDestroy(Gitt *gitt);

/* The record (copied). source names it in messages and provenance (a file path, "simulated
   record"); lines[i] is the file line of sample i for messages, or NULL. Checks that there are
   samples, that t increases strictly and that all values are finite. */
PetscErrorCode GittSetRecord(Gitt gitt, const char source[], PetscInt n, const PetscReal t[], const PetscReal current[], const PetscReal voltage[], const PetscInt lines[]);
/* Free-text description of the columns for the output headers (optional) */
PetscErrorCode GittSetRecordDescription(Gitt gitt, const char description[]);

/* Parameters. what names where the value came from ("argument --length", "mesh p.msh"), for
   messages and the output headers; NULL for the option's own name. */
PetscErrorCode GittSetLength(Gitt gitt, PetscReal length, const char what[]);
PetscErrorCode GittSetThetaStart(Gitt gitt, PetscReal theta_start, const char what[]);
PetscErrorCode GittSetCapacity(Gitt gitt, PetscReal capacity, const char what[]);
PetscErrorCode GittSetFromOptions(Gitt gitt);

/* Find the pulses only (boundaries, τ, charge); GittAnalyse calls it when needed */
PetscErrorCode GittFindPulses(Gitt gitt);
PetscErrorCode GittAnalyse(Gitt gitt);

/* Results: pulses (valid until GittDestroy), the D(θ) table (θ ascending, D in µm²/s) */
PetscErrorCode GittGetPulses(Gitt gitt, PetscInt *npulses, const GittPulse **pulses);
PetscErrorCode GittGetDiffusivity(Gitt gitt, PetscInt *n, const PetscReal **theta, const PetscReal **D);
PetscErrorCode GittGetRecord(Gitt gitt, PetscInt *n, const PetscReal **t, const PetscReal **current, const PetscReal **voltage);
PetscErrorCode GittGetComm(Gitt gitt, MPI_Comm *comm);
PetscErrorCode GittGetSource(Gitt gitt, const char **source);
PetscErrorCode GittGetParameters(Gitt gitt, PetscReal *length, PetscReal *theta_start, PetscReal *capacity);
/* The √t fit window (fractions a, b of τ) and the τD/L² above which a pulse is flagged */
PetscErrorCode GittGetSettings(Gitt gitt, PetscReal fit_window[2], PetscReal *max_ratio);
PetscErrorCode GittView(Gitt gitt, PetscViewer viewer);
PetscErrorCode GittFlagsToString(PetscInt flags, char text[], size_t len);

/* Outputs (rank 0 writes; failures fail on every rank): the D(θ) CSV that `spot run` reads
   (<diffusivity law="table" file="..."/>), the per-pulse CSV with every intermediate value, and
   a PNG of D(θ) and of the √t fits of a few pulses. Each is published when written, or, after
   GittSetOutputFiles, kept in that set to be published with the command's other outputs.
   GittCheckTable: the error GittWriteDiffusivity would raise (fewer than 2 pulses gave a D),
   naming the excluded pulses and why, so that a command can fail before writing anything. */
PetscErrorCode GittSetOutputFiles(Gitt gitt, PostprocFiles files);
PetscErrorCode GittGetOutputFiles(Gitt gitt, PostprocFiles *files);
PetscErrorCode GittCheckTable(Gitt gitt);
PetscErrorCode GittWriteDiffusivity(Gitt gitt, const char path[]);
PetscErrorCode GittWritePulses(Gitt gitt, const char path[]);
PetscErrorCode GittWritePlot(Gitt gitt, const char path[]);

/* ======== gitt_roundtrip ======== */
/* gitt_roundtrip: spot gitt --simulate, the Weppner–Huggins analysis checked against spot's own
   solver, where the true D is known.

   A monitor on the solver records the run as a GITT record: t (s), I = i A (A; in 2-D A is the
   active outline times the thickness, or times 1 µm when the input has none, so I is then "per
   µm of thickness"), the cell voltage (V), and per pulse (a cc step) the mean θ before and after,
   and the lowest and highest θ anywhere in the particle while it runs. The record goes to a Gitt
   with the particle's own parameters:
     L           = |Ω|/|∂Ω| (2-D) or V/A (3-D) of the mesh the run used,
     θ_start     = the initial mean θ of the run,
     capacity    = F c_max |Ω| (the whole particle, θ from 1 to 0, in the units of I·t),
   and after GittAnalyse every analysed pulse is compared with the truth:
     D_true      = α D_GITT(θ) of the input (PhysicsDiffusivity) at the pulse's mean θ (mid-pulse),
     ratio       = D_analysed / D_true,    apparent α = D_true / D_analysed
                   (the factor an FE model of this particle needs on a D(θ) measured this way).
   Expected ratio: Weppner–Huggins solves a semi-infinite planar solid. At short times a curved
   surface (mean curvature κ̄, summed over the principal directions) adds a term linear in t to
   the surface concentration: Δθ_s = (2 N'/√(πD)) √t (1 + κ̄ √(πDt)/4 + ...), N' = N/c_max. The
   √t fit over [a τ, b τ] then has a slope larger by 1 + κ̄ √(πDτ) (√a + √b)/4, so
     D_analysed / D_true ≈ 1 / (1 + κ̄ √(π D τ) (√a + √b)/4)²,
   about 0.94 for a disc at τD/L² = 0.01 and 0.88 at 0.05. κ̄ = 2π/|∂Ω| in 2-D when the whole
   outline is active (exact for any closed outline: the turning of its tangent); in 3-D that of a
   sphere with the same V/A, κ̄ = 2/(3L), an estimate; NaN when part of the boundary has no flux.

   Where the assumptions break down, a pulse is flagged (GittRoundTripFlag). */

#include "solver/solver.h"

typedef struct _p_GittRoundTrip *GittRoundTrip;

/* Thresholds of the flags */
#define GITT_RT_MAX_D_VARIATION 1.3   /* max/min of D_true over the θ a pulse touches */
#define GITT_RT_MAX_NONLINEARITY 0.1  /* |dE/dθ / (ΔU/Δθ) − 1| over that range */
#define GITT_RT_MAX_REST_OFFSET 0.025 /* |θ_s − mean θ| at the end of a rest, over the pulse's |Δθ| */

typedef enum {
  GITT_RT_LONG_PULSE = 1,  /* τ D_true/L² > -gitt_max_ratio: the pulse is not short against diffusion */
  GITT_RT_UNRELAXED  = 2,  /* a rest beside it had not relaxed: flagged by the analysis, or θ_s at its end off the mean θ */
  GITT_RT_NONLINEAR  = 4,  /* E(θ) not linear over the θ the pulse touches: dU/dθ (plus the overpotential's change) varies */
  GITT_RT_D_VARIES   = 8,  /* D_true varies by more than GITT_RT_MAX_D_VARIATION over the θ the pulse touches */
  GITT_RT_POOR_FIT   = 16, /* the analysis' √t fit is poor */
  GITT_RT_NO_D       = 32  /* the analysis gave no D for it (pulses.csv says why) */
} GittRoundTripFlag;
#define GITT_RT_NUM_FLAGS 6

typedef struct {
  PetscInt  pulse;                 /* 1-based, as in pulses.csv */
  PetscReal theta;                 /* mid-pulse mean θ of the run */
  PetscReal theta_analysed;        /* the analysis' θ by coulomb counting */
  PetscReal theta_low, theta_high; /* lowest and highest θ anywhere during the pulse */
  PetscReal tau, tau_D_over_L2;    /* s; with D_true */
  PetscReal D_true, D_analysed;    /* µm²/s (D_analysed NaN if none) */
  PetscReal ratio, apparent_alpha; /* D_analysed/D_true, D_true/D_analysed */
  PetscReal expected_ratio;        /* the curvature estimate above (NaN if unknown) */
  PetscReal D_variation;           /* max/min of D_true over [theta_low, theta_high] */
  PetscReal nonlinearity;          /* max |dE/dθ / (ΔU/Δθ) − 1| over that range */
  PetscReal rest_offset;           /* largest |θ_s − mean θ| at the end of the rests beside it, / |Δθ| */
  PetscInt  flags;                 /* GittRoundTripFlag bits */
} GittRoundTripPulse;

/* Adds a monitor to the solver; run the simulation afterwards */
PetscErrorCode GittRoundTripCreate(Solver solver, const char source[], GittRoundTrip *rt);
PetscErrorCode GittRoundTripDestroy(GittRoundTrip *rt);
/* After the run: the record, L, θ_start and the capacity to the Gitt (then GittAnalyse) */
PetscErrorCode GittRoundTripSetUp(GittRoundTrip rt, Gitt gitt);
/* After GittAnalyse: the truth per pulse, and the flags */
PetscErrorCode GittRoundTripCompare(GittRoundTrip rt, Gitt gitt);
PetscErrorCode GittRoundTripGetPulses(GittRoundTrip rt, PetscInt *n, const GittRoundTripPulse **pulses);
PetscErrorCode GittRoundTripFlagsToString(PetscInt flags, char text[], size_t len);
PetscErrorCode GittRoundTripView(GittRoundTrip rt, PetscViewer viewer);
/* Outputs (rank 0 writes; failures fail on every rank; into the set of GittRoundTripSetOutputFiles,
   else each published when written): the simulated record as a CSV that `spot gitt` reads, the
   comparison (one row per pulse) and its figure */
PetscErrorCode GittRoundTripSetOutputFiles(GittRoundTrip rt, PostprocFiles files);
PetscErrorCode GittRoundTripWriteRecord(GittRoundTrip rt, const char path[]);
PetscErrorCode GittRoundTripWrite(GittRoundTrip rt, const char path[]);
PetscErrorCode GittRoundTripWritePlot(GittRoundTrip rt, const char path[]);

/* ======== compare ======== */
/* compare: a run beside an operando optical movie of the same particle (DESIGN.md §6).

   Raster (postproc/raster.c)   θ of a run sampled on a pixel grid of the mesh's image frame, in
                                parallel (each rank its own cells; the image is reduced on rank 0).
   Maps (postproc/maps*.c)      PNG maps of θ or 1 − θ for spot run, with a colour bar, at the
                                output times; also the drawing of image panels in figures.
   Optics (postproc/compare_optics.c)  what a microscope makes of θ: a fine raster of the particle
                                blurred by a Gaussian point-spread function, integrated over the
                                camera pixels of a (registered, possibly rotated) optical frame.
   Synth (postproc/synth.c)     spot synth: a run turned into an optical-like image stack.
   Comparison (postproc/compare*.c)  spot compare: the differential contrast of a stack, registered
                                to the simulation, calibrated, and compared by regions, line
                                profiles and onset times; CSV and figures.
   Fit (postproc/fit.c)         spot fit: the diffusivity scale α (and optionally the PSF σ) that
                                minimises the comparison's misfit, candidates on sub-communicators.

   Frames (mesh.h): the mesh frame is the image frame of the SEM image the mesh came from (µm,
   y down). The optical frame of a movie is its own image frame: u = ((c + ½) p_o, (r + ½) p_o) µm
   for pixel (r, c), p_o its pixel size. A registration maps it into the mesh frame:
   x = A u + b. */


/* ---------------------------------------------------------------- Raster ---------------- */
typedef struct {
  PetscInt  rows, cols;
  PetscReal pixel_size;  /* µm */
  PetscReal origin[2];   /* µm: the top-left corner of pixel (0, 0) in the mesh frame */
  PetscReal z;           /* 3-D meshes: the plane sampled, µm */
  PetscInt  supersample; /* odd s: θ and the coverage use s × s points per pixel (1: the centre) */
} RasterGrid;

typedef struct {
  PetscReal mean, centre, periphery;             /* means over the masked pixels / the regions */
  PetscInt  pixels, centre_pixels, periphery_pixels;
} RasterRegions;

typedef struct _p_Raster *Raster;

/* A grid around the particle's bounding box (info->lower/upper) plus margin (µm); snap puts the
   pixel edges on multiples of the pixel size (the pixels of the source image) */
PetscErrorCode RasterGridAround(const MeshInfo *info, PetscReal pixel_size, PetscReal margin, PetscBool snap, PetscInt supersample, RasterGrid *grid);
PetscErrorCode RasterCreate(DM dm, const RasterGrid *grid, Raster *raster);                       /* collective */
PetscErrorCode RasterGetGrid(Raster raster, const RasterGrid **grid);
PetscErrorCode RasterGetMask(Raster raster, const unsigned char **mask, const PetscReal **coverage); /* every rank */
PetscErrorCode RasterEvaluate(Raster raster, Vec theta, PetscReal image[]);                        /* collective; image on rank 0, NaN where no sample point is inside */
PetscErrorCode RasterComputeDistance(Raster raster);                                                /* collective */
PetscErrorCode RasterGetDistance(Raster raster, const PetscReal **distance);                       /* pixel centre to the active surface, -1 outside */
PetscErrorCode RasterRegionMeans(Raster raster, PetscReal centre_threshold, PetscReal periphery_width, const PetscReal image[], RasterRegions *means);
PetscErrorCode RasterDestroy(Raster *raster);

/* ---------------------------------------------------------------- Maps ------------------ */
/* spot run's PNG maps (-out_maps true): at -out_map_times (default -out_times, else each step's
   end), θ (-out_map_quantity theta) or the delithiation 1 − θ (delithiation) on the image grid:
   pixel size -out_map_pixel_size, else the -mesh_image_pixel_size of an image mesh, else about
   300 pixels across the particle. One colour scale for all maps (-out_map_range lo,hi, else the
   range of all maps). Writes <quantity>_map_<i>_t<t>s.png, <quantity>_maps.tif (32-bit float,
   NaN outside the particle, one page per time) and <quantity>_maps.csv, in MapsFinish, all or
   nothing (PostprocFiles); MapsDiscard removes them again after a later failure of the run. */
typedef struct _p_Maps *Maps;

PetscErrorCode MapsCreate(Solver s, const char directory[], Maps *maps);
PetscErrorCode MapsMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode MapsFinish(Maps maps);
PetscErrorCode MapsDiscard(Maps maps);
PetscErrorCode MapsDestroy(Maps *maps);

/* Multi-page grey TIFF stacks (the writer of mesh/image_stack.c) as files of a set: bits 16
   (values in [0, 1] scaled to 0..65535) or 32 (float, as given). Rank 0. A failed write is one
   line naming the stack ("cannot write image stack 'movie.tif': the disk is full (...)"). */
typedef struct _p_PostprocStack *PostprocStack;
PetscErrorCode                   PostprocStackOpen(PostprocFiles files, const char path[], PetscInt rows, PetscInt cols, PetscInt bits, PostprocStack *stack);
PetscErrorCode                   PostprocStackAdd(PostprocStack stack, const PetscReal values[], const char description[]);
/* keep: the finished stack is a complete file of the set; else it is dropped with its temporary */
PetscErrorCode PostprocStackClose(PostprocStack *stack, PetscBool keep);

/* Image panels in plot figures: an axes whose plot area is painted from a sampler (data x, y →
   value, NaN for none) with one colour scale; a colour-bar panel paints lo..hi upwards and hides
   its x ticks. MapsFigureWrite lays out on rank 0, adds the panel images, writes the PNG (and
   PDF/SVG on request); collective.
   CompareOnRankZero runs fn(ctx) on rank 0 only, with its errors captured, and then fails on
   every rank with the same one-line message if it failed. */
typedef PetscReal (*MapsSampler)(void *ctx, PetscReal x, PetscReal y);
typedef struct {
  PlotAxes    ax;
  PetscReal   box[4]; /* the axes box given to PlotFigureAddAxes */
  MapsSampler sample;
  void       *ctx;
  PetscReal   lo, hi;
  PetscBool   equal_aspect, colorbar;
} MapsPanel;

void           MapsColor(PetscReal v, PetscReal lo, PetscReal hi, unsigned char rgb[3]);
PetscErrorCode CompareOnRankZero(MPI_Comm comm, PetscErrorCode (*fn)(void *), void *ctx);
PetscErrorCode MapsFigureWrite(MPI_Comm comm, PlotFigure fig, PetscInt n, MapsPanel panels[], const char path[]); /* comm: the figure's */

/* ---------------------------------------------------------------- Optics ---------------- */
typedef struct {
  PetscReal pixel_size; /* µm per optical pixel */
  PetscReal A[4], b[2]; /* mesh x = A u + b (A row-major), u the optical image frame, µm */
} OpticalFrame;

/* The camera pixels of a window (rows r0.., cols c0..) of an optical frame as weighted sums of a
   fine mesh-frame grid: each pixel averages sub × sub points, each bilinear in the fine grid
   (zero outside it). */
typedef struct {
  PetscInt   r0, c0, rows, cols;
  PetscInt  *offsets, *index;
  PetscReal *weight;
} OpticalProjection;

PetscErrorCode OpticalFrameRigid(PetscReal pixel_size, PetscReal rotation_deg, const PetscReal u_centroid[2], const PetscReal x_centroid[2], OpticalFrame *frame);
PetscErrorCode OpticalFrameToOptical(const OpticalFrame *frame, const PetscReal x[2], PetscReal u[2]);
PetscErrorCode OpticalFrameToMesh(const OpticalFrame *frame, const PetscReal u[2], PetscReal x[2]);
PetscErrorCode OpticalFrameRotation(const OpticalFrame *frame, PetscReal *rotation_deg, PetscReal *scale);
/* The window of an optical frame (rows x cols) seen by a fine grid, plus margin pixels, clipped */
PetscErrorCode OpticalWindow(const RasterGrid *fine, const OpticalFrame *frame, PetscInt rows, PetscInt cols, PetscInt margin, PetscInt *r0, PetscInt *c0, PetscInt *wr, PetscInt *wc);
PetscErrorCode OpticalProjectionCreate(const RasterGrid *fine, const OpticalFrame *frame, PetscInt r0, PetscInt c0, PetscInt rows, PetscInt cols, PetscInt sub, OpticalProjection *P);
PetscErrorCode OpticalProjectionApply(const OpticalProjection *P, const PetscReal fine[], PetscReal out[]);
PetscErrorCode OpticalProjectionDestroy(OpticalProjection *P);
/* Gaussian blur of standard deviation sigma (pixels), zero outside the image; in == out allowed */
PetscErrorCode OpticalBlur(PetscInt rows, PetscInt cols, PetscReal sigma, const PetscReal in[], PetscReal out[]);
/* The fine grid for an optical pixel size and the largest PSF σ: pixels of p_o/3 (coarser for
   very large particles) over the particle plus 4σ + 2 p_o; supersampling 3 */
PetscErrorCode OpticalFineGrid(const MeshInfo *info, PetscReal optical_pixel, PetscReal sigma_max, RasterGrid *fine);
/* Is x inside the polygon of 2-D boundary facets (segments, nfacets × 4 numbers)? crossing number */
PetscBool OpticalInside(PetscInt nfacets, const PetscReal facets[], const PetscReal x[2]);

/* ---------------------------------------------------------------- Synth ----------------- */
typedef struct {
  PetscInt     frames, rows, cols, bits;
  PetscReal    pixel_size, psf_sigma, k, noise, drift, intensity, background, theta0;
  PetscReal    rotation_deg, shift[2];  /* px (col, row) */
  PetscReal    centroid_px[2];          /* where the particle's centroid lies: (col, row), pixel-centre units */
  OpticalFrame frame;
  PetscReal    t_first, t_last;         /* simulation times of the first and last frame, s */
} SynthReport;

/* spot synth: the run of the options database made into an optical stack. Options -synth_...:
   output (movie.tif), timestamps (default <output>_timestamps.csv), pixel_size (µm, default
   0.1), frame_interval (s, default 30) or frame_times (list), time_offset (the timestamp of the
   run's t = 0, default 0), psf_sigma (µm, 0.3), k (0.6), intensity I0 (0.35), background (0.15),
   noise (standard deviation / I0, 0.02), drift (fraction per hour, 0), shift (col,row px, 0,0),
   rotation (deg, 0), size (rows,cols; default: the particle and 60 % more), bits (16 or 32),
   seed (1). Every option is checked before the run: ranges, frame times within the protocol
   (at most 100 000 frames), timestamps finite and increasing as written, the illumination
   positive under the drift, a 16-bit page unsaturated, the frame at most 4096 x 4096 pixels with
   the particle inside. The stack and the timestamps appear together, or neither. Collective. */
PetscErrorCode SynthRun(MPI_Comm comm, const char workdir[], PetscViewer viewer, SynthReport *report);

/* ---------------------------------------------------------------- Comparison ------------ */
typedef struct _p_Comparison *Comparison;
typedef struct _p_CompareSim *CompareSim;

typedef struct {
  PetscInt  frames_used;                    /* frames in the comparison window with simulated values */
  PetscBool complete;                       /* every frame of the window was simulated */
  PetscReal k;                              /* contrast per unit delithiation (calibrated or given) */
  PetscReal offset;                         /* contrast offset of every frame but the reference (its noise), calibrated */
  PetscReal offset_centre, offset_periphery; /* the same for the centre and periphery series */
  PetscReal psf_sigma;                      /* µm, as used */
  PetscReal background_ratio;               /* β: background over particle intensity of the reference frame */
  PetscReal rmse_mean, rmse_centre, rmse_periphery; /* contrast units */
  PetscReal corr_centre, corr_periphery;    /* Pearson correlation of the series */
  PetscReal rmse_maps;                      /* pixel by pixel over the particle and the frames */
  PetscReal misfit;                         /* what spot fit minimises (-compare_metrics_misfit) */
  PetscReal onset_exp[2], onset_sim[2];     /* centre, periphery: time (s) to reach the onset fraction of the final value */
  PetscReal delay_exp, delay_sim;           /* centre onset − periphery onset, s */
} CompareResult;

/* Read the -compare_ options, open the stack and the timestamps and check them (collective) */
PetscErrorCode ComparisonCreate(MPI_Comm comm, Comparison *cmp);
/* Against the run's particle: register, extract the differential contrast of every frame in the
   particle's window; every rank of the comparison's communicator gets it (collective).
   sigma_max: the largest PSF σ a fit may try (µm), or 0 */
PetscErrorCode ComparisonSetUp(Comparison cmp, Simulation sim, PetscReal sigma_max, PetscViewer viewer);
PetscErrorCode ComparisonView(Comparison cmp, PetscViewer viewer);
PetscErrorCode ComparisonGetRegistration(Comparison cmp, OpticalFrame *frame, PetscReal centroid_px[2], PetscReal *rotation_deg, PetscReal *match);
PetscErrorCode ComparisonGetPSFSigma(Comparison cmp, PetscReal *sigma);
PetscErrorCode ComparisonDestroy(Comparison *cmp);

/* The simulated movie of one run, on the run's communicator (which may be a sub-communicator) */
PetscErrorCode CompareSimCreate(Comparison cmp, Solver s, CompareSim *sim);
PetscErrorCode CompareSimMonitor(Solver s, SolverEvent e, const SolverState *state, Vec theta, void *ctx);
PetscErrorCode CompareSimDestroy(CompareSim *sim);
/* Calibrate and measure (collective on the run's communicator; every rank gets the result) */
PetscErrorCode ComparisonEvaluate(Comparison cmp, CompareSim sim, PetscReal psf_sigma, CompareResult *result);
/* compare_series.csv, compare_metrics.csv, compare_profiles.csv and the figures (collective) */
PetscErrorCode ComparisonWrite(Comparison cmp, CompareSim sim, const CompareResult *result, const char directory[], PostprocFiles files);
PetscErrorCode CompareResultView(const CompareResult *result, PetscViewer viewer);

/* spot compare: the whole chain for the options database, outputs in directory, all or nothing
   with the mesh spot made for it (collective) */
PetscErrorCode CompareRun(MPI_Comm comm, const char directory[], PetscViewer viewer, CompareResult *result);

/* ---------------------------------------------------------------- Fit ------------------- */
typedef struct {
  PetscReal alpha, misfit, k, psf_sigma;
  PetscInt  runs, rounds, groups, ranks_per_run;
  PetscReal wall;          /* s */
  PetscBool at_edge;       /* the best α lies at the edge of the search range */
  PetscReal centroid_px[2], rotation_deg;
} FitReport;

/* spot fit: α by bracketing and golden-section (or parallel multi-section) search on log α;
   options -fit_... (see input/compare.xsd); collective */
PetscErrorCode FitRun(MPI_Comm comm, const char directory[], PetscViewer viewer, FitReport *report);

#endif
