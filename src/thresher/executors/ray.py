"""The Ray executor: the same per-shard function as the local executor, run as Ray tasks.

Why plain tasks over :func:`~thresher.executors.base.run_shard` and not Ray Data: the
shard is already the unit of work, of resumption and of output, and a task per shard
keeps the local and the distributed runs the same code path (so the same bytes). Ray
Data added about 10 s of start-up and no speed-up on this 2-core machine (measurement
quoted in the issue); datatrove's Ray executor makes the same choice.

What this module adds to the shared orchestration of :class:`Executor`:

- **Connecting.** With no address (and no ``RAY_ADDRESS``), a private local cluster
  is started (``address="local"``, so a stale or foreign ``/tmp/ray/ray_current_cluster``
  is never followed) and shut down at the end. With an address, it is probed first (a TCP connect with a
  timeout) so that a wrong address fails in seconds with one line instead of Ray's
  minute of retries; ``auto`` is resolved here so that a stale address file left by a
  killed cluster is named as such.
- **Quiet.** No dashboard, usage stats off, worker output not forwarded, Ray's own
  logging at WARNING; the private cluster's files live in a temporary folder that is
  removed after a clean run and copied to ``<out>/_logs/ray`` after a failed one.
- **Token authentication.** Ray 2.60 turns token authentication on for a new local
  cluster and writes a token to ``~/.ray/auth_token``. The private cluster gets a fresh
  random token through ``RAY_AUTH_TOKEN`` instead (nothing written in the home folder,
  no warning). Connecting to a cluster uses whatever token the user configured
  (``RAY_AUTH_TOKEN`` / ``RAY_AUTH_TOKEN_PATH`` / ``~/.ray/auth_token``); a refusal is
  turned into one line that says where to put the token.
- **Retries for infrastructure only.** Tasks are retried ``max_retries`` times when
  their worker or node dies (Ray's ``max_retries``), never when they raise
  (``retry_exceptions=False``): a bad document is quarantined inside ``run_shard``, and
  a :class:`ShardError` would fail the same way again. Re-running a shard is safe:
  outputs are written under temporary names and renamed, the manifest entry last.
- **A shared output folder.** The driver writes a marker file with a random token
  under the output folder; every task reads it before doing anything. A node that does
  not see it (the folder is local to the driver's machine) fails with a message that
  says so, before writing anything.
- **Placement.** Each manifest entry also records the Ray node id and address of the
  task that wrote it (``ray_node``), next to the ``host`` and ``pid`` that
  :func:`run_shard` records.
"""

from __future__ import annotations

import logging
import os
import secrets
import shutil
import socket
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from thresher.config import Config
from thresher.errors import ConfigError, MissingDependency, ThresherError
from thresher.executors.base import (
    WORK,
    Executor,
    Job,
    ProgressFn,
    RunResult,
    ShardError,
    _no_progress,
    manifest_path,
    run_shard,
    write_json_atomic,
)

T = TypeVar("T")
R = TypeVar("R")

# Retries of a task whose worker or node died. Three follows Ray's own default for
# tasks (``max_retries=3``); more only delays the report of a shard that kills its
# worker every time (for example by running out of memory).
DEFAULT_MAX_RETRIES = 3

# Seconds to wait for a TCP connection to the cluster's address before calling it
# wrong. A reachable GCS answers a connect in well under a millisecond on loopback and
# in tens of milliseconds across a data centre; 5 s leaves room for a slow VPN.
CONNECT_TIMEOUT = 5.0

# The object store of the private cluster. thresher moves documents through files on
# the shared output folder, not through Ray objects: the only objects are the job
# description (put once, a few kB per thousand shards) and the manifest entries (~2 kB
# each). Ray's default of 30 % of RAM would reserve 7 GB of /dev/shm on this 24 GB
# machine for nothing; 5 % of RAM, kept within [128 MB, 2 GB] and within half of the
# free /dev/shm (small in containers), is ample.
OBJECT_STORE_FRACTION = 0.05
OBJECT_STORE_MIN = 128 << 20
OBJECT_STORE_MAX = 2 << 30

