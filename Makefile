# tether: one Makefile for the agent, the hub, the monitor and the tests.
#
#   make            release build in build/release
#   make demo       install missing packages, build, run the loopback demo
#   make check      install missing packages, build with ASan/UBSan, run every test
#   make bench      benchmarks, printed as tables (results kept in docs/performance.md)
#   make deb        Debian packages tether and tether-hub in build/deb/ (packaging/debian/)
#   make rpm        the RPM of the same files in build/rpm/ (packaging/rpm/tether.spec)
#
# MODE=release|test|fuzz picks the flavour; each has its own output folder.

MODE ?= release
O := build/$(MODE)

# The version has one home, the newest entry of the Debian changelog; `make deb VERSION=X`
# builds the packages of another version (the changelog of the build's copy gains an entry).
VERSION ?= $(shell head -n 1 packaging/debian/changelog | cut -d'(' -f2 | cut -d')' -f1)
ifeq ($(VERSION),)
$(error no version: the first line of packaging/debian/changelog must read "tether (VERSION) ...")
endif

ifeq ($(MODE),fuzz)
CC := clang
endif
CC ?= cc

WARNINGS := -Wall -Wextra -Wshadow -Wformat=2 -Wmissing-prototypes -Wvla -Werror
BASE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -I. $(WARNINGS) -fno-strict-aliasing -MMD -MP
SANITIZE := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(MODE),release)
MODE_CFLAGS := -O2 -g -fstack-protector-strong -D_FORTIFY_SOURCE=2
MODE_LDFLAGS :=
else ifeq ($(MODE),test)
# TETHER_TEST_HOOKS: hooks tests use to put the daemon into hard states (agent/daemon/test_hooks.h).
MODE_CFLAGS := -O1 -g $(SANITIZE) -DTETHER_TEST_HOOKS
MODE_LDFLAGS := $(SANITIZE)
else ifeq ($(MODE),fuzz)
MODE_CFLAGS := -O1 -g $(SANITIZE) -fsanitize=fuzzer-no-link -DFUZZING
MODE_LDFLAGS := $(SANITIZE)
else
$(error MODE must be release, test or fuzz)
endif

PKGS := libwebsockets libcurl libcjson sqlite3 libssl libcrypto libarchive libseccomp libcap libsystemd
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libev (no pkg-config file in Debian): the hub's epoll event loop under libwebsockets.
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lev -lpthread
# tether-monitor stays small: it links only what container set-up needs.
MONITOR_LIBS = $(shell pkg-config --libs libcjson libseccomp libcap 2>/dev/null)

CFLAGS_ALL = $(BASE_CFLAGS) -I$(O)/gen $(MODE_CFLAGS) $(PKG_CFLAGS) $(CFLAGS)
LDFLAGS_ALL = $(MODE_LDFLAGS) -Wl,--as-needed $(LDFLAGS)

