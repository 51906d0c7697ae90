/* spot synth RUN.xml -o movie.tif: a run made into an optical-like image stack (postproc/optics/synth.c).

   The double-dash arguments become -synth_* options (the options database stays the single
   source: -synth_noise 0.05 works as well as --noise 0.05). PETSc options after the input file
   override the run's values, e.g. -phys_alpha 3. */
#include "app/app.h"
#include "input/input.h"
#include "postproc/optics/optics.h"
#include <string.h>

static const char synth_help[] = "usage: [mpirun -n N] spot synth RUN.xml -o movie.tif [options] [PETSc options]\n"
                                 "\n"
                                 "Runs RUN.xml (a spot run input) and films it as an operando optical microscope would: the\n"
                                 "particle's intensity I0 (1 + k (theta0 - theta)) on a flat background, blurred by a Gaussian\n"
                                 "point-spread function, integrated over camera pixels, with noise, a slow drift of the\n"
                                 "illumination and an optional shift and rotation. Writes\n"
                                 "  movie.tif             a multi-page TIFF, one frame per page (16-bit integer or 32-bit float)\n"
                                 "  movie_timestamps.csv  frame,t_s: the time of every frame\n"
                                 "and prints where the particle lies (the truth spot compare should recover). Every option is\n"
                                 "checked before the run; the two files appear together when the movie is complete, or neither.\n"
                                 "\n"
                                 "options (each is also a PETSc option, in brackets; lengths and times accept units):\n"
                                 "  -o, --output FILE       the stack (default movie.tif)                           [-synth_output]\n"
                                 "  --timestamps FILE       default: the stack's name with _timestamps.csv          [-synth_timestamps]\n"
                                 "  --pixel-size P          camera pixel, default 0.1 um                            [-synth_pixel_size]\n"
                                 "  --frame-interval T      a frame every T from t = 0 to the protocol's end (30 s) [-synth_frame_interval]\n"
                                 "  --frame-times T1,T2,..  or these run times                                      [-synth_frame_times]\n"
                                 "  --time-offset T         the timestamp of the run's t = 0 (default 0)            [-synth_time_offset]\n"
                                 "  --psf-sigma S           Gaussian PSF standard deviation, default 0.3 um         [-synth_psf_sigma]\n"
                                 "  --k K                   contrast per unit delithiation, default 0.6             [-synth_k]\n"
                                 "  --intensity I0          particle intensity (of full scale), default 0.35        [-synth_intensity]\n"
                                 "  --background B          background intensity, default 0.15                      [-synth_background]\n"
                                 "  --noise N               noise standard deviation over I0, default 0.02          [-synth_noise]\n"
                                 "  --drift D               illumination drift, fraction per hour, default 0        [-synth_drift]\n"
                                 "  --shift DX,DY           shift of the particle, pixels (columns, rows)           [-synth_shift]\n"
                                 "  --particle-shift DX1,DY1,DX2,DY2,..  a population's particles moved each on its own,\n"
                                 "                          pixels (columns, rows), in the run's particle order     [-synth_particle_shift]\n"
                                 "  --rotation DEG          rotation, degrees (clockwise as displayed)              [-synth_rotation]\n"
                                 "  --size ROWS,COLS        frame size (default: the particle and 60 % more)        [-synth_size]\n"
                                 "  --bits 16|32            16-bit integer (default) or 32-bit float pages          [-synth_bits]\n"
                                 "  --seed N                seed of the noise (default 1)                           [-synth_seed]\n";

typedef struct {
  const char *arg, *option;
} ArgOption;

static const ArgOption args[] = {
  {"--output",         "-synth_output"        },
  {"--timestamps",     "-synth_timestamps"    },
  {"--pixel-size",     "-synth_pixel_size"    },
  {"--frame-interval", "-synth_frame_interval"},
  {"--frame-times",    "-synth_frame_times"   },
  {"--time-offset",    "-synth_time_offset"   },
  {"--psf-sigma",      "-synth_psf_sigma"     },
  {"--k",              "-synth_k"             },
  {"--intensity",      "-synth_intensity"     },
  {"--background",     "-synth_background"    },
  {"--noise",          "-synth_noise"         },
  {"--drift",          "-synth_drift"         },
  {"--shift",          "-synth_shift"         },
  {"--particle-shift", "-synth_particle_shift"},
  {"--rotation",       "-synth_rotation"      },
  {"--size",           "-synth_size"          },
  {"--bits",           "-synth_bits"          },
  {"--seed",           "-synth_seed"          },
};

