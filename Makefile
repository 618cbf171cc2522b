# cgi2scgi: POSIX make, no configure.  See README.
.POSIX:

VERSION = 0.1.0
PREFIX  = /usr/local
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
LIBEXECDIR = $(PREFIX)/libexec
DOCDIR  = $(PREFIX)/share/doc/cgi2scgi
CC      = cc
MUSLCC  = musl-gcc
# CFLAGS, CPPFLAGS and LDFLAGS are yours, from the environment or the
# command line: the Makefile sets none of them, or it would hide the
# environment's.  They come after what the project needs, so they win.
OPTFLAGS = -O2 -g
WERROR  = -Werror
WFLAGS  = -std=c99 -D_POSIX_C_SOURCE=200809L -DVERSION=\"$(VERSION)\" \
	  -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes $(WERROR)
SANFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=all
SRC     = cgi2scgi.c netstring.c
TOOLS   = tests/fakescgi tests/nsenc tests/execenv example/hello-scgi
# libFuzzer wants clang; the targets include cgi2scgi.c for its statics.
FUZZCC  = clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS = fuzz/netstring fuzz/length fuzz/head fuzz/args fuzz/query \
	  fuzz/date fuzz/range fuzz/template fuzz/framing
FUZZ_SECONDS = 60

all: cgi2scgi

# The bridge.  A web server execs it for every request, so its start-up
# is most of what a small request costs: linked statically with musl it
# starts in a third of the time of a dynamic glibc program, or less, with
# a seventh of the instructions (README, Performance).  So that is the
# build wherever $(MUSLCC) is found (Debian: musl-tools).  `make
# MUSLCC=`, or a CC of your own (`make CC=clang ...`, a cross compiler),
# makes an ordinary build with $(CC) and its libc.  Compiled and linked
# in one step, so that no object built for one libc is ever linked
# against the other.
#
# make has a CFLAGS of its own when you give none (GNU make: -O1 under
# .POSIX), which would come after OPTFLAGS and win, and -O1 costs a
# third more instructions per request.  make puts CFLAGS in a recipe's
# environment only when you give one, so OPTFLAGS is added when it is
# not there.
#
# Static, not PIE.  Debian's musl-gcc replaces GCC's link spec: with
# -static-pie it links a dynamic PIE that needs /lib/ld-musl-*.so.1, and
# -static -pie is plain -static.  A static PIE by hand (rcrt1.o,
# -Wl,-pie,--no-dynamic-linker) works, but relocates itself at every
# start, 5% more instructions for a tiny request, to randomize where its
# code is (stack, heap and mmap are randomized anyway).
#
# Of the hardening in dpkg-buildflags, -fstack-protector-strong works
# with musl; -D_FORTIFY_SOURCE does nothing (musl has no fortified
# headers); -z relro and -z now link, but nothing in a static musl
# program makes RELRO read-only (musl's dynamic linker would, and it
# does not run).  So the musl build links with -z norelro: RELRO's page
# of its own would only cost a page fault, 4 us of a 115 us request in
# make bench here.  (-z noseparate-code would save as much again, by
# making the read-only data executable: not taken.)
#
# musl-gcc's link spec also drops the build ID that gcc links by
# default, which debuggers and Debian's -dbgsym packages go by: it is
# put back.
cgi2scgi: $(SRC) netstring.h
	@if [ "$(CC)" != cc ]; then \
		echo "cgi2scgi: build with $(CC) and its libc (CC given)"; \
		cc='$(CC)'; \
	elif [ -z "$(MUSLCC)" ]; then \
		echo "cgi2scgi: build with $(CC) and the system's libc (MUSLCC empty)"; \
		cc='$(CC)'; \
	elif command -v $(MUSLCC) >/dev/null 2>&1; then \
		echo "cgi2scgi: static musl build ($(MUSLCC))"; \
		cc='$(MUSLCC) -static -Wl,--build-id,-z,norelro'; \
	else \
		echo "cgi2scgi: $(MUSLCC) not found: dynamic build with $(CC)"; \
		cc='$(CC)'; \
	fi; \
	[ -n "$${CFLAGS+set}" ] || opt='$(OPTFLAGS)'; \
	set -x; \
	$$cc $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $${opt:-} $(LDFLAGS) -o $@ $(SRC)

tests/fakescgi: tests/fakescgi.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -I. -o $@ tests/fakescgi.c netstring.c

tests/execenv: tests/execenv.c
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ tests/execenv.c

tests/nsenc: tests/nsenc.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -I. -o $@ tests/nsenc.c netstring.c

example/hello-scgi: example/hello-scgi.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -I. -o $@ example/hello-scgi.c netstring.c

# The same program with AddressSanitizer and UndefinedBehaviorSanitizer.
tests/cgi2scgi-san: cgi2scgi.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(SANFLAGS) -o $@ cgi2scgi.c netstring.c

# Each fuzz target from its fuzz/NAME.c; all but fuzz/netstring include
# cgi2scgi.c, and a change there rebuilds them all.
$(FUZZERS): cgi2scgi.c netstring.c netstring.h
	$(FUZZCC) $(WFLAGS) $(FUZZFLAGS) -I. -o $@ $@.c netstring.c
fuzz/netstring: fuzz/netstring.c
fuzz/length: fuzz/length.c
fuzz/head: fuzz/head.c
fuzz/args: fuzz/args.c
fuzz/query: fuzz/query.c
fuzz/date: fuzz/date.c
fuzz/range: fuzz/range.c
fuzz/framing: fuzz/framing.c
fuzz/template: fuzz/template.c

# Every fuzz target for FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600).
fuzz: $(FUZZERS)
	sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# One round trip through the bridge to the bundled example server.
demo: cgi2scgi example/hello-scgi
	sh example/demo.sh

