# Glidepath — every entry point a user or CI needs. `make test` and `make demo` set up a fresh
# Debian machine by themselves (apt packages are installed only when missing).
SHELL := /bin/bash
DATA_DIR ?= $(abspath $(CURDIR)/../shared/data)
WEIGHTS_DIR ?= $(abspath $(CURDIR)/../shared/weights)
APT_PACKAGES := libopenblas-dev zlib1g-dev libsqlite3-dev sqlite3 dataset-fashion-mnist
# Fast build for the engine (see shared/reference/engine.md §4): flags on the command line, never
# unsafeFlags in Package.swift, so the package stays usable as a dependency.
RELEASE_FLAGS := -c release -Xswiftc -Ounchecked -Xcc -fno-math-errno -Xswiftc -target-cpu -Xswiftc haswell
TEST_ENV := GLIDEPATH_DATA_DIR=$(DATA_DIR) GLIDEPATH_WEIGHTS_DIR=$(WEIGHTS_DIR)

.PHONY: setup build release test demo bench bench-schedulers bench-engine clean

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

test: setup
	$(TEST_ENV) swift test

demo: release
	.build/release/glidepath demo --data-dir /usr/share/datasets/fashion-mnist

bench: bench-schedulers bench-engine

bench-schedulers: release
	.build/release/GlidepathBenchmarks schedulers

bench-engine: release
	bash scripts/bench-engine.sh

clean:
	rm -rf .build
