# dcvmail — plain Makefile with pkg-config.
#   make            build ./dcvmail
#   make check      build and run every test (SANITIZE=1: ASan+UBSan build)
#   make demo       classify and record the shipped sample mail, list the requests
#   make bench      speed and memory benchmarks
#   make fuzz       build the libFuzzer harnesses (clang)
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     rewrite the C sources as .clang-format says (make check tests it)

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DATADIR ?= $(PREFIX)/share/dcvmail
VERSION := 0.1.0

PKGS := libetpan libcurl libidn2 libpcre2-8 libcrypto sqlite3 libxml-2.0 jansson opendkim

# Install missing build dependencies on a fresh Debian machine (needs root).
DEPS_OK := $(shell pkg-config --exists $(PKGS) 2>/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
$(info dcvmail: build libraries missing, running contrib/install-deps)
$(shell sh contrib/install-deps >&2)
endif

# libetpan's pkg-config leaks a dpkg -specs= flag; drop it.
PKG_CFLAGS := $(filter-out -specs=%,$(shell pkg-config --cflags $(PKGS)))
PKG_LIBS   := $(filter-out -specs=%,$(shell pkg-config --libs $(PKGS)))

CC      ?= gcc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wstrict-prototypes
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = -std=c17 -D_GNU_SOURCE -DDCVMAIL_VERSION='"$(VERSION)"' \
	-DDCVMAIL_SYSCONFDIR='"$(SYSCONFDIR)"' -DDCVMAIL_DATADIR='"$(DATADIR)"' \
	-Isrc $(PKG_CFLAGS) $(WARN) $(CFLAGS)
LDLIBS  += $(PKG_LIBS) -lresolv -lm

ifeq ($(SANITIZE),1)
BUILD   := build-san
ALL_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
else
BUILD   := build
endif

# src/ holds one folder per stage, in flow order (README: Layout); client/ is
# the separate C-library-only dcvmail-pipe.
SRCS     := $(sort $(wildcard src/*.c $(filter-out src/client/%,$(wildcard src/*/*.c))))
LIB_SRCS := $(filter-out src/cmd/main.c,$(SRCS))
LIB_OBJS := $(LIB_SRCS:src/%.c=$(BUILD)/obj/%.o)
HDRS     := $(wildcard src/*.h src/*/*.h)
UNIT_SRCS := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/%)
HELPER_SRCS := $(sort $(wildcard tests/helpers/*.c))
HELPER_BINS := $(HELPER_SRCS:tests/helpers/%.c=$(BUILD)/tests/%)

PROG := $(BUILD)/dcvmail
# the Postfix pipe(8) client: C library only, so it starts in a millisecond
CLIENT := $(BUILD)/dcvmail-pipe

# Quiet by default; `make V=1` shows the commands.
ifneq ($(V),1)
Q = @
QCC = @echo "  CC      $@";
QLD = @echo "  LD      $@";
endif

.PHONY: all check demo bench fuzz install clean deps lint-rules format
all: $(PROG) $(CLIENT) dcvmail

dcvmail: $(PROG)
	@if [ "$(BUILD)" = build ]; then ln -sf $(PROG) dcvmail; fi

$(BUILD)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(PROG): $(BUILD)/obj/cmd/main.o $(LIB_OBJS)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# -Isrc for intake/pipe-proto.h (the wire format, static inline, C library only)
$(CLIENT): src/client/dcvmail-pipe.c src/intake/pipe-proto.h
	@mkdir -p $(@D)
	$(QLD)$(CC) -std=c17 -D_GNU_SOURCE -Isrc -DDCVMAIL_SYSCONFDIR='"$(SYSCONFDIR)"' -DDCVMAIL_BINDIR='"$(BINDIR)"' \
		$(WARN) $(CFLAGS) $(filter -fsanitize%,$(ALL_CFLAGS)) $(LDFLAGS) -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) tests/unit/unit.h
	@mkdir -p $(@D)
	$(QLD)$(CC) $(ALL_CFLAGS) -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD)/tests/%: tests/helpers/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(QLD)$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

deps:
	@sh contrib/install-deps

check: deps $(PROG) $(CLIENT) $(UNIT_BINS) $(HELPER_BINS)
	@BUILD=$(BUILD) SANITIZE=$(SANITIZE) sh tests/run $(TESTS)

demo: deps $(PROG)
	@sh contrib/demo $(PROG)

bench: deps $(PROG) $(CLIENT)
	@sh tests/bench/run $(PROG)

FUZZ_SRCS := $(wildcard tests/fuzz/fuzz-*.c)
fuzz: deps
	@$(MAKE) -f tests/fuzz/Makefile PKG_CFLAGS='$(PKG_CFLAGS)' PKG_LIBS='$(PKG_LIBS)'

install: $(PROG) $(CLIENT)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(SYSCONFDIR)/dcvmail/rules
	install -m 0755 $(PROG) $(DESTDIR)$(BINDIR)/dcvmail
	install -m 0755 $(CLIENT) $(DESTDIR)$(BINDIR)/dcvmail-pipe
	for f in man/*.5; do [ -f "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man5/; done; true
	for f in man/*.8; do [ -f "$$f" ] && install -m 0644 $$f $(DESTDIR)$(MANDIR)/man8/; done; true
	install -m 0644 rules/*.rules $(DESTDIR)$(SYSCONFDIR)/dcvmail/rules/
	[ -f $(DESTDIR)$(SYSCONFDIR)/dcvmail/dcvmail.conf ] || \
		install -m 0640 contrib/dcvmail.conf.example $(DESTDIR)$(SYSCONFDIR)/dcvmail/dcvmail.conf
	install -d $(DESTDIR)$(PREFIX)/lib/systemd/system
	sed -e 's|/usr/local/bin/|$(BINDIR)/|' -e 's|/etc/dcvmail/|$(SYSCONFDIR)/dcvmail/|' \
		contrib/systemd/dcvmail-watch.service >$(DESTDIR)$(PREFIX)/lib/systemd/system/dcvmail-watch.service

# the sources tests/t/lint.sh checks with clang-format --dry-run -Werror
FORMAT_SRCS := $(wildcard src/*.c src/*/*.c src/*/*.h src/*.h)
format: deps
	clang-format -i $(FORMAT_SRCS)

clean:
	rm -rf build build-san build-fuzz dcvmail
