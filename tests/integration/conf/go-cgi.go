package main

import (
	"log"
	"net/http"
	"net/http/cgi"
)

func main() {
	http.Handle("/app/", &cgi.Handler{Path: "/usr/local/libexec/app", Root: "/app"})
	log.Fatal(http.ListenAndServe("127.0.0.1:8080", nil))
}
