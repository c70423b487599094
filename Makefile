# dcvmail — plain Makefile with pkg-config.
#   make            build ./dcvmail
#   make check      build and run every test (SANITIZE=1: ASan+UBSan build)
#   make demo       classify and record the shipped sample mail, list the requests
#   make bench      speed and memory benchmarks
#   make fuzz       build the libFuzzer harnesses (clang)
#   make install    PREFIX=/usr/local DESTDIR=
#   make format     rewrite the C sources as .clang-format says (make check tests it)
#   make deb        build the Debian package into build/deb/ (DEBDIR=)

PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
LIBEXECDIR ?= $(PREFIX)/libexec
MANDIR  ?= $(PREFIX)/share/man
SYSCONFDIR ?= /etc
DATADIR ?= $(PREFIX)/share/dcvmail
DOCDIR  ?= $(PREFIX)/share/doc/dcvmail
UNITDIR ?= $(PREFIX)/lib/systemd/system
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
# the group that may read the config (installed root:GROUP 0640 when it exists)
DCVMAIL_GROUP ?= dcvmail
DEBDIR  ?= build/deb
VERSION := 0.1.0

# linked: cheap to load (jansson has inline functions)
PKGS := libidn2 libpsl libpcre2-8 nettle sqlite3 jansson
# headers only, loaded with dlopen when first needed, so that a command that
# never parses mail, talks IMAP/SMTP/HTTP or verifies DKIM does not pay for
# them (and their GnuTLS, krb5, LDAP, ...) at start-up (issue 19):
# libetpan, libcurl, opendkim, libcrypto by src/base/dl.c (lib-*.h);
# libpq by src/ledger/store-pg.c when a postgresql ledger is configured;
# libxml2 by src/mail/html.c for the first HTML part.
LAZYPKGS := libetpan libcurl opendkim libcrypto
DLPKGS := $(LAZYPKGS) libpq libxml-2.0

# Install missing build dependencies on a fresh Debian machine (needs root).
DEPS_OK := $(shell pkg-config --exists $(PKGS) $(DLPKGS) 2>/dev/null && echo yes)
ifneq ($(DEPS_OK),yes)
$(info dcvmail: build libraries missing, running contrib/install-deps)
$(shell sh contrib/install-deps >&2)
endif

# libetpan's pkg-config leaks a dpkg -specs= flag; drop it.
PKG_CFLAGS := $(filter-out -specs=%,$(shell pkg-config --cflags $(PKGS) $(DLPKGS)))
PKG_LIBS   := $(filter-out -specs=%,$(shell pkg-config --libs $(PKGS)))
# The SONAME of a library of the build (dl.c opens exactly that file):
# $(call soname,pkg-config package,default)
soname = $(or $(shell f=$$(pkg-config --variable=libdir $(1))/lib$$(pkg-config --libs-only-l $(1) | \
	sed 's/^-l//;s/ .*//').so; objdump -p "$$f" 2>/dev/null | sed -n 's/^ *SONAME *//p'),$(2))
LAZY_SONAMES := -DDCVMAIL_LIBETPAN='"$(call soname,libetpan,libetpan.so.20)"' \
	-DDCVMAIL_LIBCURL='"$(call soname,libcurl,libcurl-gnutls.so.4)"' \
	-DDCVMAIL_LIBOPENDKIM='"$(call soname,opendkim,libopendkim.so.11)"' \
	-DDCVMAIL_LIBCRYPTO='"$(call soname,libcrypto,libcrypto.so.3)"'

CC      ?= gcc
OPT     ?= -O2
WARN    := -Wall -Wextra -Wshadow -Wno-unused-parameter -Wformat=2 -Wstrict-prototypes
CFLAGS  ?= $(OPT) -g
ALL_CFLAGS = $(CPPFLAGS) -std=c17 -D_GNU_SOURCE -DDCVMAIL_VERSION='"$(VERSION)"' \
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

