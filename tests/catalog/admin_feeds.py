"""Feeds for the admin import tests, and a local web server that hands a feed out slowly."""
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HEADER = "id,title,description,link,image_link,price,availability,condition,brand,product_type\n"


def csv_feed(count, prefix="A", bad=()):
    """A Merchant Center CSV feed of ``count`` products, plus the ``bad`` rows as written."""
    rows = "".join(f"{prefix}{n},Camiseta {prefix}{n},Algodao,https://loja.example.com/p/{prefix}{n},"
                   f"https://loja.example.com/{prefix}{n}.jpg,59.90 BRL,in stock,new,Acme,Roupas\n"
                   for n in range(count))
    return (HEADER + rows + "".join(bad)).encode()


class SlowFeedServer:
    """Serves one feed at /feed.csv in ``pieces`` parts, ``pause`` seconds apart (a slow shop)."""

    def __init__(self, body, *, pieces=1, pause=0.0):
        self.body, self.pieces, self.pause = body, pieces, pause
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (the standard library's name)
                if self.path != "/feed.csv":
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", str(len(owner.body)))
                self.end_headers()
                step = max(1, -(-len(owner.body) // owner.pieces))
                for start in range(0, len(owner.body), step):
                    self.wfile.write(owner.body[start:start + step])
                    self.wfile.flush()
                    time.sleep(owner.pause)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/feed.csv"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()
