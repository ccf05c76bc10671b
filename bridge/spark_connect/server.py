"""`mlflow-bridge connect-server`: a Spark Connect server with the bridge's plugin (server side:
it needs java, pyspark and the bridge jars; the clients need none of them).

pyspark's own `SparkConnectServer` through the wheel's `spark-submit`, our jars on its classpath
and `spark.connect.extensions.relation.classes` naming our plugin. Started in its own process
group, so stopping it ends the JVM and everything it started.
"""

from __future__ import annotations

import os
import shlex
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from ..errors import ServerUnreachableError
from ..server import BackgroundServer
from .wire import PLUGIN_CLASS, PLUGIN_CONF

CONNECT_SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
STARTUP_TIMEOUT_S = 240.0


class ConnectServer(BackgroundServer):
    """A Spark Connect server on `host:port` (port 0: a free one). A context manager, or start()/stop()."""

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        extra_jars: list[str] | None = None,
        log_dir: str | os.PathLike | None = None,
        master: str = "local[2]",
    ) -> None:
        from ..server import free_port

        self.host, self.port = host, port or free_port()
        self.extra_jars, self.master = list(extra_jars or []), master
        self.log_path = Path(log_dir or tempfile.mkdtemp(prefix="mlflow-bridge-connect-")) / "connect-server.log"

    @property
    def url(self) -> str:
        return f"sc://{self.host}:{self.port}"

    def command(self) -> list[str]:
        from ..classpath import bridge_jars
        from ..java import user_jvm_options
        from ..versions import pyspark_jars_dir

        jars = bridge_jars()
        main = next(j for j in jars if Path(j).name.startswith("mlflow-bridge"))
        submit = pyspark_jars_dir().parent / "bin" / "spark-submit"
        conf = {
            PLUGIN_CONF: PLUGIN_CLASS,
            "spark.connect.grpc.binding.address": self.host,
            "spark.connect.grpc.binding.port": str(self.port),
            "spark.ui.enabled": "false",
            "spark.driver.host": self.host if self.host not in ("0.0.0.0", "::") else "127.0.0.1",
        }
        cmd = [str(submit), "--master", self.master, "--name", "mlflow-bridge connect-server", "--class", CONNECT_SERVER_CLASS]
        # On the driver's own classpath: the Connect server loads plugins with the JVM's class loader.
        cmd += ["--driver-class-path", os.pathsep.join(jars + self.extra_jars)]
        if user_jvm_options():
            cmd += ["--driver-java-options", shlex.join(user_jvm_options())]
        for k, v in conf.items():
            cmd += ["--conf", f"{k}={v}"]
        return [*cmd, main]

    def start(self) -> "ConnectServer":
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.pop("SPARK_HOME", None)  # the wheel's own
        # The server's own tracking credentials stay the operator's; a client's come with its calls.
        t0 = time.monotonic()
        with open(self.log_path, "ab") as log:
            self._proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env, start_new_session=True)
        while time.monotonic() - t0 < STARTUP_TIMEOUT_S:
            if self._proc.poll() is not None:
                raise ServerUnreachableError(f"the Spark Connect server exited with {self._proc.returncode} on start: {self._log_tail()}")
            try:
                socket.create_connection((self.host, self.port), timeout=1).close()
                self.startup_seconds = time.monotonic() - t0
                return self
            except OSError:
                time.sleep(0.25)
        self.stop()
        raise ServerUnreachableError(f"the Spark Connect server did not listen on {self.url} within {STARTUP_TIMEOUT_S:.0f}s: {self._log_tail()}")

    def __enter__(self) -> "ConnectServer":
        return self.start()