.PHONY: all check demo bench fuzz install deb clean deps lint-rules format FORCE
all: $(PROG) $(CLIENT) dcvmail

dcvmail: $(PROG)
	@if [ "$(BUILD)" = build ]; then ln -sf $(PROG) dcvmail; fi

# The installation paths are compiled in (config.c, main.c, dcvmail-pipe.c):
# they are rebuilt when `make install PREFIX=...` names other paths than the
# build did, so installed programs never look in the wrong place.
PATHS := $(SBINDIR) $(SYSCONFDIR) $(DATADIR)
$(BUILD)/paths: FORCE
	@mkdir -p $(@D)
	@echo '$(PATHS)' | cmp -s - $@ 2>/dev/null || echo '$(PATHS)' >$@
$(BUILD)/obj/config-setup.o $(BUILD)/obj/cmd/main.o $(BUILD)/obj/cmd/cmd-confcheck.o $(CLIENT): $(BUILD)/paths
FORCE:

$(BUILD)/obj/base/dl.o: ALL_CFLAGS += $(LAZY_SONAMES)

$(BUILD)/obj/%.o: src/%.c $(HDRS)
	@mkdir -p $(@D)
	$(QCC)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(PROG): $(BUILD)/obj/cmd/main.o $(LIB_OBJS)
	$(QLD)$(CC) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# -Isrc for intake/pipe-proto.h (the wire format, static inline, C library only)
$(CLIENT): src/client/dcvmail-pipe.c src/intake/pipe-proto.h
	@mkdir -p $(@D)
	$(QLD)$(CC) $(CPPFLAGS) -std=c17 -D_GNU_SOURCE -Isrc -DDCVMAIL_SYSCONFDIR='"$(SYSCONFDIR)"' -DDCVMAIL_BINDIR='"$(SBINDIR)"' \
		$(WARN) $(CFLAGS) $(filter -fsanitize%,$(ALL_CFLAGS)) $(LDFLAGS) -o $@ $<

# the test programs build without a warning: one there is a test that does
# not test what it says (a hex escape that swallowed the next letter did)
$(BUILD)/tests/%: tests/unit/%.c $(LIB_OBJS) tests/unit/unit.h
	@mkdir -p $(@D)
	$(QLD)$(CC) $(ALL_CFLAGS) -Werror -Itests/unit $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

$(BUILD)/tests/%: tests/helpers/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	$(QLD)$(CC) $(ALL_CFLAGS) -Werror $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LDLIBS)

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

