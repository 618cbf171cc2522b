# bats-support and bats-assert, for both suites' helpers: assert_success,
# assert_output and the like say what was expected and what came.
# Debian's bats-support and bats-assert; tests/deps.sh installs them,
# debian/control asks for them.  Without them every test would fail on
# its first check: say so once.
#
# bats loads them anew for every test, and their load.bash runs
# $(dirname) for each of their 15 files: a fork each, 30 ms a test, 4 s
# of `make test`.  Their src/*.bash only define functions, so where
# they are found those are sourced straight, as bats loads a library
# that is a directory; elsewhere, their load.bash.
for lib in bats-support bats-assert; do
	IFS=: read -ra dirs <<< "${BATS_LIB_PATH:-/usr/lib/bats}"
	for dir in "${dirs[@]}"; do
		[ -f "$dir/$lib/load.bash" ] && [ -d "$dir/$lib/src" ] ||
		    continue
		for f in "$dir/$lib"/src/*.bash; do
			source "$f"
		done
		continue 2
	done
	bats_load_library_safe "$lib" 2>/dev/null || {
		echo "tests: no $lib: install it (Debian: apt-get install $lib)" >&2
		exit 1
	}
done
unset lib dirs dir f
