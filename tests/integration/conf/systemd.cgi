#!/usr/local/bin/cgi2scgi -f
-bind -connect /run/app/app.sock
