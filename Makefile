# The two commands a new user types are `make demo` and `make check`; both install what is
# missing first (scripts/deps.sh).
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
FUZZ_RUNS ?= 20000
FUZZ_SECONDS ?= 300
CMAKE_REL = cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOGRH_WERROR=ON
CMAKE_ASAN = cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_FLAGS_DEBUG="-g -O1" -DOGRH_SANITIZE=ON -DOGRH_WERROR=ON
CMAKE_FUZZ = CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DOGRH_FUZZ=ON -DOGRH_TESTS=OFF \
	-DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined"

.PHONY: all deps build check test asan live fuzz-smoke fuzz demo bench install clean format format-check

all: build

deps:
	@scripts/deps.sh

build: deps
	@echo "== build (build/)"
	@$(CMAKE_REL) >/dev/null
	@cmake --build build -j$(JOBS)

# scripts/progress.sh passes a step's output through and, when it has been silent for 30 s,
# says which tests are still running: no step of make check is silent for a minute.
test: build
	@echo "== tests (build/)"
	@scripts/progress.sh tests ctest --test-dir build --output-on-failure -j$(JOBS)

asan: deps
	@echo "== the same tests under ASan+UBSan (build-asan/)"
	@$(CMAKE_ASAN) >/dev/null
	@cmake --build build-asan -j$(JOBS)
	@scripts/progress.sh asan ctest --test-dir build-asan --output-on-failure -j$(JOBS)

fuzz-build: deps
	@$(CMAKE_FUZZ) >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

fuzz-smoke: fuzz-build
	@echo "== every fuzz target for $(FUZZ_RUNS) runs (build-fuzz/)"
	@scripts/progress.sh fuzz scripts/fuzz.sh build-fuzz runs $(FUZZ_RUNS)

# The live tests: real brokers and nodes on loopback (tests/live/), with the -Werror build and
# with the ASan+UBSan build.
live: build asan
	scripts/live.sh build/ogrh
	scripts/live.sh build-asan/ogrh

# The format check, a -Werror build and its tests, the same tests under ASan+UBSan, the live
# tests, each fuzz target briefly.
check: format-check test asan live fuzz-smoke
	@echo "make check: all passed"

# Longer fuzzing: FUZZ_SECONDS per target.
fuzz: fuzz-build
	scripts/fuzz.sh build-fuzz seconds $(FUZZ_SECONDS)

# The story, not the build: scripts/demo.sh builds quietly (build/demo-build.log) and tells it.
demo: deps
	@scripts/demo.sh

bench: build
	scripts/bench.sh build

install: build
	cmake --install build --prefix $(PREFIX)

# Every C file we write; `make format` applies .clang-format, `make check` fails on a difference.
FORMAT_FILES = $(sort $(wildcard include/ogrh/*.h src/*.[ch] src/*/*.[ch] tools/*.[ch] tools/*/*.[ch] \
	tests/*.[ch] tests/*/*.[ch] bench/*.[ch] fuzz/*.[ch]))

format:
	clang-format -i $(FORMAT_FILES)

format-check:
	@echo "== format"
	@clang-format --dry-run --Werror $(FORMAT_FILES) || \
	  { echo "make check: files differ from .clang-format; run 'make format'"; exit 1; }
	@echo "format: $(words $(FORMAT_FILES)) files match .clang-format"

clean:
	rm -rf build build-asan build-fuzz
