# The WSGI application uWSGI serves to the integration tests.  app.pl
# answers the same paths the same way, so one test runs against either.
#
#	/env/...	the CGI variables, sorted, one NAME=VALUE a line
#	/body		"METHOD LENGTH SHA256" of the request body
#	/status/NNN	that status (302 with a Location, 204 with no body)
#	/headers	custom headers, two Set-Cookie among them
#	/file/NAME	the file $DATA/NAME, as it is
#	/stream		an event, then a second once $DATA/go-QUERY exists
#	/held		"held by BACKEND", once $DATA/go-QUERY exists; meanwhile
#			$DATA/has-QUERY names the server that has it (BACKEND)
#
# Every answer carries X-Method, so a HEAD shows what the app saw.

import hashlib
import os
import time

DATA = os.environ['DATA']
REASONS = {200: 'OK', 201: 'Created', 204: 'No Content', 302: 'Found',
           404: 'Not Found', 500: 'Internal Server Error'}


def cgi_vars(environ):
    # WSGI adds its own keys (wsgi.input...); CGI names are upper case.
    return sorted((k, v) for k, v in environ.items()
                  if isinstance(v, str) and k == k.upper())


def body_digest(environ):
    h = hashlib.sha256()
    n = 0
    stream = environ['wsgi.input']
    while True:
        chunk = stream.read(65536)
        if not chunk:
            break
        h.update(chunk)
        n += len(chunk)
    return '%s %d %s\n' % (environ['REQUEST_METHOD'], n, h.hexdigest())


def stream(environ):
    yield b'data: first\n\n'
    go = os.path.join(DATA, 'go-' + environ.get('QUERY_STRING', ''))
    # The test makes the file once it has seen the first event; the
    # deadline only keeps a broken run from holding a worker forever.
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.01)
    yield b'data: second\n\n'


def held(environ):
    # A request in flight for as long as the test likes: it tells the
    # test which server has it, and is answered once the test says so.
    environ['wsgi.input'].read()
    backend = os.environ.get('BACKEND', '')
    query = environ.get('QUERY_STRING', '')
    has = os.path.join(DATA, 'has-' + query)
    with open(has + '.tmp', 'w') as f:
        f.write(backend + '\n')
    os.rename(has + '.tmp', has)
    go = os.path.join(DATA, 'go-' + query)
    deadline = time.monotonic() + 60
    while not os.path.exists(go) and time.monotonic() < deadline:
        time.sleep(0.01)
    return ('held by %s\n' % backend).encode()


def application(environ, start_response):
    path = environ.get('PATH_INFO', '').split('/')
    what = path[1] if len(path) > 1 else ''
    headers = [('X-Method', environ['REQUEST_METHOD'])]
    status = 200
    body = []
    if what == 'env':
        # Read the body it ignores: uWSGI resets a connection closed
        # with a body unread, and mod_proxy_scgi then cuts its answer
        # short now and then (curl: "transfer closed"), which the
        # comparison with the bridge must not trip on.
        environ['wsgi.input'].read()
        headers.append(('Content-Type', 'text/plain'))
        text = ''.join('%s=%s\n' % kv for kv in cgi_vars(environ))
        body = [text.encode('latin-1')]
    elif what == 'body':
        headers.append(('Content-Type', 'text/plain'))
        body = [body_digest(environ).encode()]
    elif what == 'status':
        status = int(path[2])
        if status == 302:
            headers.append(('Location', 'http://example.org/moved'))
        if status != 204:
            headers.append(('Content-Type', 'text/plain'))
            body = [b'status %d\n' % status]
    elif what == 'headers':
        headers += [('Content-Type', 'text/plain'),
                    ('X-Custom-One', '1'), ('X-Custom-Two', 'two words'),
                    ('Set-Cookie', 'a=1; Path=/'),
                    ('Set-Cookie', 'b=2; Path=/'),
                    ('Cache-Control', 'no-store')]
        body = [b'headers\n']
    elif what == 'file':
        name = os.path.join(DATA, os.path.basename(path[2]))
        headers += [('Content-Type', 'application/octet-stream'),
                    ('Content-Length', str(os.path.getsize(name)))]
        f = open(name, 'rb')
        body = environ['wsgi.file_wrapper'](f, 65536)
    elif what == 'held':
        headers.append(('Content-Type', 'text/plain'))
        body = [held(environ)]
    elif what == 'stream':
        headers += [('Content-Type', 'text/event-stream'),
                    ('Cache-Control', 'no-cache')]
        body = stream(environ)
    else:
        status = 404
        headers.append(('Content-Type', 'text/plain'))
        body = [('no such path: %s\n' % environ.get('PATH_INFO')).encode('latin-1')]
    start_response('%d %s' % (status, REASONS[status]), headers)
    return body