# How often the driver checks, while no task finishes, that the cluster's head still
# answers. When the head dies Ray ends the driver process after 60 s of reconnecting
# (gcs_rpc_server_reconnect_timeout_s), with no exception to catch: checking every 5 s
# lets the run stop first with a message that says what happened and how to resume.
WATCH_INTERVAL = 5.0

MARKER_PREFIX = "ray-shared-check-"
TASK_NAME = "thresher_task"


# ---- what runs on the workers -------------------------------------------------------------


def check_shared(marker: str, token: str) -> None:
    """Fail with a clear message when this node does not see the driver's output folder."""
    try:
        seen = Path(marker).read_text(encoding="utf-8")
    except OSError:
        seen = None
    if seen != token:
        out = Path(marker).parent.parent
        raise ThresherError(
            f"the output folder {out} is not shared with Ray node {_node_label()}: the driver wrote "
            f"{marker} but this node {'sees another run' if seen else 'cannot read it'}; "
            "give an output path on a filesystem every node mounts at the same path"
        )


def _node_label() -> str:
    import sys

    ray = sys.modules.get("ray")
    if ray is None or not ray.is_initialized():  # outside a Ray worker: never start Ray here
        return socket.gethostname()
    try:
        ctx = ray.get_runtime_context()
        return f"{ctx.get_node_id()[:12]} ({ray.util.get_node_ip_address()}, {socket.gethostname()})"
    except Exception:  # a Ray too old or too new for these calls: the host still helps
        return socket.gethostname()


def node_info() -> dict[str, Any]:
    """Where this task runs: the Ray node id, the node's address, the host name and pid."""
    import ray

    return {"node_id": ray.get_runtime_context().get_node_id(), "ip": ray.util.get_node_ip_address(),
            "host": socket.gethostname(), "pid": os.getpid()}


def run_task(fn: Callable[..., Any], marker: str, token: str, *args: Any) -> Any:
    """The body of every Ray task: check the output folder, run ``fn``, record the node.

    Errors leave as :class:`ThresherError` with the node named; what the error says
    about the shard comes from :func:`run_shard` (a :class:`ShardError` names it).
    """
    try:
        check_shared(marker, token)
        result = fn(*args)
    except ThresherError as exc:
        raise type(exc)(f"{exc} [on Ray node {_node_label()}, pid {os.getpid()}]") from None
    except Exception as exc:
        raise ThresherError(f"{getattr(fn, '__name__', fn)}: {type(exc).__name__}: {exc} "
                            f"[on Ray node {_node_label()}, pid {os.getpid()}]") from None
    if fn is run_shard and isinstance(result, dict):
        # The manifest entry is rewritten atomically with the node added; its outputs
        # already exist and are unchanged, so the entry stays the last thing written.
        job, shard_index, seg_index = args[0], args[1], args[2]
        result["ray_node"] = node_info()
        write_json_atomic(manifest_path(Path(job.out), seg_index, job.shards[shard_index]), result)
    return result


# ---- the driver ---------------------------------------------------------------------------


def _import_ray() -> Any:
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    try:
        import ray
    except ImportError:
        raise MissingDependency("the Ray executor needs Ray: pip install 'thresher[ray]'") from None
    return ray


def _refresh_ray_config(ray: Any) -> None:
    """Make this process see changed ``RAY_AUTH_*`` variables: Ray reads them once into
    its C++ configuration and token cache (Ray does the same in its own token setup)."""
    try:
        from ray._raylet import (  # type: ignore[attr-defined,import-not-found,unused-ignore]
            AuthenticationTokenLoader,
            Config,
        )

        Config.initialize("")
        AuthenticationTokenLoader.instance().reset_cache()
    except (ImportError, AttributeError):  # Ray before token authentication (< 2.52)
        pass


