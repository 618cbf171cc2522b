#!/usr/bin/env bats
# One recipe for many users: %{REMOTE_USER} in a socket path, filled in
# from the user the web server authenticated, each user a server of his
# own (ruTorrent hosts with one rtorrent per user).  Refused unless that
# user's name is a plain one.

load helper

TEMPLATE='%{REMOTE_USER}/app.sock'

# user_backend NAME: a fake SCGI server on $T/NAME/app.sock, which
# records into $T/NAME.rec.
user_backend() {
	mkdir -p "$T/$1" "$T/$1.rec"
	"$FAKESCGI" -o "$T/$1.rec" "$T/$1/app.sock" 3>&- &
	echo $! > "$T/$1.pid"
	wait_for "$T/$1/app.sock"
}

# got_one NAME: NAME's server got exactly one request, and it was NAME's.
got_one() {
	wait_for "$T/$1.rec/1.done" || return
	grep -qxF "REMOTE_USER=$1" "$T/$1.rec/1.env" || return
	assert_equal "$(ls "$T/$1.rec" | grep -c '\.env$')" 1
}

# refused NAME RULE: REMOTE_USER=NAME gets 403, and the line names RULE
# and shows NAME as the log does (escaped: ESCAPED, if given).
refused() {
	run --separate-stderr bridge REMOTE_USER="$1" SCGI_FILE="$T/$TEMPLATE"
	assert_error_page 100 '403 Forbidden' || return
	assert_stderr "cgi2scgi: GET /app: $T/$TEMPLATE: REMOTE_USER \"${3:-$1}\" is not a plain name: $2"
}

@test "one SCGI_FILE template: alice and bob each reach their own server, and nobody else's" {
	user_backend alice
	user_backend bob
	run bridge REMOTE_USER=alice SCGI_FILE="$T/$TEMPLATE"
	assert_success
	run bridge REMOTE_USER=bob SCGI_FILE="$T/$TEMPLATE"
	assert_success
	got_one alice
	got_one bob
}

@test "the socket operand, -connect and an abstract name take the template too" {
	user_backend alice
	run bridge REMOTE_USER=alice -- "$T/$TEMPLATE"
	assert_success
	run bridge REMOTE_USER=alice -- -connect "$T/$TEMPLATE"
	assert_success
	wait_for "$T/alice.rec/2.done"
	name=@cgi2scgi-test-$$-$RANDOM
	"$FAKESCGI" -o "$REC" -p "$T/ready" "${name}-alice" &
	echo $! > "$T/abstract.pid"
	wait_for "$T/ready"
	run bridge REMOTE_USER=alice -- "${name}-%{REMOTE_USER}"
	assert_success
}

@test "a path without the placeholder is used as it is, a literal % in it too" {
	SOCK="$T/50%_a%b%}%%.sock"
	backend
	run bridge REMOTE_USER=.. SCGI_FILE="$SOCK"
	assert_success
	wait_for "$REC/1.done"
}

@test "the placeholder with REMOTE_USER unset or empty answers 500: the web server authenticated no user" {
	for user in unset ''; do
		vars=(SCGI_FILE="$T/$TEMPLATE")
		[ "$user" = unset ] || vars+=(REMOTE_USER=)
		run --separate-stderr bridge "${vars[@]}"
		assert_error_page 100 '500 Internal Server Error'
		assert_stderr "cgi2scgi: GET /app: $T/$TEMPLATE: the web server authenticated no user for this location (REMOTE_USER is unset or empty): require one, as Apache's Require valid-user does"
	done
}

@test "an unknown placeholder is a configuration error that names it, whoever the user" {
	for user in alice ..; do
		run --separate-stderr bridge REMOTE_USER="$user" \
		    SCGI_FILE="$T/%{REMOTE_USER}/%{REMOTE_USR}.sock"
		assert_error_page 100 '500 Internal Server Error'
		assert_stderr "cgi2scgi: GET /app: $T/%{REMOTE_USER}/%{REMOTE_USR}.sock: unknown placeholder %{REMOTE_USR}: only %{REMOTE_USER} is filled in"
	done
	run --separate-stderr bridge REMOTE_USER=alice -- "$T/%{remote_user"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $T/%{remote_user: unknown placeholder %{remote_user: only %{REMOTE_USER} is filled in"
}

@test "'.', '..', '.hidden', '-x' and '@x' are refused with 403: a name starts with a letter, a digit or '_'" {
	for user in . .. .hidden -x @x; do
		refused "$user" "it starts with '.', '-' or '@'"
	done
}

@test "'a/b', 'a%2fb', a space, a control character and a non-ASCII byte are refused with 403, the name escaped in the log" {
	rule="it has a byte other than A-Z a-z 0-9 . _ - @"
	refused a/b "$rule"
	refused a%2fb "$rule"
	refused 'a b' "$rule"
	refused $'a\tb' "$rule" 'a\x09b'
	refused $'a\033[31m' "$rule" 'a\x1b[31m'
	refused $'caf\xc3\xa9' "$rule" 'caf\xc3\xa9'
}

@test "a name of 65 bytes is refused with 403; one of 64 is taken" {
	refused "$(printf 'a%.0s' {1..65})" "it is over 64 bytes"
	# A short directory, for the 64 bytes to fit a socket address.
	S=$(mktemp -d /tmp/u.XXXXXX)
	user=$(printf 'b%.0s' {1..64})
	mkdir "$S/$user"
	"$FAKESCGI" -o "$REC" "$S/$user/s" 3>&- &
	echo $! > "$T/long.pid"
	wait_for "$S/$user/s"
	run bridge REMOTE_USER="$user" SCGI_FILE="$S/%{REMOTE_USER}/s"
	assert_success
	wait_for "$REC/1.done"
}

@test "a filled-in path too long for a socket address is the error any such path is" {
	user=$(printf 'c%.0s' {1..64})
	run --separate-stderr bridge REMOTE_USER="$user" \
	    SCGI_FILE="$T/%{REMOTE_USER}/%{REMOTE_USER}"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $T/$user/$user: socket path too long"
	long=$(printf 'd%.0s' {1..300})
	run --separate-stderr bridge REMOTE_USER=alice SCGI_FILE="$T/$long/%{REMOTE_USER}"
	assert_error_page 100 '500 Internal Server Error'
	assert_stderr "cgi2scgi: GET /app: $T/$long/%{REMOTE_USER}: socket path too long"
}

@test "-check shows the template and the path it gives REMOTE_USER, or says no user is given" {
	user_backend alice
	shell_argv REMOTE_USER=alice SCGI_FILE="$T/$TEMPLATE" -- -check
	run "${BRIDGE[@]}"
	assert_success
	assert_line "template: $T/$TEMPLATE, for REMOTE_USER alice"
	assert_line --regexp "^server: $T/alice/app.sock, a socket,"
	shell_argv SCGI_FILE="$T/$TEMPLATE" -- -check
	run --separate-stderr "${BRIDGE[@]}"
	assert_failure 100
	assert_stderr "cgi2scgi: $T/$TEMPLATE: the web server authenticated no user for this location (REMOTE_USER is unset or empty): require one, as Apache's Require valid-user does"
}
