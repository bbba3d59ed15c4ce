"""A local HTTP(S) server of real image files for the image-check tests, recording what it was asked.

It honours ``Range`` (206), ``If-None-Match`` (304 for the file's ETag), redirects and slow answers.
The certificate is self-signed for ``localhost`` and generated per test session.
"""
import datetime
import io
import ssl
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from PIL import Image


def image_bytes(width, height, fmt, *, metadata_bytes=0, noise=False):
    """An image file of the given size and format (with big metadata before the pixels, or
    incompressible pixels)."""
    image = Image.effect_noise((width, height), 64).convert("RGB") if noise else Image.new("RGB", (width, height),
                                                                                          (200, 40, 90))
    out = io.BytesIO()
    options = {"icc_profile": bytes(metadata_bytes)} if metadata_bytes else {}
    image.save(out, fmt, **options)
    return out.getvalue()


def self_signed_certificate(directory):
    """(certificate file, key file) for localhost and 127.0.0.1."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.UTC)
    import ipaddress

    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"),
                                                        x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]),
                           critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_file, key_file = directory / "cert.pem", directory / "key.pem"
    cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_file, key_file


class _QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass  # a client closing early (it read the header it needed) is expected, not an error


class ImageServer:
    """Serves ``files`` ({path: bytes}) plus ``redirects`` and ``slow`` paths; ``log`` records requests."""

    def __init__(self, files, *, redirects=None, slow=(), delay=2.0, tls=None):
        self.files, self.redirects, self.slow, self.delay = files, redirects or {}, set(slow), delay
        self.log = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_GET(self):
                server.log.append({"path": self.path, "range": self.headers.get("Range"),
                                   "if_none_match": self.headers.get("If-None-Match")})
                if self.path in server.redirects:
                    return self._answer(302, b"", {"Location": server.redirects[self.path]})
                if self.path in server.slow:
                    time.sleep(server.delay)
                body = server.files.get(self.path)
                if body is None:
                    return self._answer(404, b"not found")
                etag = f'"{hash(body) & 0xffffffff:x}"'
                if self.headers.get("If-None-Match") == etag:
                    return self._answer(304, b"", {"ETag": etag})
                wanted = self.headers.get("Range", "")
                if wanted.startswith("bytes=0-"):
                    end = min(int(wanted.split("-")[1]), len(body) - 1)
                    return self._answer(206, body[:end + 1], {"ETag": etag,
                                                              "Content-Range": f"bytes 0-{end}/{len(body)}"})
                return self._answer(200, body, {"ETag": etag})

            def _answer(self, status, body, headers=None):
                self.send_response(status)
                for name, value in {"Content-Length": str(len(body)), **(headers or {})}.items():
                    self.send_header(name, value)
                self.end_headers()
                try:
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = _QuietServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.httpd.socket = context.wrap_socket(self.httpd.socket, server_side=True)
            self.scheme = "https"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def url(self, path, host="localhost"):
        """The URL of ``path`` on this server."""
        return f"{self.scheme}://{host}:{self.httpd.server_port}{path}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
