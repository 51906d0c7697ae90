/* Helpers for spot's C tests: every CHECK that fails prints one line and counts; main returns
   the count, so a test binary fails when any check does. Quiet on success. */
#ifndef SPOT_TESTING_H
#define SPOT_TESTING_H

#include <petscsys.h>
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

#endif
