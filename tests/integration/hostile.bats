#!/usr/bin/env bats
# Queries under real web servers.  A query without '=' becomes the CGI
# program's arguments (RFC 3875 4.4): escaped under Apache, raw under
# mini_httpd; busybox httpd passes none.  Whatever the client puts in
# it, the bridge must not connect where it says, start its app, or open
# its -log or -f file.  (What a response head may hold, through every
# host: hosts.bats.)

load helper

# enc WORD...: the words as a query, joined by '+', each %-encoded but
# for letters, digits and . _ : -
enc() {
	local w out='' sep='' i c
	for w; do
		out+=$sep
		sep=+
		for ((i = 0; i < ${#w}; i++)); do
			c=${w:i:1}
			case $c in
			[A-Za-z0-9._:-])	out+=$c ;;
			*)	printf -v c '%%%02X' "'$c"
				out+=$c ;;
			esac
		done
	done
	printf '%s\n' "$out"
}

# lower: every %XX escape with its letters in lower case.
lower() {
	sed -E 's/%([0-9A-F])([0-9A-F])/%\L\1\2/g'
}

# The hostile queries, to QUERIES; those whose words, as mini_httpd
# passes them, would reach the evil side if the bridge obeyed them are
# also in ATTACKS.  Each one that has two backslashes in a word gets
# past a bridge that matches its arguments with Apache's escaping only.
hostile_queries() {
	local p=$EVIL_PORT app=$EVIL_DIR/app a
	local bs='\\'			# two backslashes
	QUERIES=() ATTACKS=()
	for a in \
	    "-connect+127.0.0.1:$p+-connect+%5C%5C" \
	    "-connect+127.0.0.1:$p" \
	    "127.0.0.1+$p" \
	    "$(enc "$EVIL_SOCK")" \
	    "$(enc "$EVIL_ODD")" \
	    "$(enc "$EVIL_ODD" | lower)" \
	    "$(enc -connect "$EVIL_ODD" "$app")" \
	    "$(enc -connect "$EVIL_DIR/n${bs}ew.sock" "$app")" \
	    "$(enc -connect "$EVIL_DIR/n${bs}ew.sock" "$app" 2 | lower)" \
	    "$(enc -start -connect "$EVIL_DIR/st${bs}art.sock" "$app")" \
	    "$(enc -log "$EVIL_DIR/l${bs}og" -connect "$EVIL_DIR/new.sock" "$app")" \
	    "$(enc -f "$EVIL_DIR/args")" \
	    "$(enc -f "$EVIL_DIR/args" "$bs")" \
	    "-t+5+-bind+-connect+127.0.0.1:$p+-connect+%5C%5C" \
	    "-connect+127.0.0.1:$p%00junk+-connect+%5C%5C" \
	    "-connect+127.0.0.1:$p+-connect+%22%5c%5C%27" \
	    "-connect+127.0.0.1:$p+-connect+%5C%27%5C%5C%3B" \
	    "-connect+127.0.0.1:$p+-connect+%5C%5C%5C"; do
		QUERIES+=("$a")
		ATTACKS+=("$a")
	done
	# Apache passes only the first 4091 words (mod_cgid): a client can
	# pad the query so that the arguments are its first words, not all.
	a=$(printf '+%.0s' $(seq 5000))
	QUERIES+=("-connect+127.0.0.1:$p+-connect+%5C%5C$a" \
	    "-connect+127.0.0.1:$p$a" "$(enc -f "$EVIL_DIR/args")$a")
}

# words QUERY: the arguments mini_httpd makes of QUERY, one a line:
# split at '+', each %-decoded and cut at a NUL; an empty last one goes.
words() {
	local w
	local -a ws
	IFS=+ read -r -a ws <<< "$1"
	for w in "${ws[@]}"; do
		w=${w%%%00*}
		printf '%b\n' "${w//%/\\x}"
	done
}

# evil_state: what the evil side has had: each listener's connections,
# and what evil/ holds.  First a connection of our own to each, which
# fakescgi serves after every earlier one: so whatever a request that
# has been answered did is on record by now.
evil_state() {
	local name target
	for name in tcp unix odd; do
		case $name in
		tcp)	target=127.0.0.1:$EVIL_PORT ;;
		unix)	target=$EVIL_SOCK ;;
		odd)	target=$EVIL_ODD ;;
		esac
		env -i REQUEST_METHOD=GET "$IT/bin/cgi2scgi-plain" \
		    -connect "$target" > /dev/null || return 1
		printf '%s: %s connections\n' "$name" \
		    "$(ls "$IT/evil-rec/$name" | sed 's/\..*//' | sort -u | wc -l)"
	done
	ls -A "$EVIL_DIR" | LC_ALL=C sort
}