# libcore: what every program may link; the agent's container lifecycle (runtime/) is agent-side.
CORE_SRC := $(wildcard common/*.c protocol/*.c cgroups/*.c image/*.c container/*.c logs/*.c)
AGENT_SRC := $(filter-out agent/main.c,$(wildcard agent/*.c agent/*/*.c runtime/*.c))
HUB_SRC := $(filter-out hub/main.c,$(wildcard hub/*.c hub/*/*.c))
MONITOR_SRC := $(filter-out monitor/main.c,$(wildcard monitor/*.c))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
FUZZ_SRC := $(wildcard tests/fuzz/fuzz-*.c)
BENCH_SRC := $(wildcard bench/*.c)
LOADGEN_SRC := $(wildcard bench/loadgen/*.c)

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))

BINARIES := $(O)/tether $(O)/tether-hub $(O)/tether-monitor
UNIT_TESTS := $(patsubst tests/unit/%.c,$(O)/tests/%,$(UNIT_SRC))
FUZZERS := $(patsubst tests/fuzz/%.c,$(O)/fuzz/%,$(FUZZ_SRC))
BENCH_TOOLS := $(patsubst bench/%.c,$(O)/bench/%,$(BENCH_SRC)) $(O)/bench/tether-loadgen

.PHONY: all deps demo check bench bench-tools clean install unit-tests fuzzers deb rpm dist print-version FORCE
.DEFAULT_GOAL := all

ifeq ($(MODE),fuzz)
all: $(FUZZERS)
else
all: $(BINARIES)
endif

# The version has a generated header of its own (included through common/version.h), rewritten
# only when the version changes: the files that include it are rebuilt then, and only they (a
# package build at another version recompiles a handful of files, not the whole tree).
VERSION_HEADER := $(O)/gen/tether_version.h
$(VERSION_HEADER): FORCE
	@mkdir -p $(dir $@)
	@echo '#define TETHER_VERSION "$(VERSION)"' | cmp -s - $@ || \
		echo '#define TETHER_VERSION "$(VERSION)"' >$@

$(O)/obj/%.o: %.c | $(VERSION_HEADER)
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(O)/libcore.a: $(call obj,$(CORE_SRC))
$(O)/libagent.a: $(call obj,$(AGENT_SRC))
$(O)/libhub.a: $(call obj,$(HUB_SRC))
$(O)/libmonitor.a: $(call obj,$(MONITOR_SRC))
$(O)/%.a:
	@mkdir -p $(dir $@)
	rm -f $@
	ar rcs $@ $^

$(O)/tether: $(call obj,agent/main.c) $(O)/libagent.a $(O)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/tether-hub: $(call obj,hub/main.c) $(O)/libhub.a $(O)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/tether-monitor: $(call obj,monitor/main.c) $(O)/libmonitor.a $(O)/libcore.a
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(MONITOR_LIBS)

$(O)/tests/test-%: $(call obj,tests/unit/test-%.c tests/unit/test.c) $(O)/libhub.a $(O)/libagent.a $(O)/libmonitor.a $(O)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

$(O)/fuzz/fuzz-%: $(call obj,tests/fuzz/fuzz-%.c) $(O)/libhub.a $(O)/libagent.a $(O)/libmonitor.a $(O)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -fsanitize=fuzzer -o $@ $^ $(PKG_LIBS)

# Each bench/NAME.c is one benchmark helper program, build/MODE/bench/NAME.
$(O)/bench/%: $(call obj,bench/%.c) $(O)/libhub.a $(O)/libagent.a $(O)/libmonitor.a $(O)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

# The hub benchmark's load generator (bench/loadgen/): simulated agents on the real protocol.
$(O)/bench/tether-loadgen: $(call obj,$(LOADGEN_SRC)) $(O)/libagent.a $(O)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(LDFLAGS_ALL) -o $@ $^ $(PKG_LIBS)

unit-tests: $(UNIT_TESTS) $(O)/tests/security-image/index.json $(O)/tests/busybox-image/index.json

# The plain busybox image, packed once here: busybox_image (tests/lib.sh) copies it, the same
# bytes the script would pack again (packing takes seconds in the VM, for each test that runs).
$(O)/tests/busybox-image/index.json: scripts/make-busybox-image.sh $(wildcard /bin/busybox)
	rm -rf $(dir $@)
	scripts/make-busybox-image.sh $(dir $@) >/dev/null

# A static program the security tests put into a container image, to see how system calls end
# there (seccomp, capabilities). Static and unsanitized: it runs inside any image. The image
# is built here once, not by each test (packing it takes half a minute in the VM).
$(O)/tests/syscall-probe: tests/probe/syscall-probe.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -D_GNU_SOURCE -O1 $(WARNINGS) -static -s -o $@ $<
PROBES := $(O)/tests/syscall-probe
ifeq ($(shell uname -m),x86_64)
# The same through the i386 ABI (int $$0x80), freestanding: no 32-bit C library needed.
PROBES += $(O)/tests/syscall-probe-i386
$(O)/tests/syscall-probe-i386: tests/probe/syscall-probe-i386.c
	@mkdir -p $(dir $@)
	$(CC) -m32 -std=gnu11 -O1 $(WARNINGS) -ffreestanding -nostdlib -static -fno-pic -no-pie \
		-fno-stack-protector -s -o $@ $<
endif
$(O)/tests/security-image/index.json: $(PROBES) scripts/make-busybox-image.sh
	rm -rf $(dir $@)
	EXTRA_BINARIES="$(PROBES)" scripts/make-busybox-image.sh $(dir $@) >/dev/null
bench-tools: $(BENCH_TOOLS)
.SECONDARY: $(call obj,$(BENCH_SRC))
fuzzers: $(FUZZERS)

# Missing Debian packages are installed on the spot (the two README commands run as root on
# a fresh Debian 12 machine).
deps:
	@scripts/install-deps.sh

demo: deps
	$(MAKE) MODE=release all
	scripts/demo.sh build/release

# The three builds use every core (JOBS=1 for a readable first error).
JOBS ?= $(shell nproc)
check: deps
	$(MAKE) -j$(JOBS) MODE=release all
	$(MAKE) -j$(JOBS) MODE=test all unit-tests
	$(MAKE) -j$(JOBS) MODE=fuzz fuzzers
	tests/run.sh

# Never pass/fail: prints tables. crun and runc (the peers) are installed only here.
bench:
	@scripts/install-deps.sh --bench
	$(MAKE) MODE=release all bench-tools
	bench/run.sh build/release

# DESTDIR=DIR installs into a tree (as the package builds do); without it, into this host.
install: all
	packaging/install-files.sh $(or $(DESTDIR),/) $(O)

# The packages are built from a copy of the source in build/deb/src, never in the tree itself:
# the copy gets packaging/debian as its debian/, dpkg-buildpackage builds it with debhelper, and
# the .debs, .buildinfo and .changes land in build/deb/. Tests are not run by the build
# (nocheck): they need root, namespaces and a VM, and run with `make check`. The copy is
# refreshed each time but its build folder is kept, and dpkg-buildpackage does not clean first
# (-nc): make rebuilds what changed, as in the tree, so a build at another version compiles
# only the files that include the version (a package's objects come from the same flags).
DEB_SRC := build/deb/src
deb:
	@scripts/install-deps.sh
	mkdir -p $(DEB_SRC)
	rm -f build/deb/*.deb build/deb/*.buildinfo build/deb/*.changes
	find $(DEB_SRC) -mindepth 1 -maxdepth 1 ! -name build -exec rm -rf {} +
	tar -cf - --exclude=./build --exclude=./.git . | tar -xf - -C $(DEB_SRC)
	cp -r packaging/debian $(DEB_SRC)/debian
	packaging/changelog-version.sh $(DEB_SRC)/debian/changelog $(VERSION)
	cd $(DEB_SRC) && DEB_BUILD_OPTIONS="nocheck parallel=2" dpkg-buildpackage -b -nc -us -uc
	lintian --fail-on error,warning \
		build/deb/tether_$(VERSION)_*.changes

print-version:
	@echo $(VERSION)

# The source tarball rpmbuild starts from, and the RPM built from it (--nodeps: the spec's
# BuildRequires name Fedora packages; here the Debian ones are installed instead).
dist:
	mkdir -p build/dist
	rm -rf build/dist/tether-$(VERSION)
	tar -cf - --exclude=./build --exclude=./.git \
		--transform 's,^\.,tether-$(VERSION),' . | gzip -n >build/dist/tether-$(VERSION).tar.gz

rpm: dist
	@scripts/install-deps.sh
	rm -rf build/rpm
	mkdir -p build/rpm/SOURCES
	cp build/dist/tether-$(VERSION).tar.gz build/rpm/SOURCES/
	rpmbuild -bb --nodeps --define '_topdir $(CURDIR)/build/rpm' \
		--define 'tether_version $(VERSION)' packaging/rpm/tether.spec

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)
