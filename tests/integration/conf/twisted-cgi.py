import sys

from twisted.internet import reactor
from twisted.python import log
from twisted.web import server, static, twcgi


class Script(twcgi.CGIScript):
    # A path after the script's name is its PATH_INFO: Twisted 22.4's
    # own CGIScript answers such a request with a 500.
    isLeaf = True

    def render(self, request):
        request.postpath = [p.decode() for p in request.postpath]
        return super().render(request)


log.startLogging(sys.stderr)
root = static.File("/var/www/html")
root.putChild(b"app", Script("/usr/local/libexec/app"))
reactor.listenTCP(8080, server.Site(root), interface="127.0.0.1")
reactor.run()
