# Glidepath — every entry point a user or CI needs. `make test` and `make demo` set up a fresh
# Debian machine by themselves (apt packages are installed only when missing).
SHELL := /bin/bash
DATA_DIR ?= $(abspath $(CURDIR)/../shared/data)
WEIGHTS_DIR ?= $(abspath $(CURDIR)/../shared/weights)
APT_PACKAGES := libopenblas-dev zlib1g-dev libsqlite3-dev sqlite3 dataset-fashion-mnist chromium slurm-wlm munge
# Fast build for the engine (docs/engine.md, "Design measurements"): flags on the command line, never
# unsafeFlags in Package.swift, so the package stays usable as a dependency.
RELEASE_FLAGS := -c release -Xswiftc -Ounchecked -Xcc -fno-math-errno -Xswiftc -target-cpu -Xswiftc haswell
TEST_ENV := GLIDEPATH_DATA_DIR=$(DATA_DIR) GLIDEPATH_WEIGHTS_DIR=$(WEIGHTS_DIR)
# The reference implementations for benchmarks and fixture generators (never a test or runtime
# dependency): an interpreter with torch. Default: a scratch venv made on first use.
BENCH_VENV := $(CURDIR)/.venv-bench
PYTHON ?= $(BENCH_VENV)/bin/python

.PHONY: format lint setup build release test demo bench bench-schedulers bench-engine bench-tasks bench-data bench-landscape bench-optimizers bench-python \
	fixtures fuzz clean

setup:
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; \
	fi

build: setup
	swift build

release: setup
	swift build $(RELEASE_FLAGS)

# The Swift tests, then the cluster path on a real single-node Slurm cluster (scripts/slurm-test.sh,
# docs/cluster.md): a job array with a killed-and-requeued task, merged, equal to a local study run.
# CI fails on unformatted code (`make format` fixes it), then runs every test and the Slurm cluster test.
test: setup lint
	$(TEST_ENV) swift test
	$(TEST_ENV) bash scripts/slurm-test.sh .build/debug/glidepath

demo: release
	.build/release/glidepath demo --store demo-runs.sqlite

bench: bench-schedulers bench-engine bench-data

# A scratch venv with torch (the default PYTHON), made only when PYTHON does not exist yet.
bench-python:
	@if [ ! -x "$(PYTHON)" ]; then \
	  echo "creating $(BENCH_VENV) with torch (set PYTHON=... to use another interpreter)"; \
	  python3 -m venv $(BENCH_VENV) && $(BENCH_VENV)/bin/pip install --quiet torch; \
	fi

# Closed-form lookup and DLRS step (100,000 losses x 100 groups) against PyTorch / pytorch-dlrs.
bench-schedulers: release bench-python
	PYTHON=$(PYTHON) .build/release/GlidepathBenchmarks schedulers

# The three peer workloads of docs/engine.md (MLP, CNN, BiLSTM) against PyTorch at 2 threads: steps/s, ratio, RSS.
bench-engine: release bench-python
	PYTHON=$(PYTHON) bash scripts/bench-engine.sh

# Every study task, a fixed number of updates (or one epoch), with `glidepath train` and with the same recipe in
# PyTorch, interleaved, at 2 and 1 threads: seconds per epoch (wall, CPU), ratio, peak RSS, validation accuracy.
bench-tasks: release bench-python
	PYTHON=$(PYTHON) GLIDEPATH_DATA_DIR=$(DATA_DIR) bash scripts/bench-tasks.sh

# One update of Adam and of each learning-rate-free optimizer against the reference packages, 1 and 2 threads
# (PYTHON must have torch, schedulefree, prodigyopt, dog-optimizer and dadaptation for the reference column).
bench-optimizers: release bench-python
	PYTHON=$(PYTHON) .build/release/GlidepathBenchmarks optimizers 1
	PYTHON=$(PYTHON) .build/release/GlidepathBenchmarks optimizers 2

# MNIST load time and CIFAR-10 batch time with augmentation.
bench-landscape: release bench-python
	@$(PYTHON) -c "import pyhessian, safetensors, scipy" 2>/dev/null || $(PYTHON) -m pip install --quiet pyhessian safetensors scipy
	PYTHON=$(PYTHON) GLIDEPATH_DATA_DIR=$(DATA_DIR) bash scripts/bench-landscape.sh

bench-data: release
	.build/release/GlidepathBenchmarks data $(DATA_DIR)

# Regenerate every reference fixture (PyTorch, pytorch-dlrs, scikit-learn, MLR-SNet, SciPy for the report).
fixtures: bench-python
	for script in scripts/fixtures/*.sh; do PYTHON=$(PYTHON) bash $$script || exit 1; done

# Short libFuzzer runs of every binary reader (data files and legacy .pth).
fuzz:
	bash scripts/fuzz-data.sh 60
	bash scripts/fuzz-pth.sh 60
	swift build --product glidepath
	bash scripts/fuzz-store.sh 60

clean:
	rm -rf .build .venv-bench

# The formatter is the toolchain's swift-format (`swift format`), configured by .swift-format: 4-space
# indentation and 120 columns like the code; the rules that would rewrite the code's deliberate style are
# off (`case let .x(a, b)` patterns, `;` between short statements, `var a = 0.0, b = 0.0`, and
# AlwaysUseLowerCamelCase, which would rename formula variables such as H, G, T, B and fixture fields that
# mirror Python keys). `make format` rewrites Sources, Tests and Package.swift in place; `make lint` fails
# on anything `make format` would change or any enabled rule's finding.
SWIFT_FORMAT_PATHS := Sources Tests Fuzz scripts/fuzz Package.swift

format:
	swift format format --in-place --recursive --parallel $(SWIFT_FORMAT_PATHS)

lint:
	swift format lint --strict --recursive --parallel $(SWIFT_FORMAT_PATHS)
