# Thin wrapper around CMake. The two commands a new user needs:
#   make demo   install dependencies, build, load the bundled demo data
#   make test   install dependencies, build with warnings as errors, run all tests
# `make test SAN=1` runs the same tests built with ASan + UBSan.

# Quieter recursive make output from CMake's generated Makefiles.
MAKEFLAGS += --no-print-directory

SAN ?= 0
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
ifeq ($(SAN),1)
BUILD ?= build-san
CMAKE_FLAGS = -DSTAD_WERROR=ON -DSTAD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang
else
BUILD ?= build
CMAKE_FLAGS = -DSTAD_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo
endif

.PHONY: all deps build web test demo bench clean install deb install-test fuzz

all: build

deps:
	@scripts/install-deps

$(BUILD)/Makefile: CMakeLists.txt
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)

build: $(BUILD)/Makefile
	cmake --build $(BUILD) -j $(JOBS)

web:
	@scripts/build-web

# The browser tests drive Debian's chromium against `stad serve`; they run in the
# normal build (the sanitizer build runs the C tests, the e2e tests and the fuzzers).
test: deps
	cmake -S . -B $(BUILD) $(CMAKE_FLAGS)
	cmake --build $(BUILD) -j $(JOBS)
	cd $(BUILD) && ASAN_OPTIONS=detect_leaks=1 ctest --output-on-failure -j $(JOBS)
ifneq ($(SAN),1)
	scripts/build-web
	STAD=$(abspath $(BUILD))/stad STAD_SHARED_DATA=$(abspath ../shared/data) \
	  STAD_TMP=$(abspath $(BUILD))/tmp node --test tests/web/
endif

# Loads the demo data and then serves the dashboard (DEMO_SERVE=0 to skip serving).
demo: deps build web
	@scripts/demo $(BUILD)/stad

bench: deps build
	@scripts/bench $(BUILD)

# Longer fuzz runs (sanitizer build): every target FUZZ_SECONDS on its corpus.
FUZZ_SECONDS ?= 600
FUZZ_BUILD ?= build-san
fuzz: deps
	cmake -S . -B $(FUZZ_BUILD) -DSTAD_WERROR=ON -DSTAD_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang
	cmake --build $(FUZZ_BUILD) -j $(JOBS)
	mkdir -p $(FUZZ_BUILD)/tmp
	set -e; for f in $(FUZZ_BUILD)/fuzz_*; do \
	  t=$${f##*/fuzz_}; mkdir -p $(FUZZ_BUILD)/fuzz-corpus/$$t; \
	  echo "== fuzz_$$t ($(FUZZ_SECONDS) s)"; \
	  STAD_SOURCE_DIR=$(CURDIR) STAD_TMP=$(CURDIR)/$(FUZZ_BUILD)/tmp ASAN_OPTIONS=detect_leaks=1 \
	    $$f -max_total_time=$(FUZZ_SECONDS) -rss_limit_mb=2048 -print_final_stats=1 \
	    -artifact_prefix=$(FUZZ_BUILD)/fuzz-$$t- \
	    $(FUZZ_BUILD)/fuzz-corpus/$$t tests/fuzz/corpus/$$t; \
	done

# Installation (PREFIX and DESTDIR respected), the Debian package, and the slow test
# that installs the package into a debootstrapped Debian and runs the service.
PREFIX ?= /usr/local
install: build
	DESTDIR=$(DESTDIR) cmake --install $(BUILD) --prefix $(PREFIX)

deb: deps
	scripts/make-deb

install-test: deps
	tests/admin/install-test.sh

clean:
	rm -rf build build-san build-deb
