# dgm - deep generative models in dependency-free C++17.
#
#   make              library build/libdgm.a and the command build/dgm
#   make run          the main job: build, then run it on the full Fashion-MNIST (installed with
#                     apt-get as root when missing; else the subset shipped in datasets/)
#   make test         build and run the doctest suite (installs doctest-dev with apt-get as root)
#   make hashes       checkpoints of short seeded runs of every model, bit for bit (test/hashes.txt;
#                     also run by make test)
#   make sanitize     the suite under AddressSanitizer + UndefinedBehaviorSanitizer
#   make kernel-check the GEMM micro-kernels' generated code: register tile of FMAs, no stack spills
#                     (also run by make test)
#   make noexcept     compile the core with -fno-exceptions -fno-rtti -DDGM_NO_THREADS
#   make bench        GEMM (beside OpenBLAS, if libopenblas-dev is installed), the exported decoder's
#                     time per sample, and training-speed benchmarks
#   make data         install Debian's dataset-fashion-mnist (the full data set) and fortunes-ru
#                     (the CharRNN's full text, dgm train charrnn --data full)
#   make fuzz         libFuzzer targets for every parser (fuzz/), each run FUZZ_SECONDS (30) s
#   make test-aarch64 the suite cross-compiled for aarch64 and run under qemu-user (installs the tools)
#   make mcu-test     `dgm export` on a microcontroller: a VAE decoder cross-compiled for a
#                     Cortex-M4F and its self-test run on QEMU (installs the tools as root)
#   make CUDA=1       the same with the CUDA backend (src/backend/cuda.cu and cuda_conv.cu, nvcc, -lcudart) in
#                     build-cuda/; `make test CUDA=1` adds the CPU-vs-GPU tests, `make bench
#                     CUDA=1` benchmarks --device cuda. Without CUDA=1 nothing CUDA is compiled.
#
# Variables: CXX=clang++ (any C++17 compiler), BUILD=dir (build folder), PORTABLE=1 (no
# -march=native), WERROR=1 (warnings are errors, as in CI), SAN=1 (sanitizers), CUDA=1 (GPU
# backend; NVCC=path to nvcc, CUDA_ARCH=90 for the H100).
# No fast-math flags (nor the -O level that turns them on): they change exp/log results and NaN checks.

CXX      ?= g++
CUDA     ?= 0
BUILD    ?= $(if $(filter 1,$(CUDA)),build-cuda,build)
PORTABLE ?= 0
WERROR   ?= 0
SAN      ?= 0

SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=all
ARCH := $(if $(filter 1,$(PORTABLE)),,-march=native)
OPT  := $(if $(filter 1,$(SAN)),-O1 -g -fno-omit-frame-pointer $(SANFLAGS),-O2)
# -fno-trapping-math: dgm never reads the floating-point exception flags, and without it GCC 12
# does not turn the selects of vecmath.h's functions into blends on AVX2 (AVX-512 has masks), so
# the element-wise kernels stayed scalar there. It changes no result (no reassociation, no
# contraction: that would be -ffast-math). Clang assumes it already.
# Clang: -ffp-contract=off. g++ fuses a*b + c into an FMA (on FMA targets) after inlining, where
# the reference loop's `dx += dy * y` and the fast kernel's product (in an inlined lambda) and
# sum look alike; clang++ fuses only inside one source expression, so the two rounded
# differently (test/test_kernels.cpp checks them bit for bit). Without fusion they agree.
CLANG    := $(if $(findstring clang,$(shell $(CXX) --version 2>/dev/null | head -1)),1,0)
CXXFLAGS := -std=c++17 $(OPT) -fno-trapping-math $(if $(filter 1,$(CLANG)),-ffp-contract=off,) -Wall -Wextra $(ARCH) $(if $(filter 1,$(WERROR)),-Werror,) $(EXTRA_CXXFLAGS)
CPPFLAGS := -Iinclude -MMD -MP
LDFLAGS  := -pthread $(if $(filter 1,$(SAN)),$(SANFLAGS),)

