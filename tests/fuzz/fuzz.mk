# spot's fuzzing (tests/fuzz/README.md), included by the top-level Makefile:
#   make fuzz [FUZZ_SECONDS=60] [FUZZ_TARGETS="xml table image mesh"]
#                     build spot's library again with clang, libFuzzer and the address and
#                     undefined-behaviour sanitizers into $(FUZZ_BUILD)/, fuzz each target for
#                     FUZZ_SECONDS on its corpus tests/fuzz/corpus/<target>/ (new inputs go to
#                     $(FUZZ_BUILD)/corpus/<target>/), print one line per target; exit status 1
#                     if any target found something (its reproducer is kept and named)
#   make fuzz-build   the fuzzers only
#   make fuzz-merge   minimise the committed corpus (-merge=1) and add what the runs found that
#                     reaches new edges (FUZZ_MERGE_FOUND=0: minimise only)
#   make fuzz-seeds   write the generated image seeds into tests/fuzz/corpus/image/
# The replay drivers $(BUILD)/fuzz/replay_<target> (gcc, no libFuzzer) are part of `make all`:
# tests/cases.d/fuzz.sh replays the committed corpus through them in `make check`.
# Usable at any place in the Makefile: it takes only BUILD, CC, CFLAGS and LDLIBS from it, in
# recipes, and leaves the default goal alone.
FUZZ_SAVED_GOAL := $(.DEFAULT_GOAL)

BUILD        ?= build
FUZZ_BUILD   ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_TIMEOUT ?= 25
FUZZ_TARGETS ?= xml table image mesh
FUZZ_ALL     := xml table image mesh
FUZZ_CC      := OMPI_CC=clang mpicc
FUZZ_PKGS    := petsc hdf5-openmpi libxml-2.0 libpng libtiff-4
FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
# the Makefile's flags for clang, without _FORTIFY_SOURCE (the sanitizers check the bounds)
FUZZ_CFLAGS   = -g -O1 -std=c11 -Wall -Wextra -Wno-unused-parameter -MMD -MP -D_POSIX_C_SOURCE=200809L -I. \
                $(shell pkg-config --cflags $(FUZZ_PKGS) 2>/dev/null) -U_FORTIFY_SOURCE $(FUZZ_SAN)
FUZZ_LDLIBS   = $(shell pkg-config --libs $(FUZZ_PKGS) 2>/dev/null) -ldl -lm
FUZZ_LAYERS  := $(or $(LAYERS),files input mesh physics solver postproc/fileset postproc/figures postproc/run postproc/optics postproc/gitt app)
FUZZ_LIB_SRC := $(filter-out app/spot.c,$(foreach d,$(FUZZ_LAYERS),$(wildcard $(d)/*.c)))
FUZZ_LIB_OBJ := $(patsubst %.c,$(FUZZ_BUILD)/%.o,$(FUZZ_LIB_SRC)) $(FUZZ_BUILD)/input/schema_blob.o
FUZZ_REPLAY  := $(patsubst %,$(BUILD)/fuzz/replay_%,$(FUZZ_ALL))

.PHONY: fuzz fuzz-build fuzz-merge fuzz-seeds
all: $(FUZZ_REPLAY)

# ---- replay drivers (gcc, the Makefile's flags): make check ----
$(BUILD)/fuzz/replay_%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_common.c tests/fuzz/replay_main.c tests/fuzz/fuzz.h $(BUILD)/libspot.a | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $(filter %.c,$^) $(BUILD)/libspot.a $(LDLIBS)

# ---- fuzzers (clang, libFuzzer, sanitizers): make fuzz ----
$(FUZZ_BUILD)/%.o: %.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -c $< -o $@

$(FUZZ_BUILD)/input/schema_blob.c: $(wildcard input/*.xsd) scripts/embed.sh
	@mkdir -p $(@D)
	bash scripts/embed.sh $(wildcard input/*.xsd) > $@
$(FUZZ_BUILD)/input/schema_blob.o: $(FUZZ_BUILD)/input/schema_blob.c
	$(FUZZ_CC) -g -O1 -c $< -o $@

$(FUZZ_BUILD)/libspot.a: $(FUZZ_LIB_OBJ)
	ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/tests/fuzz/fuzz_%.o $(FUZZ_BUILD)/tests/fuzz/fuzz_common.o $(FUZZ_BUILD)/libspot.a
	$(FUZZ_CC) -fsanitize=fuzzer $(FUZZ_SAN) -o $@ $^ $(FUZZ_LDLIBS)

$(FUZZ_BUILD)/tools/make_seeds: tests/fuzz/make_seeds.c | $(BUILD)/.deps-ok
	@mkdir -p $(@D)
	$(CC) $(filter-out -MMD -MP,$(CFLAGS)) -o $@ $< $(shell pkg-config --libs libpng libtiff-4 2>/dev/null) -lm

# the targets' objects are intermediate to make: keep them, or every make relinks
.PRECIOUS: $(FUZZ_BUILD)/tests/fuzz/%.o

fuzz-build: $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

fuzz: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) FUZZ_SECONDS=$(FUZZ_SECONDS) FUZZ_TIMEOUT=$(FUZZ_TIMEOUT) bash tests/fuzz/run.sh $(FUZZ_TARGETS)

fuzz-merge: fuzz-build
	@FUZZ_BUILD=$(FUZZ_BUILD) bash tests/fuzz/run.sh --merge $(FUZZ_TARGETS)

fuzz-seeds: $(FUZZ_BUILD)/tools/make_seeds
	@mkdir -p tests/fuzz/corpus/image
	$(FUZZ_BUILD)/tools/make_seeds tests/fuzz/corpus/image

-include $(shell find $(FUZZ_BUILD) -name '*.d' 2>/dev/null)

.DEFAULT_GOAL := $(FUZZ_SAVED_GOAL)
