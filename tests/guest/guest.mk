# tests/guest/guest.mk - build the stickyos guest test programs.
#
# Included by the top-level Makefile, which must define (before the include):
#   BUILD        build output directory (e.g. build)
#   SETUP_STAMP  setup stamp file, used as an order-only prerequisite
#                (may be empty)
#
# Guests are ordinary static musl binaries: $(BUILD)/guest/<name> from
# tests/guest/<name>.c.  `make guests` builds them all.

GUEST_CC     ?= musl-gcc
GUEST_CFLAGS ?= -static -O2 -Wall -Wextra -Werror
GUEST_HDR    := tests/guest/guest.h

GUEST_SRC := $(wildcard tests/guest/*.c)
GUESTS    := $(patsubst tests/guest/%.c,$(BUILD)/guest/%,$(GUEST_SRC))

$(BUILD)/guest/%: tests/guest/%.c $(GUEST_HDR) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	$(GUEST_CC) $(GUEST_CFLAGS) -o $@ $<

.PHONY: guests
guests: $(GUESTS)

# One static-PIE build (of hello), to prove the loader relocates ET_DYN
# images (tools/testlib/exectests.py runs it). musl-gcc's specs always link
# Scrt1.o with a dynamic linker, so this links by hand against the same musl.
MUSL_LIB = $(shell sed -n 's|.*-specs "\(.*\)/musl-gcc.specs".*|\1|p' "$$(command -v $(GUEST_CC))")
GUEST_PIE := $(BUILD)/guest/hello_pie

$(GUEST_PIE): tests/guest/hello.c $(GUEST_HDR) | $(SETUP_STAMP)
	@mkdir -p $(@D)
	gcc -static-pie -fPIE -O2 -Wall -Wextra -Werror -nostdinc -nostdlib -nostartfiles \
	    -isystem /usr/include/x86_64-linux-musl -isystem "$$(gcc -print-file-name=include)" \
	    -o $@ $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $< -L$(MUSL_LIB) -lc "$$(gcc -print-libgcc-file-name)" $(MUSL_LIB)/crtn.o

guests: $(GUEST_PIE)

# Data the guest programs work on, made with this host's mke2fs, debugfs and
# gpg (tools/mkguestdata): packed as /data for programs with the metadata
# `data` (tools/testlib/debian.py).
GUEST_DATA := $(BUILD)/guest-data/.made
$(GUEST_DATA): tools/mkguestdata | $(SETUP_STAMP)
	rm -rf $(@D)
	tools/mkguestdata $(@D)
	@touch $@

guests: $(GUEST_DATA)

# A static Go binary (Debian's golang-go, no cgo): the Go runtime as a guest
# (tools/testlib/gotests.py). GOPROXY=off: it needs nothing but the standard library.
GO_GUEST := $(BUILD)/guest/go_runtime
$(GO_GUEST): tests/guest/go/go_runtime.go tests/guest/go/go.mod | $(SETUP_STAMP)
	@mkdir -p $(@D)
	cd tests/guest/go && CGO_ENABLED=0 GOPROXY=off GOFLAGS= GOPATH=$(abspath $(BUILD))/go \
		GOCACHE=$(abspath $(BUILD))/go-cache go build -trimpath -o $(abspath $@) .

guests: $(GO_GUEST)