def parse_address(address: str) -> tuple[str, int]:
    """``host:port`` (optionally ``ray://host:port``) -> (host, port); a clear error otherwise."""
    rest = address.split("://", 1)[1] if "://" in address else address
    host, sep, port = rest.rpartition(":")
    if not sep or not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise ConfigError(f"Ray address {address!r} is not host:port (for example 10.0.0.5:6379, or 'auto')")
    return host.strip("[]"), int(port)


def probe(address: str, timeout: float = CONNECT_TIMEOUT) -> None:
    """Fail in at most ``timeout`` seconds when nothing listens at ``address``."""
    host, port = parse_address(address)
    try:
        socket.create_connection((host, port), timeout=timeout).close()
    except OSError as exc:
        reason = "timed out" if isinstance(exc, TimeoutError) else (exc.strerror or type(exc).__name__)
        raise ThresherError(f"no Ray cluster at {address} ({reason}): start one with `ray start --head` "
                            "or give the address it printed with --address") from None


def resolve_auto() -> str:
    """The address ``auto`` stands for: ``RAY_ADDRESS``, else the last ``ray start`` here.

    A cluster that was killed leaves its address in ``ray_current_cluster``; following it
    makes Ray retry a dead port for a minute. The file is named in the error instead.
    """
    env = os.environ.get("RAY_ADDRESS")
    if env:
        probe(env)
        return env
    from ray._common.utils import get_ray_address_file  # type: ignore[import-not-found,unused-ignore]

    path = Path(get_ray_address_file(None))
    try:
        address = path.read_text(encoding="utf-8").strip()
    except OSError:
        raise ThresherError("address 'auto': no Ray cluster was started on this machine (no "
                            f"{path}); start one with `ray start --head` or give --address") from None
    try:
        probe(address)
    except ThresherError:
        raise ThresherError(f"address 'auto': {path} names {address}, where no Ray cluster answers: the "
                            "file is left over from a cluster that was killed; start a cluster or give "
                            "--address") from None
    return address


