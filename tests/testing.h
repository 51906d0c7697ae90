/* Helpers for spot's C tests: every CHECK that fails prints one line and counts; main returns
   the count, so a test binary fails when any check does. Quiet on success. */
#ifndef SPOT_TESTING_H
#define SPOT_TESTING_H

#include <petscsys.h>
#include <stdlib.h>
#include <string.h>
#include "input/input.h"

static int test_failures = 0;

#define CHECK(cond, ...) \
  do { \
    if (!(cond)) { \
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "FAIL %s:%d: ", __FILE__, __LINE__)); \
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, __VA_ARGS__)); \
      PetscCall(PetscPrintf(PETSC_COMM_WORLD, "\n")); \
      ++test_failures; \
    } \
  } while (0)

/* |a - b| <= tol * max(|b|, floor) */
#define CHECK_CLOSE(a, b, tol, what) \
  do { \
    const double a_ = (double)(a), b_ = (double)(b); \
    CHECK(fabs(a_ - b_) <= (tol) * fmax(fabs(b_), 1e-300) || (a_ == b_), "%s: %.12g vs %.12g (rel. diff %.3e > %.1e)", what, a_, b_, fabs(a_ - b_) / fmax(fabs(b_), 1e-300), (double)(tol)); \
  } while (0)

/* Run call, expect a user error whose message contains expected */
#define CHECK_USER_ERROR(call, expected) \
  do { \
    PetscErrorCode ierr_; \
    const char    *msg_; \
    InputClearUserError(); \
    ierr_ = (call); \
    PetscCall(InputLastUserError(&msg_)); \
    CHECK(ierr_ == PETSC_ERR_USER_INPUT, "%s: expected a user-input error, got code %d", #call, (int)ierr_); \
    CHECK(msg_ && strstr(msg_, expected), "%s: message '%s' does not contain '%s'", #call, msg_ ? msg_ : "(none)", expected); \
    InputClearUserError(); \
  } while (0)

/* A test binary with several parts takes the part's name as its first argument: copies it to
   which ("" when none) and makes dir = $TMPROOT/<prefix>_<which> (or -tmpdir), checked writable */
static inline PetscErrorCode TestPart(int argc, char **argv, const char prefix[], char which[], size_t wlen, char dir[], size_t dlen)
{
  const char *root = getenv("TMPROOT");

  PetscFunctionBeginUser;
  PetscCall(PetscStrncpy(which, argc > 1 && argv[1][0] != '-' ? argv[1] : "", wlen));
  PetscCall(PetscSNPrintf(dir, dlen, "%s/%s_%s", root && root[0] ? root : "/tmp", prefix, which));
  PetscCall(PetscOptionsGetString(NULL, NULL, "-tmpdir", dir, dlen, NULL));
  PetscCall(InputCheckWritableDirectory(PETSC_COMM_WORLD, dir, "test directory"));
  PetscFunctionReturn(0);
}

/* Ends a part run for its error code: a failing part prints the user error behind it, then
   the error propagates; otherwise prints the number of failed checks, if any */
static inline PetscErrorCode TestEnd(PetscErrorCode ierr)
{
  const char *msg;

  PetscFunctionBeginUser;
  PetscCall(InputLastUserError(&msg));
  if (ierr && msg) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "error: %s\n", msg));
  PetscCall(ierr);
  if (test_failures) PetscCall(PetscPrintf(PETSC_COMM_WORLD, "%d check(s) failed\n", test_failures));
  PetscFunctionReturn(0);
}

#endif
