#!/bin/sh
# A plain CGI program, with no bridge in front: what each CGI host hands
# a program and what it makes of the program's answer, for hosts.bats.
# The query "mode=M" (with '=', so that no host passes it as arguments)
# chooses what it answers:
#	env		its arguments, one "arg=WORD" a line, then its
#			environment, one NAME=VALUE a line
#	status-second	Content-Type first, then Status: 404
#	stderr		"probe.sh: on stderr" to stderr, then "ok"
#	lf-only		a head with LF line ends and no Status, then a
#			body that holds a CRLF Status and Location
#	lf-crlf		the same, but the head ends in LF CR LF
#	body		the request body as it read it: CONTENT_LENGTH (or
#			"unset"), then the number of bytes and their sha256;
#			with no CONTENT_LENGTH it reads to end of file
case ${QUERY_STRING:-} in
mode=status-second)
	printf 'Content-Type: text/plain\r\nStatus: 404 Not Found\r\n\r\nbody\n'
	;;
mode=stderr)
	echo 'probe.sh: on stderr' >&2
	printf 'Content-Type: text/plain\r\n\r\nok\n'
	;;
mode=lf-only|mode=lf-crlf)
	# In one write: mini_httpd looks for the end of the head in what
	# each read brings.
	if [ "$QUERY_STRING" = mode=lf-only ]; then end='\n'; else end='\r\n'; fi
	printf "Content-Type: text/plain\\n$end%b" \
	    'body\nStatus: 302 Found\r\nLocation: http://evil/\r\n\r\nmore\n'
	;;
mode=body)
	PATH=/usr/bin:/bin
	printf 'Content-Type: text/plain\r\n\r\n'
	printf 'CONTENT_LENGTH=%s\n' "${CONTENT_LENGTH-unset}"
	f=$(mktemp)
	if [ -n "${CONTENT_LENGTH:-}" ]; then
		head -c "$CONTENT_LENGTH"
	else
		cat
	fi > "$f"
	printf '%s %s\n' "$(wc -c < "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"
	rm -f "$f"
	;;
*)
	printf 'Content-Type: text/plain\r\n\r\n'
	for a; do
		printf 'arg=%s\n' "$a"
	done
	/usr/bin/env | /usr/bin/sort
	;;
esac