# The unit suite, as a packager's build runs it (dh_auto_test): no root,
# no network but loopback, nothing installed.  A test that needs what
# is missing (a program, root) is skipped, and says why; bats-support
# and bats-assert it cannot do without (debian/control's Build-Depends).
test: all $(TOOLS)
	bats tests

# Every test: installs what it needs (Debian packages) when missing,
# builds (so that musl-tools is there first, and the bridge tested is
# the one users get), then runs these passes side by side (tests/check.sh
# prints each one's output as it ends, and fails if any failed); `make
# check-NAME` runs one alone.
#	lint		mandoc, cppcheck and clang-tidy
#	unit		the suite
#	asan		the suite again under ASan+UBSan, but for the
#			builds of install.bats, which run no bridge
#	valgrind	the same under valgrind, and not the slow tests
#	integration	the sanitizer build under real web and SCGI servers;
#			builds the Debian package and serves a request
#			through Apache with what it installed
#	fuzz		every fuzz target, 30 s each
# The integration pass takes longest, so the others yield it the CPU:
# the suite's passes run at nice 5, the fuzzers at nice 19, which run
# their 30 s all the same, on what the tests leave (`make fuzz` alone
# fuzzes harder).  STRICT=1: here a test that would skip for want of
# something fails.  BATS_TEST_TIMEOUT: a test that hangs, as one did on
# a bridge that blocked in write(2), fails after 10 minutes, and the
# passes go on, rather than holding CI to its limit.
CHECKS = check-lint check-unit check-asan check-valgrind check-integration \
	 check-fuzz

check: export BATS_TEST_TIMEOUT = 600
check:
	sh tests/deps.sh
	$(MAKE) all $(TOOLS) tests/cgi2scgi-san
	bash tests/check.sh "$(MAKE)" $(CHECKS)

check-lint:
	mandoc -Tlint -Wwarning man/cgi2scgi.1
	# Linux's configuration: the one built and tested.
	cppcheck --quiet --error-exitcode=1 --std=c99 --inline-suppr \
	    --enable=warning,style,performance,portability \
	    --suppress=variableScope -D__linux__ cgi2scgi.c netstring.c
	clang-tidy --quiet cgi2scgi.c netstring.c -- $(WFLAGS)

check-unit: all $(TOOLS)
	STRICT=1 nice -n 5 bats tests

check-asan: all $(TOOLS) tests/cgi2scgi-san
	STRICT=1 CGI2SCGI="$$PWD/tests/cgi2scgi-san" nice -n 5 \
	    bats --filter-tags '!build' tests

check-valgrind: all $(TOOLS)
	STRICT=1 CGI2SCGI_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite" nice -n 5 \
	    bats --filter-tags '!slow,!build,!openat2' tests

check-integration: all $(TOOLS) tests/cgi2scgi-san
	STRICT=1 CGI2SCGI="$$PWD/tests/cgi2scgi-san" bats tests/integration

check-fuzz: $(FUZZERS)
	nice -n 19 $(MAKE) fuzz FUZZ_SECONDS=30

# The man page, the README and the examples name the paths of a plain
# make install, /usr/local/bin/cgi2scgi and /usr/local/libexec/ for the
# programs it runs, and stay readable in the source; installed, they
# name the install's, so that a recipe copied from them works as printed.
PATHS = s|/usr/local/bin/cgi2scgi|$(BINDIR)/cgi2scgi|g; s|/usr/local/libexec/|$(LIBEXECDIR)/|g
# What an admin needs beside the man page (make install-doc; the Debian
# package has it): the README, docs/, and the examples, with
# hello-scgi's netstring encoder so that it builds where it is.
EXAMPLES = example/app.conf example/app.socket example/app.service \
	   example/hello-scgi.c netstring.c netstring.h \
	   example/rtorrent.rc example/rtorrent.service \
	   example/rtorrent-apache.conf

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp -f cgi2scgi $(DESTDIR)$(BINDIR)/cgi2scgi
	chmod 755 $(DESTDIR)$(BINDIR)/cgi2scgi
	rm -f $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1
	sed -e '$(PATHS)' man/cgi2scgi.1 > $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1

install-doc:
	mkdir -p $(DESTDIR)$(DOCDIR)/examples
	for f in README docs/*; do \
		t=$(DESTDIR)$(DOCDIR)/"$${f##*/}"; \
		rm -f "$$t" && sed -e '$(PATHS)' "$$f" > "$$t" && \
		chmod 644 "$$t" || exit 1; \
	done
	for f in $(EXAMPLES); do \
		t=$(DESTDIR)$(DOCDIR)/examples/"$${f##*/}"; \
		rm -f "$$t" && sed -e '$(PATHS)' "$$f" > "$$t" && \
		chmod 644 "$$t" || exit 1; \
	done

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cgi2scgi $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1
	for f in README docs/*; do rm -f $(DESTDIR)$(DOCDIR)/"$${f##*/}"; done
	for f in $(EXAMPLES); do \
		rm -f $(DESTDIR)$(DOCDIR)/examples/"$${f##*/}"; \
	done
	rmdir $(DESTDIR)$(DOCDIR)/examples $(DESTDIR)$(DOCDIR) 2>/dev/null || :

# The benchmark (bench/run.sh), and the same through a real Apache
# (bench/apache.sh); each installs what it needs from Debian's packages.
bench:
	cd bench && $(MAKE) bench

bench-apache:
	cd bench && $(MAKE) bench-apache

clean:
	rm -f cgi2scgi $(TOOLS) tests/cgi2scgi-san $(FUZZERS)
	cd bench && $(MAKE) clean

.PHONY: all demo test check $(CHECKS) fuzz install install-doc uninstall \
	clean bench bench-apache