# CUDA=1: -DDGM_CUDA everywhere, src/backend/cuda*.cu through nvcc for the H100 (sm_90, plus
# compute_90 PTX for newer GPUs), libcudart found next to nvcc and linked with an rpath.
ifeq ($(CUDA),1)
NVCC      ?= nvcc
CUDA_ARCH ?= 90
# nvcc's own bin folder, as nvcc reports it (_HERE_): `nvcc` on PATH may be a wrapper script.
NVCC_BIN  := $(shell $(NVCC) -dryrun -c -x cu /dev/null -o /dev/null 2>&1 | sed -n 's/^#\$$ _HERE_=//p')
CUDA_TOP  := $(patsubst %/bin,%,$(NVCC_BIN))
CUDA_LIB  := $(patsubst %/,%,$(dir $(firstword $(wildcard $(CUDA_TOP)/lib64/libcudart.so \
               $(CUDA_TOP)/targets/x86_64-linux/lib/libcudart.so $(CUDA_HOME)/lib64/libcudart.so))))
ifeq ($(CUDA_LIB),)
$(error CUDA=1: no libcudart.so found next to nvcc ('$(NVCC)', bin '$(NVCC_BIN)'); set NVCC=/path/to/cuda/bin/nvcc)
endif
NVCCFLAGS := -std=c++17 -O2 -Iinclude -DDGM_CUDA --extended-lambda \
             -gencode arch=compute_$(CUDA_ARCH),code=sm_$(CUDA_ARCH) \
             -gencode arch=compute_$(CUDA_ARCH),code=compute_$(CUDA_ARCH) \
             -Xcompiler -Wall,-Wextra $(if $(filter 1,$(WERROR)),-Werror all-warnings -Xcompiler -Werror,)
CPPFLAGS  += -DDGM_CUDA
LDFLAGS   += -L$(CUDA_LIB) -Wl,-rpath,$(CUDA_LIB) -lcudart
CU_SRC    := src/backend/cuda.cu src/backend/cuda_conv.cu
endif

