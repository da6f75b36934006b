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
