#!/bin/sh
exec /usr/local/bin/cgi2scgi /run/app/app.sock
