# The two commands a new user types are `make demo` and `make check`; both install what is
# missing first (scripts/deps.sh).
JOBS ?= $(shell nproc)
PREFIX ?= /usr/local
FUZZ_RUNS ?= 20000
FUZZ_SECONDS ?= 300
CMAKE_REL = cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DOGRH_WERROR=ON
CMAKE_ASAN = cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DOGRH_SANITIZE=ON -DOGRH_WERROR=ON
CMAKE_FUZZ = CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DOGRH_FUZZ=ON -DOGRH_TESTS=OFF \
	-DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link,address,undefined"

.PHONY: all deps build check test asan fuzz-smoke fuzz demo bench install clean format

all: build

deps:
	@scripts/deps.sh

build: deps
	@$(CMAKE_REL) >/dev/null
	@cmake --build build -j$(JOBS)

test: build
	ctest --test-dir build --output-on-failure -j$(JOBS)

asan: deps
	@$(CMAKE_ASAN) >/dev/null
	@cmake --build build-asan -j$(JOBS)
	ctest --test-dir build-asan --output-on-failure -j$(JOBS)

fuzz-build: deps
	@$(CMAKE_FUZZ) >/dev/null
	@cmake --build build-fuzz -j$(JOBS)

fuzz-smoke: fuzz-build
	scripts/fuzz.sh build-fuzz runs $(FUZZ_RUNS)

# A -Werror build and its tests, the same tests under ASan+UBSan, each fuzz target briefly.
check: test asan fuzz-smoke
	@echo "make check: all passed"

# Longer fuzzing: FUZZ_SECONDS per target.
fuzz: fuzz-build
	scripts/fuzz.sh build-fuzz seconds $(FUZZ_SECONDS)

demo: build
	scripts/demo.sh build/ogrh

bench: build
	scripts/bench.sh build

install: build
	cmake --install build --prefix $(PREFIX)

format:
	clang-format -i include/ogrh/*.h src/*.c src/*.h tools/*.c tests/*.c bench/*.c fuzz/*.c

clean:
	rm -rf build build-asan build-fuzz
