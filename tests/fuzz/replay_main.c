/* A main for the fuzz targets without libFuzzer: built with gcc for make check (tests/fuzz/fuzz.mk),
   it replays inputs through LLVMFuzzerTestOneInput once each, as `fuzz_<target> FILE...` does.

     replay_<target> FILE_OR_FOLDER...

   A folder stands for its regular files, in name order. Each input's name is printed before it
   runs, so that a crash names it; a finding aborts (tests/fuzz/fuzz.h). Exit status 0 when every
   input ran, 2 when an input cannot be read. */
#include "tests/fuzz/fuzz.h"
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int Replay(const char path[])
{
  FILE          *fp = fopen(path, "rb");
  unsigned char *data;
  long           size;

  if (!fp || fseek(fp, 0, SEEK_END) || (size = ftell(fp)) < 0 || fseek(fp, 0, SEEK_SET)) {
    fprintf(stderr, "replay: cannot read %s: %s\n", path, strerror(errno));
    if (fp) fclose(fp);
    return 2;
  }
  data = (unsigned char *)malloc((size_t)size + 1); /* + 1: an empty input has an address too */
  if (!data || fread(data, 1, (size_t)size, fp) != (size_t)size) {
    fprintf(stderr, "replay: cannot read %s\n", path);
    free(data);
    fclose(fp);
    return 2;
  }
  fclose(fp);
  printf("replay: %s (%ld bytes)\n", path, size);
  fflush(stdout);
  fuzz_current_input = path;
  (void)LLVMFuzzerTestOneInput(data, (size_t)size);
  fuzz_current_input = NULL;
  free(data);
  return 0;
}

int main(int argc, char **argv)
{
  int status = 0, count = 0;

  (void)LLVMFuzzerInitialize(&argc, &argv);
  for (int i = 1; i < argc; ++i) {
    struct stat st;
    if (stat(argv[i], &st)) {
      fprintf(stderr, "replay: cannot read %s: %s\n", argv[i], strerror(errno));
      status = 2;
    } else if (S_ISDIR(st.st_mode)) {
      struct dirent **entries;
      const int       n = scandir(argv[i], &entries, NULL, alphasort);
      if (n < 0) {
        fprintf(stderr, "replay: cannot list %s: %s\n", argv[i], strerror(errno));
        status = 2;
        continue;
      }
      for (int k = 0; k < n; ++k) {
        char        path[4096];
        struct stat fst;
        snprintf(path, sizeof(path), "%s/%s", argv[i], entries[k]->d_name);
        if (entries[k]->d_name[0] != '.' && !stat(path, &fst) && S_ISREG(fst.st_mode)) {
          if (Replay(path))
            status = 2;
          else
            ++count;
        }
        free(entries[k]);
      }
      free(entries);
    } else if (Replay(argv[i]))
      status = 2;
    else
      ++count;
  }
  printf("replay: %d inputs run%s\n", count, status ? "; some could not be read" : ", no finding");
  (void)PetscOptionsClear(NULL);
  (void)PetscFinalize();
  return status;
}
