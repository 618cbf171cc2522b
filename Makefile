# cgi2scgi: POSIX make, no configure.  See README.
.POSIX:

VERSION = 0.1.0
PREFIX  = /usr/local
BINDIR  = $(PREFIX)/bin
MANDIR  = $(PREFIX)/share/man
CC      = cc
MUSLCC  = musl-gcc
CFLAGS  = -O2 -g
WERROR  = -Werror
WFLAGS  = -std=c99 -D_POSIX_C_SOURCE=200809L -DVERSION=\"$(VERSION)\" \
	  -Wall -Wextra -Wpedantic -Wshadow -Wmissing-prototypes $(WERROR)
SANFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=all
OBJ     = cgi2scgi.o netstring.o
TOOLS   = tests/fakescgi tests/nsenc tests/execenv example/hello-scgi
# libFuzzer wants clang; the targets include cgi2scgi.c for its statics.
FUZZCC  = clang
FUZZFLAGS = -g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all
FUZZERS = fuzz/netstring fuzz/length fuzz/head fuzz/args fuzz/query
FUZZ_SECONDS = 60

all: cgi2scgi

cgi2scgi: $(OBJ)
	$(CC) $(LDFLAGS) -o $@ $(OBJ)

# The same, linked statically with musl where musl-gcc is installed
# (Debian: musl-tools): it starts in a third of the time of a dynamic
# glibc binary, which counts when the web server execs it per request.
# Else the system compiler, as plain `make`.  Then `make install`.
static:
	rm -f cgi2scgi $(OBJ)
	if command -v $(MUSLCC) >/dev/null 2>&1; then \
		$(MAKE) CC=$(MUSLCC) LDFLAGS=-static cgi2scgi; \
	else \
		echo "static: no $(MUSLCC): building with $(CC)" >&2; \
		$(MAKE) cgi2scgi; \
	fi

.c.o:
	$(CC) $(WFLAGS) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(OBJ): netstring.h

tests/fakescgi: tests/fakescgi.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(CFLAGS) -I. -o $@ tests/fakescgi.c netstring.c

tests/execenv: tests/execenv.c
	$(CC) $(WFLAGS) $(CFLAGS) -o $@ tests/execenv.c

tests/nsenc: tests/nsenc.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(CFLAGS) -I. -o $@ tests/nsenc.c netstring.c

example/hello-scgi: example/hello-scgi.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(CFLAGS) -I. -o $@ example/hello-scgi.c netstring.c

# The same program with AddressSanitizer and UndefinedBehaviorSanitizer.
tests/cgi2scgi-san: cgi2scgi.c netstring.c netstring.h
	$(CC) $(WFLAGS) $(SANFLAGS) -o $@ cgi2scgi.c netstring.c

fuzz/netstring: fuzz/netstring.c netstring.c netstring.h
	$(FUZZCC) $(WFLAGS) $(FUZZFLAGS) -I. -o $@ fuzz/netstring.c netstring.c

fuzz/length: fuzz/length.c cgi2scgi.c netstring.c netstring.h
	$(FUZZCC) $(WFLAGS) $(FUZZFLAGS) -I. -o $@ fuzz/length.c netstring.c

fuzz/head: fuzz/head.c cgi2scgi.c netstring.c netstring.h
	$(FUZZCC) $(WFLAGS) $(FUZZFLAGS) -I. -o $@ fuzz/head.c netstring.c

fuzz/args: fuzz/args.c cgi2scgi.c netstring.c netstring.h
	$(FUZZCC) $(WFLAGS) $(FUZZFLAGS) -I. -o $@ fuzz/args.c netstring.c

fuzz/query: fuzz/query.c cgi2scgi.c netstring.c netstring.h
	$(FUZZCC) $(WFLAGS) $(FUZZFLAGS) -I. -o $@ fuzz/query.c netstring.c

# Every fuzz target for FUZZ_SECONDS each (make fuzz FUZZ_SECONDS=600).
fuzz: $(FUZZERS)
	sh fuzz/run.sh $(FUZZ_SECONDS) $(FUZZERS)

# One round trip through the bridge to the bundled example server.
demo: cgi2scgi example/hello-scgi
	sh example/demo.sh

# Every test: installs what it needs (Debian packages) when missing, lints,
# runs the suite, then runs it again under ASan+UBSan and in part valgrind,
# and last runs the sanitizer build once under real web and SCGI servers.
check: all $(TOOLS) tests/cgi2scgi-san
	sh tests/deps.sh
	mandoc -Tlint -Wwarning man/cgi2scgi.1
	cppcheck --quiet --error-exitcode=1 --std=c99 --inline-suppr \
	    --enable=warning,style,performance,portability \
	    --suppress=variableScope cgi2scgi.c netstring.c
	clang-tidy --quiet cgi2scgi.c netstring.c -- $(WFLAGS)
	bats tests
	CGI2SCGI="$$PWD/tests/cgi2scgi-san" bats tests
	CGI2SCGI_WRAP="valgrind -q --error-exitcode=99 --leak-check=full \
	    --errors-for-leak-kinds=definite" bats --filter-tags '!slow' tests
	CGI2SCGI="$$PWD/tests/cgi2scgi-san" bats tests/integration
	$(MAKE) fuzz FUZZ_SECONDS=30

install: all
	mkdir -p $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1
	cp -f cgi2scgi $(DESTDIR)$(BINDIR)/cgi2scgi
	chmod 755 $(DESTDIR)$(BINDIR)/cgi2scgi
	cp -f man/cgi2scgi.1 $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1
	chmod 644 $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/cgi2scgi $(DESTDIR)$(MANDIR)/man1/cgi2scgi.1

# The benchmark (bench/run.sh), and the same through a real Apache
# (bench/apache.sh); each installs what it needs from Debian's packages.
bench:
	cd bench && $(MAKE) bench

bench-apache:
	cd bench && $(MAKE) bench-apache

clean:
	rm -f cgi2scgi $(OBJ) $(TOOLS) tests/cgi2scgi-san $(FUZZERS)
	cd bench && $(MAKE) clean

.PHONY: all static demo check fuzz install uninstall clean bench bench-apache
