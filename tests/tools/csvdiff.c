/* csvdiff A.csv B.csv RTOL [COLUMN=ABS_FLOOR ...]
   Compares two CSV files of the same shape cell by cell: numbers agree when
   |a - b| <= RTOL * max(|a|, |b|, floor), with floor 0 unless given for the column;
   text cells must be equal. Prints the worst cell and exits 1 on a mismatch. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAXC 64
static int split(char *line, char *f[])
{
  int n = 0;
  for (char *p = strtok(line, ",\n\r"); p && n < MAXC; p = strtok(NULL, ",\n\r")) f[n++] = p;
  return n;
}

int main(int argc, char **argv)
{
  FILE  *fa, *fb;
  char   la[8192], lb[8192], *ca[MAXC], *cb[MAXC], names[MAXC][64];
  double rtol, floor_[MAXC] = {0}, worst = 0;
  int    row = 0, bad = 0, ncol = 0;
  char   where[256] = "";

  if (argc < 4) { fprintf(stderr, "usage: csvdiff A.csv B.csv RTOL [COLUMN=FLOOR ...]\n"); return 2; }
  fa = fopen(argv[1], "r"); fb = fopen(argv[2], "r");
  if (!fa || !fb) { fprintf(stderr, "csvdiff: cannot open %s\n", fa ? argv[2] : argv[1]); return 2; }
  rtol = atof(argv[3]);
  while (fgets(la, sizeof la, fa)) {
    int na, nb;
    if (!fgets(lb, sizeof lb, fb)) { printf("csvdiff: %s has more rows than %s\n", argv[1], argv[2]); return 1; }
    na = split(la, ca); nb = split(lb, cb);
    if (na != nb) { printf("csvdiff: row %d has %d vs %d columns\n", row, na, nb); return 1; }
    if (row == 0) {
      ncol = na;
      for (int j = 0; j < na; ++j) {
        snprintf(names[j], sizeof names[j], "%s", ca[j]);
        if (strcmp(ca[j], cb[j])) { printf("csvdiff: header differs: %s vs %s\n", ca[j], cb[j]); return 1; }
        for (int k = 4; k < argc; ++k) {
          const char *eq = strchr(argv[k], '=');
          if (eq && (size_t)(eq - argv[k]) == strlen(ca[j]) && !strncmp(argv[k], ca[j], (size_t)(eq - argv[k]))) floor_[j] = atof(eq + 1);
        }
      }
    } else {
      for (int j = 0; j < ncol; ++j) {
        char  *ea, *eb;
        double a = strtod(ca[j], &ea), b = strtod(cb[j], &eb), scale, rel;
        if (*ea || *eb) {
          if (strcmp(ca[j], cb[j])) { printf("csvdiff: row %d column %s: '%s' vs '%s'\n", row, names[j], ca[j], cb[j]); return 1; }
          continue;
        }
        if (isnan(a) && isnan(b)) continue;
        scale = fmax(fmax(fabs(a), fabs(b)), floor_[j]);
        rel   = scale > 0 ? fabs(a - b) / scale : 0;
        if (rel > worst) { worst = rel; snprintf(where, sizeof where, "row %d column %s: %.12g vs %.12g", row, names[j], a, b); }
        if (rel > rtol) bad = 1;
      }
    }
    ++row;
  }
  if (fgets(lb, sizeof lb, fb)) { printf("csvdiff: %s has more rows than %s\n", argv[2], argv[1]); return 1; }
  if (bad) { printf("csvdiff: largest relative difference %.3e > %.1e at %s\n", worst, rtol, where); return 1; }
  return 0;
}
