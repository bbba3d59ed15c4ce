"""A TCP server on loopback for tests of services that stop answering: one that accepts and never
says a word, or a relay to a real service that the test can cut."""
import contextlib
import socket
import threading


class Listener:
    """A TCP server on loopback; ``forward_to`` relays each connection to that port, else the server
    accepts and never answers (a Redis that hangs). ``cut()`` drops every connection and the port."""

    def __init__(self, forward_to=None):
        self.forward_to = forward_to
        self.server = socket.create_server(("127.0.0.1", 0))
        self.port = self.server.getsockname()[1]
        self.sockets = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.server.accept()
            except OSError:
                return
            self.sockets.append(client)
            if self.forward_to:
                upstream = socket.create_connection(("127.0.0.1", self.forward_to))
                self.sockets.append(upstream)
                for source, target in ((client, upstream), (upstream, client)):
                    threading.Thread(target=self._pipe, args=(source, target), daemon=True).start()

    @staticmethod
    def _pipe(source, target):
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                target.sendall(data)

    def cut(self):
        with contextlib.suppress(OSError):
            self.server.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept(): the port really closes
        self.server.close()
        for sock in self.sockets:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
            sock.close()


def free_port():
    """A loopback port nothing listens on now (for a server the test starts)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
