#!/bin/sh
exec /usr/local/bin/cgi2scgi 127.0.0.1 4000