PetscErrorCode SpotSynth(MPI_Comm comm, int argc, char **argv, PetscBool help)
{
  const char *input = NULL;
  char        output[PETSC_MAX_PATH_LEN] = "movie.tif", dir[PETSC_MAX_PATH_LEN] = ".", where[64];
  char        stamps[PETSC_MAX_PATH_LEN] = "", where_ts[PETSC_MAX_PATH_LEN] = "";
  PetscBool   stamps_set;

  PetscFunctionBeginUser;
  if (help) {
    PetscCall(PetscPrintf(comm, "%s", synth_help));
    PetscFunctionReturn(0);
  }
  for (int i = 0; i < argc; ++i) {
    const char *a = argv[i], *option = NULL;
    if (!strcmp(a, "-o")) a = "--output";
    if (a[0] == '-' && a[1] == '-') {
      for (size_t k = 0; k < sizeof(args) / sizeof(args[0]); ++k)
        if (!strcmp(a, args[k].arg)) option = args[k].option;
      PetscCheck(option, comm, PETSC_ERR_USER_INPUT, "spot synth: unknown argument '%s' (spot synth --help lists them)", a);
      PetscCheck(i + 1 < argc, comm, PETSC_ERR_USER_INPUT, "spot synth: %s needs a value", argv[i]);
      PetscCall(PetscSNPrintf(where, sizeof(where), "argument %s", argv[i]));
      PetscCall(InputSetOption(option, argv[++i], where));
    } else if (a[0] == '-' && a[1]) { /* a PETSc option, with its value if one follows */
      if (i + 1 < argc && argv[i + 1][0] != '-') ++i;
    } else {
      PetscCheck(!input, comm, PETSC_ERR_USER_INPUT, "spot synth: one run input at a time ('%s' and '%s' given)", input, a);
      input = a;
    }
  }
  PetscCheck(input, comm, PETSC_ERR_USER_INPUT, "usage: spot synth RUN.xml -o movie.tif [options] (see spot synth --help)");
  PetscCall(PetscOptionsGetString(NULL, NULL, "-synth_output", output, sizeof(output), NULL));
  {
    const char *slash = strrchr(output, '/');
    size_t      n     = strlen(output);
    PetscCheck(n && (!slash || slash[1]), comm, PETSC_ERR_USER_INPUT, "spot synth: -o needs a file name, got '%s'", output);
    PetscCheck((n > 4 && !strcmp(output + n - 4, ".tif")) || (n > 5 && !strcmp(output + n - 5, ".tiff")), comm, PETSC_ERR_USER_INPUT, "spot synth: the stack is a TIFF file; name it *.tif, got '%s'", output);
    if (slash) PetscCall(PetscSNPrintf(dir, sizeof(dir), "%.*s", (int)(slash - output), output));
    if (!dir[0]) PetscCall(PetscStrncpy(dir, "/", sizeof(dir)));
    PetscCall(InputCheckWritableDirectory(comm, dir, "argument -o"));
  }
  { /* timestamps elsewhere: a file name in a writable directory */
    char      stamps_dir[PETSC_MAX_PATH_LEN] = ".";
    PetscBool set;
    PetscCall(PetscOptionsGetString(NULL, NULL, "-synth_timestamps", stamps, sizeof(stamps), &set));
    if (set) {
      const char *slash = strrchr(stamps, '/');
      PetscCall(InputOptionWhere("-synth_timestamps", where_ts, sizeof(where_ts)));
      PetscCheck(stamps[0] && (!slash || slash[1]), comm, PETSC_ERR_USER_INPUT, "%s: the timestamps need a file name, got '%s'", where_ts, stamps);
      if (slash) PetscCall(PetscSNPrintf(stamps_dir, sizeof(stamps_dir), "%.*s", (int)(slash - stamps), stamps));
      if (!stamps_dir[0]) PetscCall(PetscStrncpy(stamps_dir, "/", sizeof(stamps_dir)));
      PetscCall(InputCheckWritableDirectory(comm, stamps_dir, where_ts));
    }
    stamps_set = set;
  }
  PetscCall(InputLoadXML(comm, input));
  PetscCall(InputCheckOptions(comm, "synth"));
  /* neither output may replace the document (the files it names are guarded as they are read) */
  PetscCall(InputCheckOutputFile(comm, output, "argument -o"));
  if (stamps_set) PetscCall(InputCheckOutputFile(comm, stamps, where_ts));
  PetscCall(SynthRun(comm, dir, PETSC_VIEWER_STDOUT_(comm), NULL));
  PetscFunctionReturn(0);
}
