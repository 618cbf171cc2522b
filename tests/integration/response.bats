#!/usr/bin/env bats
# Answers from a real SCGI server through the bridge and each web
# server to curl: status, headers, a large body, a stream.

load helper

# Each status code on each host: hosts.bats.  Here, that the real
# servers' own status lines (uWSGI's Status:, its NPH HTTP/1.1 line,
# libscgi-perl's) come through each recipe.
@test "the real servers' statuses 201, 302 with its Location, and 404 reach the client with their bodies" {
	for route in $ROUTES; do
		for code in 201 302 404; do
			got=$(fetch "$(url "$route" "/status/$code")")
			expect "status $code" "$got" "$code"
			[ "$code" != 302 ] ||
			    expect Location "$(header Location)" \
			    http://example.org/moved
			expect "body of $code" "$(cat "$T/body")" "status $code"
		done
	done
}

@test "custom headers, two Set-Cookie among them, reach the client" {
	for route in $ROUTES; do
		code=$(fetch "$(url "$route" /headers)")
		expect status "$code" 200
		expect X-Custom-One "$(header X-Custom-One)" 1
		expect X-Custom-Two "$(header X-Custom-Two)" 'two words'
		expect Cache-Control "$(header Cache-Control)" no-store
		expect Set-Cookie "$(grep -ci '^Set-Cookie: [ab]=[12]; Path=/' "$T/head")" 2
	done
}

@test "a 50 MiB binary response reaches the client byte for byte" {
	for route in $ROUTES; do
		code=$(fetch "$(url "$route" /file/50m)")
		expect status "$code" 200
		expect digest "$(sha256sum < "$T/body" | cut -d' ' -f1)" "$(digest 50m)"
	done
}

@test "server-sent events stream: the first event reaches the client while the app holds back the second" {
	# The app sends its first event, then waits until the file go-ID
	# exists, which the test makes only once it has read that event:
	# anything that held the first event back would time out here.
	for route in $ROUTES; do
		id=$route-$BATS_SUITE_TEST_NUMBER
		mkfifo "$T/events"
		curl -sS -N --max-time 120 "$(url "$route" "/stream?$id")" \
		    > "$T/events" &
		exec 7< "$T/events"
		IFS= read -r -t 60 line <&7 || line="nothing within 60 s"
		expect 'first event' "$line" 'data: first'
		touch "$IT/data/go-$id"
		expect 'the rest' "$(cat <&7)" $'\ndata: second'
		exec 7<&-
		wait $!
		rm "$T/events"
	done
}
