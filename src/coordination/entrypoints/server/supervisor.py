"""The projections in a process of their own, supervised by `coordination serve`.

The views are kept by `coordination projections run --supervised`, started with the
server, started again whenever it stops (after a pause, so a process that cannot start
does not spin), and stopped with the server. It runs at a lower CPU priority, and in a
session of its own, so a Ctrl-C in the terminal reaches the server, which then stops
it; and it stops by itself if the server dies without stopping it. Requests never wait
for a projection: the API's process only writes, and reads what the views hold.
"""

import subprocess
import sys
import threading
from types import TracebackType

import structlog

log = structlog.get_logger()

# At a lower CPU priority: when the cores are busy, writes (which callers wait for) come
# first, and the views catch up in the lulls; even so a tenth of a core keeps them
# within a batch of a write rate far above the office-hours mean (docs/performance.md).
COMMAND = [sys.executable, "-m", "coordination.entrypoints.cli", "projections", "run",
           "--supervised", "--nice", "10"]  # fmt: skip
RESTART_PAUSE = 1.0
STOP_SECONDS = 10.0


class ProjectionProcess:
    def __init__(self, command: list[str] | None = None) -> None:
        self.command = command or COMMAND
        self.restarts = 0
        self._process: subprocess.Popen[bytes] | None = None
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="projections-watch", daemon=True)

    def __enter__(self) -> "ProjectionProcess":
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def pid(self) -> int | None:
        return None if self._process is None else self._process.pid

    def start(self) -> None:
        self._spawn()
        self._watcher.start()

    def stop(self) -> None:
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is None or process.poll() is not None:
            return
        process.terminate()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()

    def _spawn(self) -> None:
        with self._lock:
            if not self._stopping.is_set():
                self._process = subprocess.Popen(self.command, start_new_session=True)  # noqa: S603

    def _watch(self) -> None:
        while not self._stopping.is_set():
            process = self._process
            assert process is not None
            # Blocks in waitpid without waking: the server's process serves meanwhile.
            code = process.wait()
            if self._stopping.wait(RESTART_PAUSE):
                return
            log.warning("projection process stopped; starting it again", exit_code=code)
            self.restarts += 1
            self._spawn()
