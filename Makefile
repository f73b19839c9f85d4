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

.PHONY: all deps run test test-unit test-integration test-e2e test-asan valgrind bench fuzz \
        install uninstall clean format

all: rds-migrate

rds-migrate: $(BUILD)/rds-migrate
	cp $< $@

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
	$(MAKE) --no-print-directory rds-migrate $(UNIT_BIN) $(TOOL_BIN)
	@sh scripts/moto.sh ensure || true
	BUILD=$(BUILD) sh tests/run.sh all

test-unit: $(UNIT_BIN)
	BUILD=$(BUILD) sh tests/run.sh unit

test-integration: rds-migrate $(TOOL_BIN)
	BUILD=$(BUILD) sh tests/run.sh integration

test-e2e: rds-migrate $(TOOL_BIN)
	BUILD=$(BUILD) sh tests/run.sh e2e

# The whole suite again, built with AddressSanitizer and UBSan.
test-asan:
	$(MAKE) --no-print-directory BUILD=build-asan \
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

uninstall:
	rm -f $(DESTDIR)$(PREFIX)/bin/rds-migrate
	rm -rf $(DESTDIR)$(PREFIX)/share/rds-migrate

# Every C source in the one format of .clang-format (tests check it).
FORMATTED = main.c plain.[ch] core/*.[ch] tui/*.[ch] tests/unit/*.[ch] tests/tools/*.c \
            tests/fuzz/*.[ch]
format:
	clang-format -i $(FORMATTED)

clean:
	rm -rf build build-asan rds-migrate
