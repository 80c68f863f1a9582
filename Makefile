# Thin wrapper over CMake.
#   make            build (build/raquet)
#   make run        build, start raquet-server (SQLite; first start prints the admin
#                   password), then sweep this machine with the embedded defaults
#   make test       build with -Werror and run every test
#   make asan       the whole test suite under ASan+UBSan
#   make fuzz-smoke build the libFuzzer harnesses (clang) and run each briefly
#   make check      test + asan + fuzz-smoke: what CI runs
#   make bench      the benchmarks against clamscan and yara (bench/)
#   make deb        the agent's Debian package (build/raquet_VERSION_amd64.deb)
BUILD ?= build
JOBS ?= $(shell nproc)
CMAKE_FLAGS ?=
FUZZ_SECONDS ?= 20

.PHONY: all build run test asan fuzz fuzz-smoke check bench deb clean

all: build

build:
	cmake -S . -B $(BUILD) -DRQ_WERROR=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

# exit status 1 means "something was found": the sweep itself succeeded
run: build
	scripts/run-local.sh $(BUILD)

# with a throwaway PostgreSQL cluster up, so the server store's tests run on both backends
test: build
	cd $(BUILD) && $(CURDIR)/scripts/with-pg.sh ctest --output-on-failure -j $(JOBS)

asan:
	$(MAKE) test BUILD=build-asan CMAKE_FLAGS="-DRQ_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug"

fuzz:
	cmake -S . -B build-fuzz -DCMAKE_C_COMPILER=clang -DRQ_FUZZ=ON -DRQ_TESTS=OFF -DRQ_WERROR=ON >/dev/null
	cmake --build build-fuzz -j $(JOBS)

fuzz-smoke: fuzz
	fuzz/smoke.sh build-fuzz $(FUZZ_SECONDS)

check: test asan fuzz-smoke

bench: build
	bench/run.sh

deb: build
	cd $(BUILD) && cpack

clean:
	rm -rf build build-asan build-fuzz
