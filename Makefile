# Tide: the two commands that matter are `make demo` and `make check`.
# Everything is built by meson in build/; this file only wraps it.

BUILD ?= build
MESON_OPTS ?=
# Debian packages the build, the tests, the docs and the demo need.
DEB_PACKAGES := build-essential meson ninja-build pkg-config \
	libglib2.0-dev libjson-glib-dev liburcu-dev python3 \
	qemu-system-x86 hyperfine \
	clang libclang-rt-14-dev \
	linux-image-amd64 busybox-static cpio gnuplot-nox

.PHONY: all deps check check-unit check-qtest check-guest bench demo clean \
	fuzz fuzz-short

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) $(MESON_OPTS)

# Idempotent: runs apt-get (update first) only when a package is missing.
deps:
	@missing=$$(for p in $(DEB_PACKAGES); do \
		dpkg-query -W -f='$${Status}\n' $$p 2>/dev/null | grep -q '^install ok installed' || echo $$p; \
	done); \
	if [ -z "$$missing" ]; then echo "deps: all $(words $(DEB_PACKAGES)) packages present"; exit 0; fi; \
	echo "deps: installing $$missing"; \
	SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	$$SUDO apt-get update -qq && \
	DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing

check: all
	meson test -C $(BUILD) --print-errorlogs; rc=$$?; \
	if command -v clang >/dev/null; then $(MAKE) --no-print-directory fuzz-short || rc=1; fi; \
	python3 scripts/test-summary.py $(BUILD)/meson-logs/testlog.json; exit $$rc

# libFuzzer builds of the fuzz targets (clang), in build-fuzz/.
FUZZ_BUILD ?= build-fuzz
FUZZ_SECONDS ?= 60
$(FUZZ_BUILD)/build.ninja:
	CC=clang meson setup $(FUZZ_BUILD) -Dfuzzing=true \
		-Db_sanitize=address,undefined -Db_lundef=false

fuzz: $(FUZZ_BUILD)/build.ninja
	ninja -C $(FUZZ_BUILD) tests/fuzz/fuzz-virtio-mem

# A short run: part of `make check` when clang is present.
fuzz-short: fuzz
	mkdir -p $(FUZZ_BUILD)/corpus/virtio-mem
	$(FUZZ_BUILD)/tests/fuzz/fuzz-virtio-mem -max_total_time=$(FUZZ_SECONDS) \
		-max_len=512 $(FUZZ_BUILD)/corpus/virtio-mem tests/fuzz/corpus/virtio-mem

check-unit: all
	meson test -C $(BUILD) --suite unit --print-errorlogs

check-qtest: all
	meson test -C $(BUILD) --suite qtest --print-errorlogs

# Real Linux guests (tests/guest/run.sh): directly on /dev/kvm, or nested
# in an L1 VM under qemu-system-x86_64 -accel tcg -cpu max when it is absent.
check-guest: all
	meson test -C $(BUILD) --suite guest --print-errorlogs --verbose

bench: all
	meson test -C $(BUILD) --benchmark --print-errorlogs --verbose

demo: deps all
	scripts/demo.sh $(BUILD)

clean:
	rm -rf $(BUILD)
