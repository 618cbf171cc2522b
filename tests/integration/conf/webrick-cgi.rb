require "webrick"
server = WEBrick::HTTPServer.new(BindAddress: "127.0.0.1", Port: 8080,
                                 DocumentRoot: "/var/www/html")
server.mount("/app", WEBrick::HTTPServlet::CGIHandler, "/usr/local/libexec/app")
trap("TERM") { server.shutdown }
server.start
