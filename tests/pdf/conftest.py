"""Fixtures for the PDF tests: a real HTTP server that records every request it gets (nothing
may reach it), and a secret file on disk (nothing from it may reach a PDF)."""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

TRAP_MARKER = "HTTP-TRAP-MARKER-7d41"
SECRET_MARKER = "SECRET-FILE-MARKER-93be"
PASSWD_MARKER = "root:x:0:0"


@dataclass
class HttpTrap:
    """A server on a free loopback port; `requests` lists the paths it was asked for."""

    url: str
    requests: list[str] = field(default_factory=list)


def _handler_recording_into(trap: HttpTrap) -> type[BaseHTTPRequestHandler]:
    class RecordingHandler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            trap.requests.append(self.path)
            # Answer with something that would show up in a PDF, should a request get through.
            if self.path.endswith(".css"):
                body = f'body::after {{ content: "{TRAP_MARKER}" }}'.encode()
                content_type = "text/css"
            else:
                body = TRAP_MARKER.encode()
                content_type = "text/plain"
            self.send_response(200)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:
            pass

    return RecordingHandler


@pytest.fixture
def http_trap() -> Iterator[HttpTrap]:
    trap = HttpTrap(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler_recording_into(trap))
    trap.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield trap
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@pytest.fixture
def secret_file(tmp_path) -> Path:
    path = tmp_path / "secret.txt"
    path.write_text(f"{SECRET_MARKER}\n")
    return path
