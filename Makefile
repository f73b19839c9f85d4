# rds-migrate — build, test, install. See README.md.

PREFIX  ?= /usr/local
BUILD   ?= build
CC      ?= cc
PKGS     = ncursesw libpq libcurl inih expat jansson libcrypto
VERSION := $(shell cat VERSION 2>/dev/null || echo 0.0.0)

WARN     = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wformat=2 -Werror
# CFLAGS is the user's (optimisation, sanitizers); ALL_CFLAGS adds what the build needs.
CFLAGS  ?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) -I. -Icore -Itui -DRDSM_VERSION='"$(VERSION)"' \
           -DRDSM_DATADIR='"$(PREFIX)/share/rds-migrate"' \
           -DRDSM_LOCALEDIR='"$(PREFIX)/share/locale"' \
           -DRDSM_BUILD_LOCALEDIR='"$(CURDIR)/$(BUILD)/locale"' \
           $(shell pkg-config --cflags $(PKGS) 2>/dev/null) $(CFLAGS)
LDLIBS  += $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lpthread -lm

CORE_SRC := $(sort $(wildcard core/*.c))
TUI_SRC  := $(sort $(wildcard tui/*.c))
CORE_OBJ := $(CORE_SRC:%.c=$(BUILD)/%.o)
TUI_OBJ  := $(TUI_SRC:%.c=$(BUILD)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c))
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

# Translations (GNU gettext): the catalog template is extracted from the
# sources at build time, each po/LANG.po is compiled into the build's own
# locale directory (the program finds it there when it is not installed).
I18N_SRC := main.c plain.c $(CORE_SRC) $(TUI_SRC) $(sort $(wildcard core/*.h tui/*.h))
LINGUAS  := $(basename $(notdir $(wildcard po/*.po)))
POT      := $(BUILD)/po/rds-migrate.pot
MO       := $(LINGUAS:%=$(BUILD)/locale/%/LC_MESSAGES/rds-migrate.mo)
XGETTEXT  = xgettext --from-code=UTF-8 --language=C --keyword=_ --keyword=N_ --keyword=P_:1,2 \
            --add-comments=TRANSLATORS: --package-name=rds-migrate \
            --package-version=$(VERSION) --msgid-bugs-address="the rds-migrate issues" --sort-by-file

.PHONY: all deps run test test-unit test-integration test-e2e test-asan valgrind bench fuzz \
        install uninstall clean format po-check po-update

all: rds-migrate

rds-migrate: $(BUILD)/rds-migrate $(POT) $(MO)
	cp $< $@

$(POT): $(I18N_SRC)
	@mkdir -p $(dir $@)
	$(XGETTEXT) -o $@ $(I18N_SRC)

$(BUILD)/locale/%/LC_MESSAGES/rds-migrate.mo: po/%.po
	@mkdir -p $(dir $@)
	msgfmt --check -o $@ $<

# Fails when a marked message has no translation (or only a fuzzy one) in a
# po/LANG.po, or when a string people read is not marked _() N_() P_().
po-check: $(POT)
	sh scripts/po-check.sh $(POT) $(I18N_SRC)

# After changing messages: refresh po/rds-migrate.pot and merge it into every
# po/LANG.po (new messages come in untranslated, changed ones fuzzy: translate
# them, then make po-check).
po-update: $(POT)
	cp $(POT) po/rds-migrate.pot
	for l in $(LINGUAS); do msgmerge --quiet --update --backup=none --previous \
	  po/$$l.po po/rds-migrate.pot || exit 1; done

$(BUILD)/rds-migrate: $(BUILD)/main.o $(BUILD)/plain.o $(TUI_OBJ) $(BUILD)/libcore.a
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(BUILD)/libcore.a: $(CORE_OBJ)
	rm -f $@ && ar rcs $@ $^

$(BUILD)/%.o: %.c $(wildcard core/*.h tui/*.h *.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libcore.a $(wildcard tests/unit/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -Itests/unit -DSAMPLE_PATH='"$(CURDIR)/config.ini.sample"' -o $@ $< $(BUILD)/libcore.a $(LDLIBS) -lcmocka

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libcore.a
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) $(LDFLAGS) -o $@ $< $(BUILD)/libcore.a $(LDLIBS)

# The Debian packages each target needs are installed by scripts/deps.sh,
# group by group (build, test, bench, fuzz): `make run` installs only what
# building and running the wizard needs. Each call installs only what is
# missing (apt-get; sudo when not root).
DEPS = sh scripts/deps.sh install

# Every package of every group.
deps:
	@$(DEPS) all

run:
	@$(DEPS) build
	$(MAKE) --no-print-directory rds-migrate
	./rds-migrate

# moto_server is not a Debian package: scripts/moto.sh finds it or installs it
# into build/moto-venv; when it cannot, the AWS checks fail naming it.
test:
	@$(DEPS) test
	$(MAKE) --no-print-directory rds-migrate $(UNIT_BIN) $(TOOL_BIN) po-check
	@sh scripts/moto.sh ensure || true
	BUILD=$(BUILD) sh tests/run.sh all

test-unit: $(UNIT_BIN)
	BUILD=$(BUILD) sh tests/run.sh unit

test-integration: rds-migrate $(TOOL_BIN)
	BUILD=$(BUILD) sh tests/run.sh integration

test-e2e: rds-migrate $(TOOL_BIN)
	BUILD=$(BUILD) sh tests/run.sh e2e

# The whole suite again, built with AddressSanitizer and UBSan (library
# leaks that are not ours are suppressed in tests/lsan.supp).
test-asan:
	LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 $(MAKE) --no-print-directory BUILD=build-asan \
	  CFLAGS="-O1 -g -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer" \
	  LDFLAGS="-fsanitize=address,undefined" test

# The unit tests (core only) under valgrind: any error fails.
valgrind:
	@$(DEPS) test
	$(MAKE) --no-print-directory $(UNIT_BIN)
	BUILD=$(BUILD) VALGRIND=1 sh tests/run.sh unit

bench:
	@$(DEPS) bench
	$(MAKE) --no-print-directory rds-migrate $(TOOL_BIN)
	BUILD=$(BUILD) sh tests/bench/bench.sh $(SCALE)
	sh tests/bench/cutover.sh $(SCALE)

fuzz:
	@$(DEPS) fuzz
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

install: rds-migrate
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/rds-migrate/themes
	install -m 0755 rds-migrate $(DESTDIR)$(PREFIX)/bin/rds-migrate
	install -m 0644 themes/*.ini $(DESTDIR)$(PREFIX)/share/rds-migrate/themes/
	install -m 0644 config.ini.sample $(DESTDIR)$(PREFIX)/share/rds-migrate/
	for l in $(LINGUAS); do \
	  install -d $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES && \
	  install -m 0644 $(BUILD)/locale/$$l/LC_MESSAGES/rds-migrate.mo \
	    $(DESTDIR)$(PREFIX)/share/locale/$$l/LC_MESSAGES/ || exit 1; done

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rds-migrate
	rm -rf $(DESTDIR)$(PREFIX)/share/rds-migrate
	rm -f $(DESTDIR)$(PREFIX)/share/locale/*/LC_MESSAGES/rds-migrate.mo

# Every C source in the one format of .clang-format (tests check it).
FORMATTED = main.c plain.[ch] core/*.[ch] tui/*.[ch] tests/unit/*.[ch] tests/tools/*.c \
            tests/fuzz/*.[ch]
format:
	clang-format -i $(FORMATTED)

clean:
	rm -rf build build-asan rds-migrate
