"""The browser tests' server (tools/livesite.py) closes every response, even an abandoned one."""

import socket
import struct
import threading
import time

from werkzeug.serving import make_server

from tools.livesite import ClosingHandler


def test_a_response_the_client_hung_up_on_is_still_closed():
    # A browser that leaves a page resets the connection right after reading a picture:
    # Werkzeug then fails while draining the socket, before it closes the response, and
    # the picture's file stays open (a ResourceWarning, hence an error, in the tests).
    closed = set()

    class Body:
        def __iter__(self):
            yield b"x" * 1000

        def close(self):
            closed.add(id(self))

    bodies = []

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/plain")])
        body = environ["livesite.response"] = Body()
        bodies.append(body)
        return body

    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=ClosingHandler)
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    try:
        for _ in range(10):
            with socket.create_connection(("127.0.0.1", server.server_port)) as client:
                client.sendall(b"GET / HTTP/1.1\r\nHost: blog.localhost\r\n\r\n")
                client.recv(100_000)
                # Reset, not a polite close: what a browser does to a request it gave up on.
                client.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        deadline = time.monotonic() + 10
        while len(closed) < 10 and time.monotonic() < deadline:
            time.sleep(0.01)
        assert len(bodies) == 10
        assert closed == {id(body) for body in bodies}
    finally:
        server.shutdown()
        server.server_close()
