"""A real local HTTP server playing the SMS gateway and the WeChat API, for the backend tests.

It answers per a plan (success, HTTP errors, business errors, slowness, holding a request open),
records every request, and — like the real gateways — treats a repeated idempotency key as the
same message: `delivered[key]` counts distinct deliveries, which must never exceed one.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class Gateway:
    def __init__(self) -> None:
        self.plan: list[str] = []  # consumed one per send request; then "ok"
        self.requests: list[dict] = []
        self.delivered: Counter[str] = Counter()
        self.tokens_issued = 0
        self.valid_token = "token-1"
        self.release = threading.Event()  # ends a "hold"
        self.received = threading.Event()  # set when a send request arrives
        self._lock = threading.Lock()
        gateway = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:  # keep the test output clean
                pass

            def _answer(self, status: int, body: dict | str) -> None:
                data = (json.dumps(body, ensure_ascii=False) if isinstance(body, dict) else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                url = urlparse(self.path)
                if url.path == "/cgi-bin/token":
                    with gateway._lock:
                        gateway.tokens_issued += 1
                        gateway.valid_token = f"token-{gateway.tokens_issued}"
                    self._answer(200, {"access_token": gateway.valid_token, "expires_in": 7200})
                else:
                    self._answer(404, {"message": "not found"})

            def do_POST(self) -> None:
                url = urlparse(self.path)
                length = int(self.headers.get("Content-Length", 0))
                body = json.loads(self.rfile.read(length) or b"{}")
                key = self.headers.get("Idempotency-Key") or body.get("client_msg_id") or body.get("request_id")
                with gateway._lock:
                    gateway.requests.append({"path": url.path, "headers": dict(self.headers), "json": body})
                    step = gateway.plan.pop(0) if gateway.plan else "ok"
                gateway.received.set()
                if url.path.endswith("/message/template/send"):
                    token = parse_qs(url.query).get("access_token", [""])[0]
                    if token != gateway.valid_token:
                        self._answer(200, {"errcode": 40001, "errmsg": "invalid credential"})
                        return
                if step.startswith("http"):  # e.g. "http503"
                    self._answer(int(step[4:]), {"message": f"error {step[4:]}"})
                elif step.startswith("slow"):  # "slow2.5": answer late
                    time.sleep(float(step[4:]))
                    self._deliver(key, url.path)
                elif step == "hold":  # the gateway takes the message, then answers only when released
                    gateway._record(key)
                    gateway.release.wait(60)
                    self._answer(200, self._success(key, url.path))
                elif step == "busy":
                    self._answer(200, {"code": "BUSY", "message": "稍后再试"} if "sms" in url.path else {"errcode": -1})
                elif step == "reject":
                    self._answer(200, {"code": "INVALID_PHONE", "message": "号码无效"})
                elif step == "notjson":
                    self._answer(200, "<html>oops</html>")
                else:
                    self._deliver(key, url.path)

            def _deliver(self, key: str, path: str) -> None:
                gateway._record(key)
                self._answer(200, self._success(key, path))

            def _success(self, key: str, path: str) -> dict:
                if path.endswith("/message/template/send"):
                    return {"errcode": 0, "errmsg": "ok", "msgid": abs(hash(key)) % 10**9}
                return {"code": "OK", "message_id": f"msg-{key[:8]}"}

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def _record(self, key: str) -> None:
        with self._lock:
            if key not in self.delivered:
                self.delivered[key] = 1  # a repeated key is the same message: not delivered again

    def sends(self) -> list[dict]:
        with self._lock:
            return [r for r in self.requests if r["path"] != "/cgi-bin/token"]

    def start(self) -> Gateway:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()