# Layout (README: Install): programs in SBINDIR and LIBEXECDIR/dcvmail, the
# shipped rules in DATADIR/rules, local rules (empty) and the config in
# SYSCONFDIR/dcvmail, docs and examples in DOCDIR, systemd units, sysusers.d
# and tmpfiles.d entries. An existing config is never replaced.
install: $(PROG) $(CLIENT)
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(LIBEXECDIR)/dcvmail \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man8 \
		$(DESTDIR)$(DATADIR)/rules $(DESTDIR)$(SYSCONFDIR)/dcvmail/rules \
		$(DESTDIR)$(DOCDIR)/postfix $(DESTDIR)$(DOCDIR)/systemd $(DESTDIR)$(DOCDIR)/samples \
		$(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(TMPFILESDIR)
	install -m 0755 $(PROG) $(DESTDIR)$(SBINDIR)/dcvmail
	install -m 0755 $(CLIENT) $(DESTDIR)$(LIBEXECDIR)/dcvmail/dcvmail-pipe
	install -m 0644 man/*.5 $(DESTDIR)$(MANDIR)/man5/
	install -m 0644 man/*.8 $(DESTDIR)$(MANDIR)/man8/
	install -m 0644 rules/*.rules $(DESTDIR)$(DATADIR)/rules/
	install -m 0644 contrib/rules-local.README $(DESTDIR)$(SYSCONFDIR)/dcvmail/rules/README
	[ -f $(DESTDIR)$(SYSCONFDIR)/dcvmail/dcvmail.conf ] || { \
		install -m 0640 contrib/dcvmail.conf.example $(DESTDIR)$(SYSCONFDIR)/dcvmail/dcvmail.conf && \
		if [ -z "$(DESTDIR)" ] && [ "$$(id -u)" = 0 ] && getent group $(DCVMAIL_GROUP) >/dev/null; then \
			chgrp $(DCVMAIL_GROUP) $(SYSCONFDIR)/dcvmail/dcvmail.conf; fi; }
	install -m 0644 README.md $(DESTDIR)$(DOCDIR)/
	install -m 0644 contrib/dcvmail.conf.example $(DESTDIR)$(DOCDIR)/
	install -m 0644 contrib/postfix/README contrib/postfix/main.cf contrib/postfix/master.cf $(DESTDIR)$(DOCDIR)/postfix/
	install -m 0644 contrib/systemd/README $(DESTDIR)$(DOCDIR)/systemd/
	install -d $(DESTDIR)$(DOCDIR)/cron
	install -m 0644 contrib/cron/dcvmail $(DESTDIR)$(DOCDIR)/cron/
	for f in $$(grep -v '^#' contrib/samples.list); do \
		install -m 0644 tests/corpus/ca/$$f $(DESTDIR)$(DOCDIR)/samples/ || exit 1; done
	for u in contrib/systemd/*.service contrib/systemd/*.timer; do \
		sed -e 's|/usr/local/sbin/|$(SBINDIR)/|' -e 's|/etc/dcvmail/|$(SYSCONFDIR)/dcvmail/|' \
			$$u >$(DESTDIR)$(UNITDIR)/$${u##*/} && chmod 0644 $(DESTDIR)$(UNITDIR)/$${u##*/} || exit 1; done
	install -m 0644 contrib/systemd/dcvmail.sysusers $(DESTDIR)$(SYSUSERSDIR)/dcvmail.conf
	install -m 0644 contrib/systemd/dcvmail.tmpfiles $(DESTDIR)$(TMPFILESDIR)/dcvmail.conf
	@for f in rules/*.rules; do [ ! -f $(DESTDIR)$(SYSCONFDIR)/dcvmail/$$f ] || \
		echo "dcvmail: note: $(SYSCONFDIR)/dcvmail/$$f replaces the shipped $(DATADIR)/$$f" \
		     "(a copy left by an older install? remove it to use the shipped rules)"; done

# The .deb (debian/, debhelper) is built from a copy of the source in DEBDIR,
# so that neither the tree nor its parent directory gets build output; this
# make's variables are not passed on (the package sets its own paths).
DEB_SRC := Makefile README.md src rules man contrib debian tests/corpus/ca
deb:
	rm -rf $(DEBDIR)/dcvmail-$(VERSION) $(DEBDIR)/dcvmail_$(VERSION)_* $(DEBDIR)/dcvmail-dbgsym_$(VERSION)_*
	mkdir -p $(DEBDIR)/dcvmail-$(VERSION)
	tar -cf - $(DEB_SRC) | tar -xf - -C $(DEBDIR)/dcvmail-$(VERSION)
	cd $(DEBDIR)/dcvmail-$(VERSION) && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u SANITIZE -u BUILD \
		DEB_BUILD_OPTIONS="$${DEB_BUILD_OPTIONS:-parallel=2}" dpkg-buildpackage -b -us -uc
	@ls $(DEBDIR)/*.deb

# the sources tests/t/lint.sh checks with clang-format --dry-run -Werror
FORMAT_SRCS := $(wildcard src/*.c src/*/*.c src/*/*.h src/*.h)
format: deps
	clang-format -i $(FORMAT_SRCS)

clean:
	rm -rf build build-san build-fuzz dcvmail
