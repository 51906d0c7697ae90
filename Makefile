# spot: one Makefile, pkg-config for PETSc and libxml2, Gmsh by hand (dlopened: mesh/gmsh_dl.c).
# BUILD and BIN choose where objects and the binary go (default build/ and bin/).
#   make            build bin/spot and the tests
#   make demo       run examples/c3_charge (installs missing Debian packages first)
#   make check      run every test, ending with "N passed, N failed"
#   make check-slow the same and the slow cases make check leaves out
#   make bench      run the benchmarks and write bench/RESULTS.md
#   make format     clang-format the C sources
#   make install    PREFIX=/usr/local (and DESTDIR): bin/spot, the schemas, data, examples, docs
.SUFFIXES:
SHELL      := /bin/bash
CC         := mpicc
BUILD      ?= build
BIN        ?= bin
DEPS_OK    := $(BUILD)/.deps-ok
PKGS       := petsc hdf5-openmpi libxml-2.0 libpng libtiff-4 cairo
WERROR     := $(if $(CI),-Werror,)
CFLAGS     ?= -O2 -g
CFLAGS     += -std=c11 -Wall -Wextra -Wno-unused-parameter $(WERROR) -MMD -MP \
              -D_POSIX_C_SOURCE=200809L -I. $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
LDLIBS     := $(shell pkg-config --libs $(PKGS) 2>/dev/null) -ldl -lm

# postproc/ is split by purpose (docs/development.md): its sources live in these subfolders only
POSTPROC   := postproc/fileset postproc/figures postproc/run postproc/optics postproc/gitt
LAYERS     := files input mesh physics solver $(POSTPROC) app
LIB_SRC    := $(filter-out app/spot.c,$(foreach d,$(LAYERS),$(wildcard $(d)/*.c)))
SCHEMAS    := $(wildcard input/*.xsd)
LIB_OBJ    := $(patsubst %.c,$(BUILD)/%.o,$(LIB_SRC)) $(BUILD)/input/schema_blob.o
TEST_SRC   := $(wildcard tests/*.c)
TEST_BIN   := $(patsubst tests/%.c,$(BUILD)/tests/%,$(TEST_SRC))
BENCH_SRC  := $(wildcard bench/*.c)
TOOL_SRC   := $(wildcard tests/tools/*.c)
TOOL_BIN   := $(patsubst tests/tools/%.c,$(BUILD)/tools/%,$(TOOL_SRC))
BENCH_BIN  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRC))

.PHONY: all deps demo demo-fit check check-slow bench format clean install uninstall
all: $(BIN)/spot $(TEST_BIN) $(BENCH_BIN) $(TOOL_BIN)

# Missing Debian packages are installed once; the stamp records success.
$(DEPS_OK): scripts/install-deps.sh
	@bash scripts/install-deps.sh
	@mkdir -p $(BUILD) && touch $@
deps: $(DEPS_OK)

$(BUILD)/%.o: %.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -c $< -o $@

# The XSD files are compiled into the binary so that spot runs from anywhere.
$(BUILD)/input/schema_blob.c: $(SCHEMAS) scripts/embed.sh
	@mkdir -p $(@D)
	bash scripts/embed.sh $(SCHEMAS) > $@
$(BUILD)/input/schema_blob.o: $(BUILD)/input/schema_blob.c
	$(CC) -c $< -o $@

$(BUILD)/libspot.a: $(LIB_OBJ)
	rm -f $@ && ar rcs $@ $^ # afresh: a moved or deleted source leaves no stale member

$(BIN)/spot: $(BUILD)/app/spot.o $(BUILD)/libspot.a
	@mkdir -p $(BIN)
	$(CC) -o $@ $^ $(LDLIBS)

$(BUILD)/tests/%: tests/%.c tests/testing.h $(BUILD)/libspot.a | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libspot.a $(LDLIBS)

$(BUILD)/tools/%: tests/tools/%.c | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< -lm

$(BUILD)/bench/%: bench/%.c $(BUILD)/libspot.a | $(DEPS_OK)
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -o $@ $< $(BUILD)/libspot.a $(LDLIBS)

demo: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) BIN=$(BIN) bash scripts/demo.sh

demo-fit: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) BIN=$(BIN) bash scripts/demo-fit.sh

check: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) BIN=$(BIN) bash tests/run.sh

# make check and the slow cases it leaves out (more combinations of its sweeps)
check-slow: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@SPOT_CHECK_SLOW=1 BUILD=$(BUILD) BIN=$(BIN) bash tests/run.sh

bench: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@BUILD=$(BUILD) BIN=$(BIN) bash bench/run.sh

# Installs what a user needs without the checkout: the binary (schemas compiled in, also copied
# for editors), data/ and examples/ side by side (the examples' relative data paths hold), the
# Python helpers of postproc/, the docs and the licences.
PREFIX     ?= /usr/local
SHARE      := $(DESTDIR)$(PREFIX)/share/spot
install: $(BIN)/spot
	install -d $(DESTDIR)$(PREFIX)/bin $(SHARE)/schemas $(SHARE)/postproc $(DESTDIR)$(PREFIX)/share/doc/spot
	install -m 755 $(BIN)/spot $(DESTDIR)$(PREFIX)/bin/spot
	install -m 644 $(SCHEMAS) $(SHARE)/schemas/
	install -m 644 postproc/*.py $(SHARE)/postproc/
	tar -c --exclude='out' --exclude='*.pyc' data examples | tar -x -C $(SHARE)
	install -m 644 README.md LICENSE $(DESTDIR)$(PREFIX)/share/doc/spot/
	cp -r docs $(DESTDIR)$(PREFIX)/share/doc/spot/
uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/spot
	rm -rf $(SHARE) $(DESTDIR)$(PREFIX)/share/doc/spot

format:
	clang-format -i $(foreach d,$(LAYERS) tests bench,$(wildcard $(d)/*.c $(d)/*.h))

clean:
	rm -rf $(BUILD) $(BIN)

include tests/fuzz/fuzz.mk
-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# The paper's findings reproduced (examples/gallery/REPORT.md and figures; about 2 min)
.PHONY: gallery
gallery: $(DEPS_OK)
	@$(MAKE) --no-print-directory all
	@/usr/bin/python3 examples/gallery/run.py $(BIN)/spot
