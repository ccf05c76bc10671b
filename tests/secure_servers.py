"""Tracking servers that want credentials or TLS, made at test time: MLflow's basic-auth app with
a user of its own, a bearer-token proxy in front of a server, and https with a fresh certificate."""

from __future__ import annotations

import datetime
import http.client
import ipaddress
import secrets
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Iterator
from urllib.parse import urlsplit

import requests

from bridge import TrackingServer


def basic_auth_server(root: Path) -> tuple[TrackingServer, dict[str, str], dict[str, str]]:
    """`mlflow server --app-name basic-auth` with its user store under `root`, a user (not the
    admin, so READ on what others made) and the admin."""
    admin_password = secrets.token_urlsafe(16)
    ini = root / "basic_auth.ini"
    root.mkdir(parents=True, exist_ok=True)
    ini.write_text(
        "[mlflow]\ndefault_permission = READ\n"
        f"database_uri = sqlite:///{root / 'auth.db'}\n"
        f"admin_username = admin\nadmin_password = {admin_password}\n"
        "authorization_function = mlflow.server.auth:authenticate_request_basic_auth\n"
    )
    env = {"MLFLOW_AUTH_CONFIG_PATH": str(ini), "MLFLOW_FLASK_SERVER_SECRET_KEY": secrets.token_urlsafe(32)}  # the latter: CSRF
    server = TrackingServer(root=root / "server", app_name="basic-auth", env=env).start()
    user = {"username": "alice", "password": secrets.token_urlsafe(16)}
    r = requests.post(f"{server.uri}/api/2.0/mlflow/users/create", json=user, auth=("admin", admin_password), timeout=30)
    r.raise_for_status()
    return server, user, {"username": "admin", "password": admin_password}


class BearerProxy:
    """A loopback proxy that forwards to `upstream` only requests with `Authorization: Bearer <token>`
    (MLflow's own server takes no tokens; deployments put one in front). /health stays open."""

    def __init__(self, upstream: str, token: str):
        self.upstream, self.token = urlsplit(upstream), token
        self.seen_tokens: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            # Keep-alive, as a deployment's proxy: HTTP/1.0's close after every answer races a client's pooled connection.
            protocol_version = "HTTP/1.1"

            def _forward(self) -> None:
                auth = self.headers.get("Authorization", "")
                proxy.seen_tokens.append(auth)
                if self.path != "/health" and auth != f"Bearer {proxy.token}":
                    body = b'{"error_code": "UNAUTHENTICATED", "message": "a valid bearer token is required"}'
                    self.send_response(401)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                length = int(self.headers.get("Content-Length") or 0)
                data = self.rfile.read(length) if length else None
                conn = http.client.HTTPConnection(proxy.upstream.hostname or "127.0.0.1", proxy.upstream.port, timeout=300)
                # The body's headers and MLflow's own (x-mlflow-experiment-id on OTLP span exports).
                headers = {
                    k: v for k, v in self.headers.items() if k.lower() in ("content-type", "content-length") or k.lower().startswith("x-mlflow-")
                }
                conn.request(self.command, self.path, body=data, headers=headers)
                resp = conn.getresponse()
                payload = resp.read()
                self.send_response(resp.status)
                self.send_header("Content-Type", resp.getheader("Content-Type", "application/json"))
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)
                conn.close()

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward  # noqa: N815

            def log_message(self, *args) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.uri = f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> "BearerProxy":
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 and localhost, made now; returns (certfile, keyfile)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "mlflow-bridge test server")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    folder.mkdir(parents=True, exist_ok=True)
    certfile, keyfile = folder / "server.pem", folder / "server.key"
    certfile.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    keyfile.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()))
    return certfile, keyfile


def tls_server(root: Path) -> Iterator[tuple[TrackingServer, Path]]:
    certfile, keyfile = self_signed_certificate(root / "tls")
    server = TrackingServer(root=root / "server", tls=(certfile, keyfile)).start()
    try:
        yield server, certfile
    finally:
        server.stop()
