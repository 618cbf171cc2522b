#!/bin/sh
# make demo: one request through cgi2scgi to the example SCGI server,
# the way a web server would run it.  No root, no web server needed.
set -eu
cd "$(dirname "$0")/.."

dir=$(mktemp -d)
trap 'kill "$app" 2>/dev/null || :; rm -rf "$dir"' EXIT
sock=$dir/hello.sock

./example/hello-scgi -n 1 "$sock" &
app=$!
while [ ! -S "$sock" ]; do sleep 0.05; done	# until it listens

echo "--- POST /hello/world?lang=en through ./cgi2scgi $sock:"
status=0
printf 'name=demo' |
env -i GATEWAY_INTERFACE=CGI/1.1 SERVER_PROTOCOL=HTTP/1.1 \
    REQUEST_METHOD=POST SCRIPT_NAME=/hello PATH_INFO=/world \
    QUERY_STRING=lang=en CONTENT_TYPE=application/x-www-form-urlencoded \
    CONTENT_LENGTH=9 SERVER_NAME=localhost SERVER_PORT=80 \
    REMOTE_ADDR=127.0.0.1 HTTP_HOST=localhost \
    ./cgi2scgi "$sock" > "$dir/out" || status=$?
cat "$dir/out"
# The answer ends with the body it echoes, which has no newline.
[ -z "$(tail -c 1 "$dir/out")" ] || echo
echo "--- exit status $status"
wait "$app"
