# Thin wrapper over CMake: `make demo` and `make test` do all set-up.
BUILD ?= build
JOBS ?= $(shell nproc)

# `make test-asan`: the whole suite with the project's code under ASan + UBSan
# (the build runs actc too, for the benchmarks' library).
ASAN_BUILD ?= build-asan
SANITIZE_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer
# A report aborts: exit status 1 would pass for an input error in the `not
# actc` tests, a crash fails them.
# Sanitized code runs several times slower: the limit tests get 60 s, not 10.
SANITIZE_ENV = ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
	UBSAN_OPTIONS=halt_on_error=1:abort_on_error=1:print_stacktrace=1 \
	ACTC_TEST_TIME_LIMIT=60

# `make fuzz FUZZ_SECONDS=600`: libFuzzer over the front end and the compiler.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
FUZZ_FLAGS ?= -timeout=10 -rss_limit_mb=4096 -print_final_stats=1

# `make install PREFIX=...`: what PACKAGE.md lists, under PREFIX.
PREFIX ?= /usr/local

.PHONY: all deps configure build test demo bench clean test-asan fuzz fuzz-deps install

all: build

deps:
	@scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null

build: configure
	@cmake --build $(BUILD) -j $(JOBS)

test: build
	@cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

demo: build
	@scripts/demo.sh $(BUILD)

install: build
	@cmake --install $(BUILD) --prefix $(PREFIX)

# CPU benchmarks against oneDNN, OpenBLAS and a copy; rewrites bench/README.md.
bench: build
	@bench/run.sh $(BUILD)

test-asan: deps
	@cmake -S . -B $(ASAN_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  "-DCMAKE_CXX_FLAGS=$(SANITIZE_FLAGS)" \
	  "-DCMAKE_EXE_LINKER_FLAGS=$(SANITIZE_FLAGS)" >/dev/null
	@$(SANITIZE_ENV) cmake --build $(ASAN_BUILD) -j $(JOBS)
	@cd $(ASAN_BUILD) && $(SANITIZE_ENV) ctest --output-on-failure -j $(JOBS)

fuzz-deps: deps
	@scripts/install-deps.sh clang-14 libclang-rt-14-dev

# The corpus grows in $(FUZZ_BUILD)/corpus; the seeds (every .act of the lit
# suite and std.act) are read from $(FUZZ_BUILD)/seeds; crashes, hangs and
# leaks are written to $(FUZZ_BUILD)/artifacts.
fuzz: fuzz-deps
	@cmake -S . -B $(FUZZ_BUILD) -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
	  -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DACTC_FUZZ=ON >/dev/null
	@cmake --build $(FUZZ_BUILD) -j $(JOBS) --target actc-fuzz
	@rm -rf $(FUZZ_BUILD)/seeds && mkdir -p $(FUZZ_BUILD)/seeds $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/artifacts
	@for f in $$(find test dsl -name '*.act'); do cp "$$f" "$(FUZZ_BUILD)/seeds/$$(echo $$f | tr / _)"; done
	$(FUZZ_BUILD)/bin/actc-fuzz $(FUZZ_BUILD)/corpus $(FUZZ_BUILD)/seeds \
	  -dict=test/fuzz/act.dict -max_total_time=$(FUZZ_SECONDS) $(FUZZ_FLAGS) \
	  -artifact_prefix=$(FUZZ_BUILD)/artifacts/

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
