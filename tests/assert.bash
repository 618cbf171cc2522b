# bats-support and bats-assert, for both suites' helpers: assert_success,
# assert_output and the like say what was expected and what came.
# Debian's bats-support and bats-assert; tests/deps.sh installs them,
# debian/control asks for them.  Without them every test would fail on
# its first check: say so once.
for lib in bats-support bats-assert; do
	bats_load_library_safe "$lib" 2>/dev/null || {
		echo "tests: no $lib: install it (Debian: apt-get install $lib)" >&2
		exit 1
	}
done
unset lib