# ours_only STATE: STATE, an evil_state, with our own next connections:
# what evil_state says next if nothing else reached the evil side.
ours_only() {
	printf '%s\n' "$1" | awk '$3 == "connections" { $2++ } 1'
}

# untouched BEFORE: the evil side has had nothing since BEFORE but our
# own connections.
untouched() {
	expect "the evil side" "$(evil_state)" "$(ours_only "$1")"
}

# answer_is_right SERVER: what a client gets from SERVER for a hostile
# $query.  Apache's routes name the server in the environment, as
# busybox httpd's does: the app's page.  mini_httpd gives the bridge no
# environment: its 500, and the reason in syslog, not in the response
# (there the bridge's stderr is the response's pipe).
answer_is_right() {
	case $1 in
	mini-httpd)
		expect status "$code" 500
		expect body "$(cat "$T/body")" '500 Internal Server Error'
		! grep -q 'cgi2scgi: ' "$T/head" "$T/body" ||
		    expect 'the response' "$(cat "$T/head" "$T/body")" \
		    'no line of the bridge'
		;;
	*)
		expect status "$code" 200
		expect_line 'query string at the app' "$T/body" \
		    "QUERY_STRING=$query"
		;;
	esac
}

@test "sanity: each hostile query's words, given by hand outside CGI, reach the evil side" {
	local before f
	local -a args
	hostile_queries
	for query in "${ATTACKS[@]}"; do
		route="by hand: $query"
		mapfile -t args < <(words "$query")
		before=$(evil_state)
		env -i REQUEST_METHOD=GET timeout 60 "$BIN" "${args[@]}" \
		    > /dev/null 2>&1 || :
		if [ "$(evil_state)" = "$(ours_only "$before")" ]; then
			printf 'by hand, %s reached nothing\n' "${args[*]}" >&2
			return 1
		fi
		# Put evil/ back as it was, for the next.
		for f in "$EVIL_DIR"/* "$EVIL_DIR"/.[!.]*; do
			[ -e "$f" ] || [ -L "$f" ] || continue
			grep -qxF -- "${f##*/}" <<< "$before" || rm -rf -- "$f"
		done
	done
}

@test "queries never choose the backend, start an app, name a -log or an -f file: Apache, mini_httpd, busybox httpd" {
	local before server
	hostile_queries
	for server in apache-file apache-tcp prefork-mod-cgi mini-httpd busybox; do
		for query in "${QUERIES[@]}"; do
			route="$server, ?${query:0:100}"
			before=$(evil_state)
			code=$(fetch "$(url "$server" "/env?$query")") || :
			answer_is_right "$server"
			untouched "$before"
		done
	done
}

@test "a query that spells a wrapper's arguments never drops them: Apache answers 500, and the error log says how to configure it" {
	local w=$IT/cgi-bin/wrapped
	# The server by environment, as SetEnv would; an option of the
	# admin's as an argument, which Apache's words may look like.
	printf '#!/bin/sh\nSCGI_FILE=%s exec %s -set HTTP_X_ADMIN=yes\n' \
	    "$IT/uwsgi.sock" "$BIN" > "$w"
	chmod 755 "$w"
	route=wrapper
	code=$(fetch "http://127.0.0.1:$PORT_SCRIPT/cgi-bin/wrapped/env/?a+b")
	expect status "$code" 200
	expect_line "the admin's -set" "$T/body" "HTTP_X_ADMIN=yes"
	code=$(fetch "http://127.0.0.1:$PORT_SCRIPT/cgi-bin/wrapped/env/?-set+HTTP_X_ADMIN%3Dyes")
	expect status "$code" 500
	logged apache "GET /cgi-bin/wrapped/env/?-set+HTTP_X_ADMIN%3Dyes" \
	    "the arguments could be the query's words"
	rm -f "$w"
}
