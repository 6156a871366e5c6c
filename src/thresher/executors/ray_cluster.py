"""A real multi-node Ray cluster on one machine, started and stopped by process id.

Tests and benchmarks need what users run: a head (``ray start --head``) and worker
nodes (``ray start --address``), each a separate raylet with its own CPUs, object
store and temporary folder, talking over TCP. ``ray stop`` is never used, because it
kills every Ray process of the machine, including other people's clusters: each node
runs ``ray start --block`` in its own session, and stopping it is a SIGTERM to that
process (Ray then drains the node and stops its children), with a SIGKILL of the
session's process group as the last resort.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType

from thresher.errors import ThresherError

# Seconds to wait for a node: on this 2-core machine the head answers in ~2 s and a
# worker node registers in ~10-15 s (measured with Ray 2.60); 90 s covers a loaded CI box.
START_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class LocalCluster:
    """``nodes`` Ray nodes of ``cpus`` CPUs each on this machine (the first is the head).

    Use as a context manager; ``address`` is what ``--address`` takes, and ``env`` the
    variables a driver needs to join (the cluster's private authentication token).
    """

    nodes: int = 2
    cpus: int = 1
    object_store_mb: int = 128
    pythonpath: list[str] = field(default_factory=list)
    address: str = ""
    env: dict[str, str] = field(default_factory=dict)
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)
    temps: list[str] = field(default_factory=list)

    def ray_bin(self) -> str:
        exe = Path(sys.executable).with_name("ray")
        return str(exe) if exe.exists() else (shutil.which("ray") or "ray")

    def start(self) -> LocalCluster:
        port = free_port()
        self.address = f"127.0.0.1:{port}"
        self.env = {
            "RAY_USAGE_STATS_ENABLED": "0",
            "RAY_AUTH_MODE": "token",
            "RAY_AUTH_TOKEN": secrets.token_hex(32),
        }
        env = {**os.environ, **self.env}
        if self.pythonpath:
            env["PYTHONPATH"] = os.pathsep.join([*self.pythonpath, env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
        common = ["--block", "--num-cpus", str(self.cpus), "--node-ip-address", "127.0.0.1",
                  "--object-store-memory", str(self.object_store_mb << 20), "--disable-usage-stats"]
        try:
            for i in range(self.nodes):
                temp = tempfile.mkdtemp(prefix=f"thr-n{i}-")  # short: Unix socket paths live under it
                self.temps.append(temp)
                role = (["--head", "--port", str(port), "--include-dashboard=false"] if i == 0
                        else ["--address", self.address])
                log = open(Path(temp) / "ray-start.log", "wb")  # noqa: SIM115 - handed to the child
                self.procs.append(subprocess.Popen([self.ray_bin(), "start", *role, *common, "--temp-dir", temp],
                                                   env=env, stdout=log, stderr=subprocess.STDOUT,
                                                   start_new_session=True))
                log.close()
                if i == 0:
                    self._wait_for_port(port)
            self._wait_for_nodes()
        except BaseException:
            self.stop()
            raise
        return self

    def _wait_for_port(self, port: int) -> None:
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.procs[0].poll() is not None:
                raise ThresherError(f"the Ray head exited: see {self.temps[0]}/ray-start.log")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
                return
            except OSError:
                time.sleep(0.1)
        raise ThresherError(f"the Ray head did not listen on {port} within {START_TIMEOUT:.0f} s")

    def _wait_for_nodes(self) -> None:
        """Wait until every node printed that it started (``ray start`` logs it)."""
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            started = 0
            for proc, temp in zip(self.procs, self.temps, strict=True):
                if proc.poll() is not None:
                    raise ThresherError(f"a Ray node exited: see {temp}/ray-start.log")
                text = (Path(temp) / "ray-start.log").read_text(errors="replace")
                started += "Ray runtime started" in text
            if started == len(self.procs):
                return
            time.sleep(0.2)
        raise ThresherError(f"the Ray nodes did not start within {START_TIMEOUT:.0f} s")

    def node_pids(self) -> list[int]:
        """Process ids of the ``ray start`` processes, one per node (head first)."""
        return [p.pid for p in self.procs]

    def stop(self) -> None:
        """Stop what this cluster started, by process id (workers first, then the head)."""
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in reversed(self.procs):
            try:
                proc.wait(timeout=45)
            except subprocess.TimeoutExpired:
                pass
            try:  # whatever the node left in its own session (it was started with setsid)
                os.killpg(proc.pid, signal.SIGKILL)
            except (ProcessLookupError, PermissionError):
                pass
            proc.wait()
        self.procs.clear()
        for temp in self.temps:
            shutil.rmtree(temp, ignore_errors=True)
        self.temps.clear()

    def __enter__(self) -> LocalCluster:
        return self.start()

    def __exit__(self, et: type[BaseException] | None, ev: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()


__all__ = ["LocalCluster", "free_port"]