# The core: tensor, autodiff, ops, optimizers, rng, and their CPU kernels. It must also compile
# without exceptions, RTTI and threads (`make noexcept`).
CORE_SRC := $(wildcard src/core/*.cpp src/backend/*.cpp)
LIB_SRC  := $(sort $(CORE_SRC) $(wildcard src/io/*.cpp src/data/*.cpp src/models/*.cpp src/theory/*.cpp src/run/*.cpp))
CLI_SRC  := $(wildcard src/cli/*.cpp)
TEST_SRC := $(wildcard test/*.cpp)
# The fuzz targets' functions (fuzz/targets.h): linked into the suite, which replays fuzz/corpus/
# and fuzz/regressions/ through them, and into each libFuzzer binary of `make fuzz`.
FUZZ_SRC := $(filter-out fuzz/libfuzzer.cpp fuzz/make_corpus.cpp,$(wildcard fuzz/*.cpp))

LIB_OBJ  := $(LIB_SRC:%.cpp=$(BUILD)/obj/%.o) $(CU_SRC:%.cu=$(BUILD)/obj/%.o)
CLI_OBJ  := $(CLI_SRC:%.cpp=$(BUILD)/obj/%.o)
TEST_OBJ := $(TEST_SRC:%.cpp=$(BUILD)/obj/%.o)
FUZZ_OBJ := $(FUZZ_SRC:%.cpp=$(BUILD)/obj/%.o)

LIB  := $(BUILD)/libdgm.a
DGM  := $(BUILD)/dgm
TEST := $(BUILD)/test_dgm

.PHONY: all run test hashes hash-build test-aarch64 sanitize kernel-check noexcept bench bench-quality data doctest mcu-test fuzz fuzz-build fuzz-corpus clean

all: $(DGM)

# `dgm --version` names the git commit it was built from (none without git, e.g. from a tarball).
# $(BUILD)/git-commit is rewritten only when the commit changes, so only then is version.o rebuilt.
GIT_COMMIT := $(shell test -e .git && git describe --always --dirty 2>/dev/null)
$(shell mkdir -p $(BUILD); echo '$(GIT_COMMIT)' | cmp -s - $(BUILD)/git-commit || echo '$(GIT_COMMIT)' > $(BUILD)/git-commit)
$(BUILD)/obj/src/run/version.o: $(BUILD)/git-commit
$(BUILD)/obj/src/run/version.o: CPPFLAGS += $(if $(GIT_COMMIT),-DDGM_GIT_COMMIT='"$(GIT_COMMIT)"')

$(BUILD)/obj/%.o: %.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -c $< -o $@

$(BUILD)/obj/%.o: %.cu
	@mkdir -p $(dir $@)
	$(NVCC) $(NVCCFLAGS) -MMD -MP -c $< -o $@

$(LIB): $(LIB_OBJ)
	@rm -f $@
	ar rcs $@ $^

$(DGM): $(CLI_OBJ) $(LIB)
	$(CXX) $(CXXFLAGS) $(CLI_OBJ) $(LIB) $(LDFLAGS) -o $@

$(TEST): $(TEST_OBJ) $(FUZZ_OBJ) $(LIB)
	$(CXX) $(CXXFLAGS) $(TEST_OBJ) $(FUZZ_OBJ) $(LIB) $(LDFLAGS) -o $@

# doctest comes from Debian's doctest-dev; install it when we can, else say how.
DOCTEST_H := /usr/include/doctest/doctest.h
doctest:
	@if [ ! -f $(DOCTEST_H) ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing doctest-dev with apt-get"; \
	    (apt-get install -y -qq doctest-dev >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq doctest-dev)) || exit 1; \
	  else echo "make test needs doctest: run 'sudo apt-get install doctest-dev'"; exit 1; fi; \
	fi

$(TEST_OBJ): | doctest

# The doctest suite, cli_smoke.sh and hashes.sh run at once (test/parallel.sh): each is mostly one
# core's work. HASHES=0 leaves hashes.sh out: CI's sanitizer step (clang++), whose make test step
# has compared the very same build-hash/dgm already (the hashes never come from the calling build).
HASHES ?= 1
test: doctest $(TEST) $(DGM) $(if $(filter 1,$(HASHES)),hash-build)
	test/layers.sh
	@if [ -x /usr/bin/python3 ]; then /usr/bin/python3 test/slide_citations.py; else echo "slide citations: no python3: skipped"; fi
ifneq ($(SAN),1)
	test/gemm_spills.sh $(BUILD)/obj/src/backend/gemm_kernels.o
endif
	test/parallel.sh "doctest=$(TEST)" "cli_smoke=test/cli_smoke.sh $(DGM)" \
	  $(if $(filter 1,$(HASHES)),"hashes=test/hashes.sh build-hash/dgm")
ifeq ($(CUDA),1)
	@$(TEST) -tc='cuda: *' -s 2>&1 | grep -q 'no CUDA device' && \
	  echo '*** make test CUDA=1: NO CUDA DEVICE HERE: the CPU-vs-GPU tests (test/test_cuda.cpp) were SKIPPED ***' && \
	  echo '*** (test/mock_cuda.sh runs them on a mock GPU: the device paths, not the GPU itself) ***' || true
endif

sanitize:
	$(MAKE) BUILD=build-san SAN=1 test

# Behaviour kept bit for bit: short seeded runs of every model kind, their checkpoints' sha256
# against test/hashes.txt. Always the same binary, whatever this make's CXX, SAN or CUDA:
# g++, PORTABLE=1, -O2, in build-hash/ (test/hashes.sh says why, and when the bits compare).
hashes: hash-build
	test/hashes.sh build-hash/dgm
hash-build:
	@$(MAKE) --no-print-directory BUILD=build-hash CXX=g++ PORTABLE=1 SAN=0 CUDA=0 WERROR=0 EXTRA_CXXFLAGS= build-hash/dgm

# The generated code of gemm's micro-kernels: all FMAs on registers, no stack spills in the k loop.
kernel-check: $(BUILD)/obj/src/backend/gemm_kernels.o
	test/gemm_spills.sh $<

noexcept:
	@mkdir -p $(BUILD)/noexcept
	@for f in $(CORE_SRC); do \
	  echo "$(CXX) -fno-exceptions -fno-rtti -DDGM_NO_THREADS $$f"; \
	  $(CXX) -std=c++17 -O2 -Wall -Wextra -Werror -fno-exceptions -fno-rtti -DDGM_NO_THREADS -Iinclude \
	    -c $$f -o $(BUILD)/noexcept/$$(echo $$f | tr / _).o || exit 1; \
	done
	@echo "noexcept: the core compiles with -fno-exceptions -fno-rtti -DDGM_NO_THREADS"

# Each configuration in its own process, so peak memory is per configuration.
bench: $(DGM)
ifeq ($(CUDA),1)
	$(DGM) bench gemm --device cuda
	$(DGM) bench vae --device cuda
	$(DGM) bench gan --device cuda
else
	$(DGM) bench gemm
	@if [ -f /usr/include/x86_64-linux-gnu/cblas.h ] || [ -f /usr/include/cblas.h ]; then \
	  $(MAKE) --no-print-directory $(BLAS_BENCH) && $(BLAS_BENCH) > $(BUILD)/bench-gemm-openblas.txt && cat $(BUILD)/bench-gemm-openblas.txt; \
	else rm -f $(BUILD)/bench-gemm-openblas.txt; \
	  echo "bench: no cblas.h (apt-get install libopenblas-dev): the gemm-beside-OpenBLAS table is skipped"; fi
	@mkdir -p $(BUILD)/bench-export
	$(DGM) train vae --epochs 1 --out $(BUILD)/bench-export/vae > $(BUILD)/bench-export/train.log
	@for w in float int8; do \
	  $(DGM) export --ckpt $(BUILD)/bench-export/vae/model.safetensors --weights $$w --out $(BUILD)/bench-export/decoder_$$w.h >/dev/null && \
	  cc -std=c99 -O2 -DDGM_HEADER="\"$(abspath $(BUILD))/bench-export/decoder_$$w.h\"" bench/export_decode_time.c -lm \
	    -o $(BUILD)/bench-export/time_$$w && echo "$$w weights, cc -O2:" && $(BUILD)/bench-export/time_$$w || exit 1; \
	done
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then \
	  echo "its peer, PyTorch at batch 1:" && OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/vae_pytorch.py --decode-us --threads 1; \
	else echo "bench: no python3-torch: the PyTorch batch-1 decoder is skipped"; fi
	$(DGM) bench vae --threads 1
	$(DGM) bench vae --threads 2
	$(DGM) bench gan --threads 1
	$(DGM) bench gan --threads 2
	$(DGM) bench charrnn --threads 1
	$(DGM) bench charrnn --threads 2
	$(DGM) bench dcgan --threads 1
	$(DGM) bench dcgan --threads 2
	$(DGM) bench conv-vae --threads 1
	$(DGM) bench conv-vae --threads 2
	@if /usr/bin/python3 -c 'import torch' 2>/dev/null; then \
	  d=$$([ -f /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte.gz ] || [ -f /usr/share/datasets/fashion-mnist/train-labels-idx1-ubyte ] && echo /usr/share/datasets/fashion-mnist || echo datasets/fashion-mnist-subset); \
	  for t in 1 2; do \
	    echo "PyTorch references, $$t thread(s), data $$d (OMP_WAIT_POLICY=PASSIVE; the CharRNN also as is):"; \
	    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/charrnn_torch.py --iters 100 --threads $$t | tail -1 && \
	    /usr/bin/python3 docs/reference/charrnn_torch.py --iters 100 --threads $$t | tail -1 && \
	    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/dcgan_pytorch.py --data $$d --epochs 1 --threads $$t && \
	    OMP_WAIT_POLICY=PASSIVE /usr/bin/python3 docs/reference/conv_vae_pytorch.py --data $$d --epochs 1 --threads $$t || exit 1; \
	  done; \
	else echo "bench: no python3-torch: the PyTorch CharRNN / DCGAN / conv-VAE references are skipped"; fi
	bench/peers.sh $(DGM) 3 $(BUILD)/bench-gemm-openblas.txt
endif

# dgm's gemm beside OpenBLAS's sgemm (bench/gemm_vs_openblas.cpp): Debian's libopenblas is linked
# into this benchmark only, never into the library or the dgm command.
BLAS_BENCH := $(BUILD)/bench_gemm_openblas
$(BLAS_BENCH): bench/gemm_vs_openblas.cpp $(LIB)
	$(CXX) -Iinclude $(CXXFLAGS) $< $(LIB) -lopenblas $(LDFLAGS) -o $@

bench-quality: $(DGM)
	$(DGM) bench-quality

APT_FASHION = (apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1 || \
  (apt-get update -qq && apt-get install -y -qq dataset-fashion-mnist >/dev/null 2>&1))
data:
	@if [ ! -d /usr/share/datasets/fashion-mnist ]; then \
	  if [ "$$(id -u)" = 0 ]; then $(APT_FASHION); \
	  else echo "run 'sudo apt-get install dataset-fashion-mnist'"; exit 1; fi; \
	fi
	@ls -l /usr/share/datasets/fashion-mnist
	@if [ ! -d /usr/share/games/fortunes/ru ]; then \
	  if [ "$$(id -u)" = 0 ]; then (apt-get install -y -qq fortunes-ru >/dev/null 2>&1 || \
	    (apt-get update -qq && apt-get install -y -qq fortunes-ru >/dev/null 2>&1)); \
	  else echo "run 'sudo apt-get install fortunes-ru'"; exit 1; fi; \
	fi
	@du -sh /usr/share/games/fortunes/ru

# The microcontroller check: the default VAE (784-400-20) and the convolutional VAE (--arch conv:
# fc, two transposed convolutions; 397 KB of float weights) trained one epoch on the shipped
# subset, each decoder exported (dgm export) with float and int8 weights, test/export_selftest.c
# built with it for a Cortex-M4F (Thumb, single-precision hard float, -O2, no C library start-up:
# test/mcu/startup.c, test/mcu/mps2.ld) and run on QEMU's mps2-an386 board: the self-test's exit
# status is the target's own verdict.
MCU_CC   ?= arm-none-eabi-gcc
MCU_QEMU ?= qemu-system-arm
MCU_DIR  := $(BUILD)/mcu
MCU_PKGS := gcc-arm-none-eabi libnewlib-arm-none-eabi qemu-system-arm
mcu-test: $(DGM)
	@if ! command -v $(MCU_CC) >/dev/null || ! command -v $(MCU_QEMU) >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(MCU_PKGS) with apt-get"; \
	    (apt-get install -y -qq --no-install-recommends $(MCU_PKGS) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq --no-install-recommends $(MCU_PKGS) >/dev/null)) || exit 1; \
	  else echo "make mcu-test needs: sudo apt-get install $(MCU_PKGS)"; exit 1; fi; \
	fi
	@mkdir -p $(MCU_DIR)
	$(DGM) train vae --epochs 1 --out $(MCU_DIR)/vae --force > $(MCU_DIR)/train.log
	$(DGM) train vae --arch conv --epochs 1 --batch 500 --iw 1 --out $(MCU_DIR)/conv-vae --force > $(MCU_DIR)/train-conv.log
	@for m in vae conv-vae; do for w in float int8; do \
	  echo "== $$m decoder, $$w weights"; \
	  $(DGM) export --ckpt $(MCU_DIR)/$$m/model.safetensors --weights $$w --out $(MCU_DIR)/$${m}_decoder_$$w.h && \
	  $(MCU_CC) -std=c99 -pedantic -Wall -Wextra -Wdouble-promotion -Werror -O2 \
	    -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -nostartfiles -T test/mcu/mps2.ld \
	    -DDGM_MCU -DDGM_HEADER="\"$(abspath $(MCU_DIR))/$${m}_decoder_$$w.h\"" \
	    test/mcu/startup.c test/export_selftest.c -lm -o $(MCU_DIR)/selftest_$${m}_$$w.elf && \
	  $(MCU_CC:gcc=size) $(MCU_DIR)/selftest_$${m}_$$w.elf && \
	  timeout 300 $(MCU_QEMU) -M mps2-an386 -icount shift=0 -nographic -monitor none -serial none \
	    -semihosting-config enable=on,target=native -kernel $(MCU_DIR)/selftest_$${m}_$$w.elf || exit 1; \
	done; done
	@echo "mcu-test: the exported MLP and conv VAE decoders (float and int8 weights) passed their self-tests on a Cortex-M4F (QEMU mps2-an386)"

# The main job on the full Fashion-MNIST: as root, `make run` installs Debian's
# dataset-fashion-mnist into FASHION_DIR when it is missing (as `make test` installs doctest);
# without root or network, `dgm run` falls back to the subset shipped in datasets/ and says so,
# on the console and on the page. FASHION_DIR=/elsewhere points it at another copy.
FASHION_DIR ?= /usr/share/datasets/fashion-mnist
run: $(DGM)
	@if [ ! -f $(FASHION_DIR)/t10k-labels-idx1-ubyte.gz ] && [ "$(FASHION_DIR)" = /usr/share/datasets/fashion-mnist ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing dataset-fashion-mnist with apt-get (the full Fashion-MNIST, 30 MB)"; \
	    $(APT_FASHION) || echo "make run: could not install dataset-fashion-mnist (no network?)"; \
	  else echo "make run: not root, so the full Fashion-MNIST is not installed (sudo apt-get install dataset-fashion-mnist)"; fi; \
	fi
	$(DGM) run --out out --data $(FASHION_DIR)

# The suite on another platform: cross-compiled for aarch64 (Debian's g++-aarch64-linux-gnu,
# PORTABLE=1, in build-aarch64/) and run under qemu-user (installs the tools as root when
# missing). CI passes WERROR=1. The suite holds every check of `dgm theory` (test_theory_report.cpp
# takes them from the registry), so the dgm binary there runs two quick ones only, to show it works.
A64_CXX  ?= aarch64-linux-gnu-g++
A64_QEMU ?= qemu-aarch64 -L /usr/aarch64-linux-gnu
A64_PKGS := g++-aarch64-linux-gnu qemu-user
# qemu-user runs one emulated thread per host thread: the suite is cut into A64_SHARDS ranges of
# test cases, A64_JOBS of them running at once (test/shards.sh), to keep both cores busy, each
# with DGM_THREADS=1 (two ranges already fill two cores; an emulated worker's spin-wait would only
# take time from the other range). The tests of thread counts set theirs explicitly. 16 ranges,
# not 8: a range holding two of the slowest cases (each about a minute under qemu) no longer ends
# last alone (the suite at 2cad5c6 under qemu: 422 s with 8 ranges, 318 s with 16, 2 at a time).
A64_SHARDS ?= 16
A64_JOBS ?= 2
test-aarch64:
	@if ! command -v $(A64_CXX) >/dev/null || ! command -v $(firstword $(A64_QEMU)) >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing $(A64_PKGS) with apt-get"; \
	    (apt-get install -y -qq --no-install-recommends $(A64_PKGS) >/dev/null 2>&1 || \
	     (apt-get update -qq && apt-get install -y -qq --no-install-recommends $(A64_PKGS) >/dev/null)) || exit 1; \
	  else echo "make test-aarch64 needs: sudo apt-get install $(A64_PKGS)"; exit 1; fi; \
	fi
	$(MAKE) BUILD=build-aarch64 CXX=$(A64_CXX) PORTABLE=1 build-aarch64/test_dgm build-aarch64/dgm
	DGM_THREADS=1 test/shards.sh "$(A64_QEMU)" build-aarch64/test_dgm $(A64_SHARDS) $(A64_JOBS) build-aarch64
	$(A64_QEMU) build-aarch64/dgm theory entropy kl | tail -1
	@echo "test-aarch64: the suite (with every dgm theory check) passed on aarch64 (qemu-user)"

# The fuzz targets (fuzz/targets.h), one libFuzzer binary each in build-fuzz/fuzz/, built with
# clang++ -fsanitize=fuzzer,address,undefined (the library with fuzzer-no-link coverage). Each runs
# FUZZ_SECONDS seconds from the seeds in fuzz/corpus/<t>/ and fuzz/regressions/<t>/ (new inputs go
# to build-fuzz/corpus/<t>/, findings to build-fuzz/findings/); any finding fails the target.
# A finding, once fixed, goes into fuzz/regressions/<t>/, which `make test` replays.
FUZZ_TARGETS := inflate_raw gunzip zlib idx_images idx_labels safetensors safetensors_header checkpoint config_text flags
FUZZ_SECONDS ?= 30
# FUZZ_JOBS targets run at once (fuzz/run.sh), one core each.
FUZZ_JOBS    ?= 2
FUZZ_CXX     ?= clang++
FUZZ_BIN     := $(FUZZ_TARGETS:%=$(BUILD)/fuzz/%)
fuzz-build: $(FUZZ_BIN)
# Regenerates the seeds in fuzz/corpus/ (fuzz/make_corpus.py, then fuzz/make_corpus.cpp).
fuzz-corpus: $(BUILD)/obj/fuzz/make_corpus.o $(FUZZ_OBJ) $(LIB)
	$(CXX) $(CXXFLAGS) $^ $(LDFLAGS) -o $(BUILD)/make_corpus
	/usr/bin/python3 fuzz/make_corpus.py
	$(BUILD)/make_corpus
$(BUILD)/obj/fuzz/libfuzzer_%.o: fuzz/libfuzzer.cpp
	@mkdir -p $(dir $@)
	$(CXX) $(CPPFLAGS) $(CXXFLAGS) -DDGM_FUZZ_TARGET=$* -c $< -o $@
$(BUILD)/fuzz/%: $(BUILD)/obj/fuzz/libfuzzer_%.o $(FUZZ_OBJ) $(LIB)
	@mkdir -p $(dir $@)
	$(CXX) $(CXXFLAGS) -fsanitize=fuzzer $^ $(LDFLAGS) -o $@
fuzz:
	$(MAKE) BUILD=build-fuzz CXX=$(FUZZ_CXX) SAN=1 PORTABLE=1 EXTRA_CXXFLAGS=-fsanitize=fuzzer-no-link fuzz-build
	@fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_JOBS) $(FUZZ_TARGETS)

clean:
	rm -rf build build-* out

-include $(LIB_OBJ:.o=.d) $(CLI_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(FUZZ_OBJ:.o=.d)
