#!/usr/local/bin/cgi2scgi -f
# Started by the first request that finds nothing listening: 2 copies.
-connect /run/app/app.sock /usr/local/libexec/app 2
