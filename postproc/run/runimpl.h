/* postproc/run, inside: the parts of a run's outputs that only run/ itself calls (output.c
   drives them). Public: run.h. */
#ifndef SPOT_POSTPROC_RUNIMPL_H
#define SPOT_POSTPROC_RUNIMPL_H

#include "postproc/run/run.h"

typedef struct _p_Probe *Probe;

/* θ at points (µm), evaluated with the element's own interpolation; values on every rank */
PetscErrorCode ProbeCreate(DM dm, PetscInt n, const PetscReal points[], PetscBool found[], Probe *probe);
PetscErrorCode ProbeEvaluate(Probe probe, Vec theta, PetscReal values[]);
PetscErrorCode ProbeGetPoints(Probe probe, PetscInt *n, PetscInt *dim, const PetscReal **points);
PetscErrorCode ProbeDestroy(Probe *probe);

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
PetscErrorCode ProfilesWriteFigure(Profiles p, MPI_Comm comm, PostprocFiles files, const char path[]); /* profiles_kymograph.png; collective */

/* The synthetic (003) diffraction peak of the field of view (diffraction.c); NULL
   without a lattice law */
typedef struct _p_Diffraction *Diffraction;
PetscErrorCode DiffractionCreate(Solver s, Diffraction *d);
PetscErrorCode DiffractionView(Diffraction d, PetscViewer viewer);
PetscErrorCode DiffractionCompute(Diffraction d, Vec theta);
PetscErrorCode DiffractionWriteHeader(Diffraction d, FileOut f);
PetscErrorCode DiffractionWriteRows(Diffraction d, PetscReal t, FileOut f);
PetscErrorCode DiffractionDestroy(Diffraction *d);

/* summary.png of spot run (summary.c): V, current density and θ (mean, centre, periphery, surface)
   against t in stacked panels, the ends of the protocol steps dashed; rows on rank 0 */
typedef struct _p_Summary *Summary;
PetscErrorCode SummaryCreate(Summary *s);
PetscErrorCode SummaryAddRow(Summary s, const PetscReal values[7]); /* t (s), V (V), i (A/m²), θ mean, centre, periphery, surface */
PetscErrorCode SummaryAddStepEnd(Summary s, PetscReal t);
PetscErrorCode SummaryWrite(Summary s, MPI_Comm comm, PostprocFiles files, const char path[]); /* summary.png; collective */
PetscErrorCode SummaryDestroy(Summary *s);

#endif
