"""The one HTTP client of the gateways (credit_portal.gateway): what is worth a retry, back-off, kept connections."""

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from credit_portal.gateway import GatewayError, HttpClient, is_transient_status
from credit_portal.retries import backoff_seconds
from notifications.backends import PermanentSendError, TransientSendError
from notifications.backends.httpjson import request_json


@pytest.fixture
def server():
    """A keep-alive server answering with the status asked for in the path, recording client ports."""
    ports: list[int] = []

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args) -> None:
            pass

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            ports.append(self.client_address[1])
            status = int(self.path.strip("/") or 200)
            data = b'{"code": "OK"}'
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    httpd.ports = ports
    httpd.url = f"http://127.0.0.1:{httpd.server_port}"
    yield httpd
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("status", "transient"), [(408, True), (429, True), (500, True), (503, True), (400, False)])
def test_the_answers_worth_another_try_are_the_same_for_every_gateway(status, transient):
    assert is_transient_status(status) is transient


def test_a_408_from_the_sms_or_wechat_gateway_is_tried_again(server):
    with pytest.raises(TransientSendError, match="HTTP 408"):
        request_json("POST", f"{server.url}/408", timeout=2, payload={})
    with pytest.raises(PermanentSendError, match="HTTP 403"):
        request_json("POST", f"{server.url}/403", timeout=2, payload={})


def test_requests_to_one_gateway_reuse_one_connection(server):
    client = HttpClient()

    for _ in range(3):
        assert client.request("POST", f"{server.url}/200", timeout=2, body=b"{}").status == 200
    with pytest.raises(GatewayError) as error:
        client.request("POST", f"{server.url}/503", timeout=2, body=b"{}")
    client.close()

    assert error.value.transient and error.value.status == 503
    assert len(set(server.ports)) == 1 and len(server.ports) == 4


def test_back_off_is_one_function_with_half_fixed_half_random_delays():
    delays = [backoff_seconds(attempt=3, base=10, cap=60) for _ in range(200)]

    assert all(20 <= d <= 40 for d in delays) and len(set(delays)) > 100
    assert all(30 <= backoff_seconds(attempt=9, base=10, cap=60) <= 60 for _ in range(50))