def object_store_bytes() -> int:
    """The object store size of the private cluster (see ``OBJECT_STORE_FRACTION``)."""
    total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    size = min(max(int(total * OBJECT_STORE_FRACTION), OBJECT_STORE_MIN), OBJECT_STORE_MAX)
    try:
        shm = shutil.disk_usage("/dev/shm").free
        if shm // 2 >= 80 << 20:  # below Ray's 75 MB minimum Ray spills to disk anyway
            size = min(size, shm // 2)
    except OSError:
        pass
    return size


class RayExecutor(Executor):
    """Runs shards as Ray tasks on a cluster, or on a private local one.

    ``workers``: CPUs of the private cluster; on an existing cluster, the most tasks in
    flight at once (default: the cluster's CPUs). ``address``: ``host:port`` of a
    running cluster (``ray start --head`` prints it), ``auto`` for the one last started
    on this machine, or None for ``$RAY_ADDRESS`` if set, else a private local cluster
    (``local`` forces the private cluster). ``persistent``: keep the
    connection (and the private cluster, with its warm worker processes) after a run,
    for several runs in one process (notebooks, benchmarks); call :meth:`shutdown` then.
    """

    name = "ray"

    def __init__(self, workers: int | None = None, address: str | None = None,
                 max_retries: int = DEFAULT_MAX_RETRIES, connect_timeout: float = CONNECT_TIMEOUT,
                 persistent: bool = False) -> None:
        super().__init__(workers)
        if max_retries < 0:
            raise ConfigError(f"max_retries must be >= 0 (got {max_retries})")
        self._workers_given = workers
        self.address = address
        self.max_retries = max_retries
        self.connect_timeout = connect_timeout
        self.persistent = persistent
        self._ray: Any = None
        self._started = False  # True when this executor started the cluster (and must stop it)
        self._joined = False  # True when this executor connected to a cluster (and must disconnect)
        self._address: str | None = None
        self._temp: str | None = None
        self._env_set: dict[str, str | None] = {}
        self._out: Path | None = None
        self._marker: tuple[str, str] | None = None
        self._remote: Any = None
        self._failed = False
        self.nodes: dict[str, int] = {}  # Ray node id -> tasks it completed in this run

    # --- connection ----------------------------------------------------------------------

    def connect(self) -> None:
        """Join the cluster (or start the private one); idempotent."""
        if self._ray is not None:
            return
        ray = _import_ray()
        if not self.address and os.environ.get("RAY_ADDRESS"):
            # Ray's own convention (a Ray job's entrypoint gets it): join that cluster
            self.address = os.environ["RAY_ADDRESS"]
        if ray.is_initialized():  # the caller connected already: use it, do not stop it
            self._ray = ray
        elif self.address in (None, "", "local"):
            self._start_local(ray)
        else:
            address = resolve_auto() if self.address == "auto" else self.address
            if self.address != "auto":
                probe(address, self.connect_timeout)
            _refresh_ray_config(ray)  # RAY_AUTH_* may have been set after Ray was imported
            try:
                ray.init(address=address, log_to_driver=False, logging_level=logging.WARNING,
                         namespace="thresher")
            except Exception as exc:
                raise ThresherError(_connect_error(address, exc)) from None
            self._ray = ray
            self._joined = True
            self._address = address
        joined: Any = self._ray
        if self._workers_given is None:
            self.workers = max(1, int(joined.cluster_resources().get("CPU", 1)))
        self._remote = joined.remote(run_task)

    def _start_local(self, ray: Any) -> None:
        self._set_env("RAY_USAGE_STATS_ENABLED", "0")
        if "RAY_AUTH_MODE" not in os.environ and "RAY_AUTH_TOKEN" not in os.environ:
            # a private token for a private cluster: no file in ~/.ray, no warning
            self._set_env("RAY_AUTH_MODE", "token")
            self._set_env("RAY_AUTH_TOKEN", secrets.token_hex(32))
            _refresh_ray_config(ray)
        # Tasks import step classes by name ("package.module:Class"): the workers of
        # the private cluster must see the modules the driver sees.
        paths = [p for p in ([os.getcwd()] + os.environ.get("PYTHONPATH", "").split(os.pathsep)) if p]
        self._set_env("PYTHONPATH", os.pathsep.join(dict.fromkeys(paths)))
        # short: Ray puts Unix sockets under it, and their paths must fit in 107 bytes
        self._temp = tempfile.mkdtemp(prefix="thr-ray-")
        try:
            ray.init(address="local", num_cpus=self.workers, include_dashboard=False,
                     object_store_memory=object_store_bytes(), _temp_dir=self._temp,
                     log_to_driver=False, logging_level=logging.WARNING, namespace="thresher")
        except Exception as exc:
            self._restore_env(ray)
            raise ThresherError(f"could not start a local Ray cluster: {type(exc).__name__}: {exc} "
                                f"(Ray's logs: {self._temp})") from None
        self._ray = ray
        self._started = True

    def _set_env(self, key: str, value: str) -> None:
        self._env_set.setdefault(key, os.environ.get(key))
        os.environ[key] = value

    def _restore_env(self, ray: Any = None) -> None:
        changed_auth = any(k.startswith("RAY_AUTH") for k in self._env_set)
        for key, old in self._env_set.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old
        self._env_set.clear()
        if changed_auth and ray is not None:
            _refresh_ray_config(ray)

    # --- the run ---------------------------------------------------------------------------

    def run(self, config: Config, out: Path | None = None, overwrite: bool = False,
            progress: ProgressFn = _no_progress) -> RunResult:
        # connect before touching the output folder: a wrong address changes nothing
        self._out = Path(out or config.output.path)
        self.nodes = {}
        self.connect()
        self._failed = False
        return super().run(config, out, overwrite=overwrite, progress=progress)

    def _ensure_marker(self) -> tuple[str, str]:
        if self._marker is None:
            assert self._out is not None
            token = secrets.token_hex(16)
            folder = self._out / WORK
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{MARKER_PREFIX}{token[:8]}"
            tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
            tmp.write_text(token, encoding="utf-8")
            os.replace(tmp, path)
            self._marker = (str(path), token)
        return self._marker

    def _submit_all(self, fn: Callable[..., Any], args: list[tuple[Any, ...]],
                    on_result: Callable[[int, Any], None], spread: bool) -> None:
        """Submit ``fn(*a)`` for every ``a`` with at most ``workers`` tasks in flight
        (twice the cluster's CPUs when ``workers`` was not given, to keep it busy while
        the driver handles results); call ``on_result(i, result)`` as each finishes."""
        ray = self._ray
        marker, token = self._ensure_marker()
        # an argument shared by every task (the job) is put in the object store once
        shared: dict[int, Any] = {}
        counts: dict[int, int] = {}
        for a in args:
            for x in a:
                counts[id(x)] = counts.get(id(x), 0) + 1
        window = self._workers_given or 2 * self.workers
        # SPREAD puts shards on every node even when the driver's node has free CPUs: a
        # shard reads and writes files, and spreading spreads that I/O too
        remote = self._remote.options(name=TASK_NAME, num_cpus=1, max_retries=self.max_retries,
                                      retry_exceptions=False, scheduling_strategy="SPREAD" if spread else "DEFAULT")
        pending: dict[Any, int] = {}
        nxt = 0
        failure: ThresherError | None = None
        try:
            while nxt < len(args) or pending:
                while failure is None and nxt < len(args) and len(pending) < window:
                    call = []
                    for x in args[nxt]:
                        if counts[id(x)] > 1 and not isinstance(x, (int, str, float, bool, type(None))):
                            if id(x) not in shared:
                                shared[id(x)] = ray.put(x)
                            call.append(shared[id(x)])
                        else:
                            call.append(x)
                    pending[remote.remote(fn, marker, token, *call)] = nxt
                    nxt += 1
                if not pending:
                    break
                done, _ = ray.wait(list(pending), num_returns=1, timeout=WATCH_INTERVAL)
                if not done:
                    self._check_alive()
                for ref in done:
                    i = pending.pop(ref)
                    try:
                        result = ray.get(ref)
                    except Exception as exc:
                        # the first failure stops submissions; tasks already running
                        # finish and keep their shards, so a rerun redoes only the rest
                        failure = failure or self._task_error(fn, args[i], i, exc)
                        continue
                    on_result(i, result)
        except BaseException:  # interrupted: nothing more is worth waiting for
            self._failed = True
            for ref in pending:
                try:
                    ray.cancel(ref, force=False)
                except Exception:  # the cluster may be gone already
                    pass
            raise
        if failure is not None:
            self._failed = True
            raise failure

    def _check_alive(self) -> None:
        """Raise a clear, resumable error when the joined cluster's head stopped answering."""
        if not self._joined or not self._address:
            return
        try:
            probe(self._address, timeout=min(self.connect_timeout, WATCH_INTERVAL))
        except ThresherError:
            raise ThresherError(f"the Ray cluster at {self._address} stopped answering (its head node died or "
                                "left the network); completed shards are kept: rerun the same command when the "
                                "cluster is back to resume") from None

    def run_tasks(self, fn: Callable[..., dict[str, Any]], args: list[tuple[Any, ...]],
                  on_done: Callable[[dict[str, Any]], None]) -> None:
        self.connect()

        def record(i: int, entry: dict[str, Any]) -> None:
            node = (entry.get("ray_node") or {}).get("node_id") if isinstance(entry, dict) else None
            if node:
                self.nodes[node] = self.nodes.get(node, 0) + 1
            on_done(entry)

        self._submit_all(fn, args, record, spread=True)

    def map(self, fn: Callable[[T], R], items: Iterable[T]) -> list[R]:
        items = list(items)
        if not items:
            return []
        self.connect()
        results: list[Any] = [None] * len(items)

        def store(i: int, r: Any) -> None:
            results[i] = r

        self._submit_all(fn, [(x,) for x in items], store, spread=False)
        return results

    def _task_error(self, fn: Callable[..., Any], args: tuple[Any, ...], i: int, exc: BaseException) -> ThresherError:
        """One line that names the shard (or the reduce task), the node, and what to do."""
        ray = self._ray
        what = _describe(fn, args, i)
        cause = getattr(exc, "cause", None)
        if isinstance(exc, ray.exceptions.RayTaskError) and isinstance(cause, ThresherError):
            return cause if isinstance(cause, ShardError) or what in str(cause) else type(cause)(f"{what}: {cause}")
        if isinstance(exc, ray.exceptions.RayTaskError):
            return ThresherError(f"{what}: {type(cause).__name__}: {cause} [on {exc.ip}, pid {exc.pid}]")
        kind = {
            "OutOfMemoryError": "its node ran out of memory",
            "WorkerCrashedError": "its worker process died (killed, or out of memory)",
            "NodeDiedError": "its node left the cluster",
            "LocalRayletDiedError": "the Ray node of this driver died",
            "ObjectLostError": "an object it needed was lost with a node",
            "TaskUnschedulableError": "no node can run it",
        }.get(type(exc).__name__, f"Ray failed ({type(exc).__name__})")
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        return ThresherError(f"{what}: {kind}, after {self.max_retries} retries ({first}); completed shards "
                             "are kept: rerun the same command to resume")

    # --- the end ------------------------------------------------------------------------------

    def close(self) -> None:
        """End of a run: remove the marker; leave the cluster unless ``persistent``."""
        if self._marker is not None:
            Path(self._marker[0]).unlink(missing_ok=True)
            self._marker = None
        if not self.persistent:
            self.shutdown()

    def shutdown(self) -> None:
        """Disconnect, and stop the private cluster if this executor started it."""
        ray, self._ray, self._remote = self._ray, None, None
        if ray is not None and self._joined:
            self._joined = False
            # disconnects this driver (the cluster runs on); with the head gone it takes
            # ~5 s, and without it Ray would end this process 60 s later
            ray.shutdown()
        if ray is not None and self._started:
            try:
                ray.shutdown()  # stops the processes ray.init started, and only those
            finally:
                self._started = False
                self._restore_env(ray)
                self._keep_logs()

    def _keep_logs(self) -> None:
        """Remove the private cluster's folder; after a failure keep its logs in the output."""
        if self._temp is None:
            return
        logs = Path(self._temp) / "session_latest" / "logs"
        if self._failed and self._out is not None and logs.is_dir():
            try:
                shutil.copytree(logs, self._out / "_logs" / "ray", dirs_exist_ok=True)
            except OSError:
                pass
        shutil.rmtree(self._temp, ignore_errors=True)
        self._temp = None


def _describe(fn: Callable[..., Any], args: tuple[Any, ...], i: int) -> str:
    if fn is run_shard and args and isinstance(args[0], Job):
        job, shard_index, seg_index = args[0], args[1], args[2]
        shard = job.shards[shard_index]
        return f"shard {shard.name} ({shard.describe()}), segment {seg_index}"
    return f"reduce task {i} ({getattr(fn, '__qualname__', fn)})"


def _connect_error(address: str, exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if "auth" in type(exc).__name__.lower() or "token" in text.lower():
        return (f"the Ray cluster at {address} refused this driver's authentication token ({text}): set "
                "RAY_AUTH_TOKEN, or RAY_AUTH_TOKEN_PATH to a file holding the token the cluster was started "
                "with (`ray get-auth-token` on the head node prints it)")
    return f"could not connect to the Ray cluster at {address}: {type(exc).__name__}: {text}"


__all__ = ["RayExecutor", "check_shared", "object_store_bytes", "parse_address", "probe", "resolve_auto"]
