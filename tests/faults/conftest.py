"""Fault fixtures: a Redis server of the test's own (stopped and started at will), a TCP proxy in front of
PostgreSQL (cut and restored, so the real server is never touched), and the app pointed at both.

Each test gets a private `redis-server` on a free port, without persistence: stopping it loses every
queued job and key, exactly like a Redis that crashed, which is what the relay has to recover from.
"""

from __future__ import annotations

import contextlib
import shutil
import socket
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import redis
from sqlalchemy.engine import make_url

from app import create_app
from app.devshop.sender import deliver
from app.extensions import db
from tests.conftest import API_SECRET, ENCRYPTION_KEY, _reset, make_config
from tests.store.factories import SHOP
from tests.support.servers import serve


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PrivateRedis:
    """`redis-server` on a port of its own; `stop()` kills it (its data goes), `start()` brings it back empty."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.proc: subprocess.Popen | None = None

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: the fault tests start Redis servers of their own")
        self.proc = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.proc.poll() is not None:
                    pytest.fail(f"private redis-server on port {self.port} did not start")
                time.sleep(0.02)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)
        self.proc = None


class PostgresProxy:
    """A TCP relay to PostgreSQL. `cut()` drops every open connection and refuses new ones (accepted, then
    closed at once, as a server going away looks to a client); `restore()` lets connections through again."""

    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self.upstream = (upstream_host, upstream_port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self._open: set[socket.socket] = set()
        self._lock = threading.Lock()
        self.is_cut = False
        self._closed = False
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self) -> None:
        while not self._closed:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if self.is_cut:
                client.close()
                continue
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()
                continue
            server.settimeout(None)
            with self._lock:
                self._open.update((client, server))
            for src, dst in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(src, dst), daemon=True).start()

    def _pump(self, src: socket.socket, dst: socket.socket) -> None:
        try:
            while chunk := src.recv(65536):
                dst.sendall(chunk)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)

    def cut(self) -> None:
        self.is_cut = True
        with self._lock:
            for s in self._open:
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
                with contextlib.suppress(OSError):
                    s.close()
            self._open.clear()

    def restore(self) -> None:
        self.is_cut = False

    def close(self) -> None:
        self._closed = True
        self.cut()
        self.listener.close()


@pytest.fixture
def private_redis() -> Iterator[PrivateRedis]:
    server = PrivateRedis()
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def pg_proxy(migrated_database: str) -> Iterator[PostgresProxy]:
    url = make_url(migrated_database)
    proxy = PostgresProxy(url.host or "127.0.0.1", url.port or 5432)
    try:
        yield proxy
    finally:
        proxy.close()


def through_proxy(database_url: str, proxy: PostgresProxy) -> str:
    return make_url(database_url).set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)


@pytest.fixture
def app(migrated_database: str, private_redis: PrivateRedis):
    """The app on the test database and this test's own Redis (replaces the suite's `app`)."""
    flask_app = create_app(make_config(redis_url=private_redis.url))
    flask_app.config["TESTING"] = True
    _reset(db.engine)
    return flask_app


@pytest.fixture
def post(app) -> Iterator:
    """Deliver a signed webhook over real HTTP; returns the response (status not checked)."""
    with serve(app) as url:
        def send(topic, payload, webhook_id, shop=SHOP, **kw):
            return deliver(f"{url}/webhooks", topic, shop, payload, API_SECRET, webhook_id=webhook_id, **kw)
        yield send


class WorkerProcesses:
    """Real worker processes (`tests.faults.worker_process`: every queue, with the scheduler), started on the
    given database and Redis; their output goes to a log file kept for a failing test's report."""

    def __init__(self, log_dir) -> None:
        self.log_dir = log_dir
        self.procs: list[subprocess.Popen] = []

    def start(self, database_url: str, redis_url: str, **env: str) -> subprocess.Popen:
        import os
        import sys
        from pathlib import Path

        log = open(self.log_dir / f"worker-{len(self.procs) + 1}.log", "wb")  # noqa: SIM115 - kept with the process
        proc = subprocess.Popen(
            [sys.executable, "-m", "tests.faults.worker_process"], cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url,
                 "ENCRYPTION_KEY": ENCRYPTION_KEY, **env},
            stdout=log, stderr=subprocess.STDOUT)
        self.procs.append(proc)
        return proc

    def wait_ready(self, proc: subprocess.Popen, redis_url: str, seconds: float = 90) -> None:
        """Until the process's RQ worker has registered in Redis (a loaded machine may take a while to import)."""
        from rq import Worker

        conn = redis.Redis.from_url(redis_url)
        deadline = time.monotonic() + seconds
        while not any(w.pid == proc.pid for w in Worker.all(connection=conn)):
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"worker process did not start:\n{self.log(proc)}")
            time.sleep(0.1)

    def log(self, proc: subprocess.Popen) -> str:
        return (self.log_dir / f"worker-{self.procs.index(proc) + 1}.log").read_text(errors="replace")[-4000:]

    def stop_all(self) -> None:
        for proc in self.procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait(10)


@pytest.fixture
def workers(tmp_path) -> Iterator[WorkerProcesses]:
    started = WorkerProcesses(tmp_path)
    try:
        yield started
    finally:
        started.stop_all()
