"""All-or-nothing output: a lock on the output folder, generation folders, one atomic switch.

Layout of an output folder:

    .lock                      held (fcntl.flock) by the run writing here; the OS frees it
                               when that process ends, however it ends
    .generations/<n>/          one complete set of tables (+ datapackage.json)
    .current -> .generations/<n>   the published set: replaced in one `os.replace`
    facts.parquet -> .current/facts.parquet    the names users read, created once
    .cache/                    reserved for the incremental-run cache; never touched here

A run writes its set into a new generation folder, makes it durable, then switches
`.current`: a reader sees the old set or the new one, never a mix, after a kill at any
point. Whatever a killed run left (generation folders that are not current, temporary
links, the older writer's `.<name>.parquet.tmp-*` files) is removed by the next run.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
import signal
import threading
from collections.abc import Iterator
from pathlib import Path

LOCK = ".lock"
GENERATIONS = ".generations"
CURRENT = ".current"
# Test hook: the name of a step at which the process kills itself with SIGKILL.
KILL_AT_ENV = "DRUGREPORT_TEST_KILL_AT"
_STALE = re.compile(r"^\.(?:current|[\w-]+\.parquet|datapackage\.json)\.tmp-\d+$")


class OutputBusy(RuntimeError):
    """Another run holds the output folder's lock."""


def checkpoint(step: str) -> None:
    """Die here, as `kill -9` would, when the test hook names this step (`step:INT` sends
    SIGINT instead, as Ctrl-C would)."""
    hook = os.environ.get(KILL_AT_ENV)
    if hook == step:
        os.kill(os.getpid(), signal.SIGKILL)
    elif hook == f"{step}:INT":
        os.kill(os.getpid(), signal.SIGINT)


def fsync_dir(directory: Path) -> None:
    """Make renames and new entries durable; not every platform lets a folder be opened."""
    with contextlib.suppress(OSError):
        fd = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class OutputLock:
    """Exclusive lock on `<out>/.lock`; a second run on the folder gets `OutputBusy`."""

    def __init__(self, out_dir: Path) -> None:
        self.path = out_dir / LOCK
        self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(self._fd)
            self._fd = None
            if exc.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise OutputBusy(f"another run is writing to {out_dir}/ (it holds "
                                 f"{self.path}); wait for it to finish") from exc
            raise

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing drops the flock
            self._fd = None


def current_generation(out_dir: Path) -> Path | None:
    """The published generation folder, or None before the first run."""
    try:
        target = os.readlink(out_dir / CURRENT)
    except (FileNotFoundError, OSError):
        return None
    path = out_dir / target
    return path if path.is_dir() else None


def remove_stale(out_dir: Path) -> list[Path]:
    """Remove what killed runs left: unpublished generations and temporary files."""
    current = current_generation(out_dir)
    removed = []
    generations = out_dir / GENERATIONS
    if generations.is_dir():
        for entry in sorted(generations.iterdir()):
            if current is None or entry.name != current.name:
                _remove(entry)
                removed.append(entry)
    for entry in sorted(out_dir.iterdir()):
        if _STALE.match(entry.name):
            _remove(entry)
            removed.append(entry)
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            path.unlink()


def new_generation(out_dir: Path) -> Path:
    """A fresh, empty generation folder numbered after every existing one."""
    generations = out_dir / GENERATIONS
    generations.mkdir(exist_ok=True)
    numbers = [int(p.name) for p in generations.iterdir() if p.name.isdigit()]
    path = generations / str(max(numbers, default=0) + 1)
    path.mkdir()
    return path


def _replace_with_link(path: Path, target: str) -> None:
    """Point `path` at `target` (relative) in one atomic step, whatever `path` was."""
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    with contextlib.suppress(FileNotFoundError):
        tmp.unlink()
    os.symlink(target, tmp)
    os.replace(tmp, path)


def _link_target(name: str) -> str:
    return f"{CURRENT}/{name}"


def _adopt_plain_files(out_dir: Path, names: list[str]) -> None:
    """Tables written by the earlier writer (plain files, no `.current`) become a generation
    first, so that replacing them by links never shows a mix of sets."""
    plain = [n for n in names if (out_dir / n).is_file() and not (out_dir / n).is_symlink()]
    if not plain:
        return
    gen = new_generation(out_dir)
    current = current_generation(out_dir)
    sources = {p.name: p for p in current.iterdir()} if current else {}
    sources.update({n: out_dir / n for n in plain})
    for name, source in sorted(sources.items()):
        try:
            os.link(source, gen / name)
        except OSError:
            shutil.copy2(source, gen / name)
    fsync_dir(gen)
    _switch(out_dir, gen)
    for name in plain:
        _replace_with_link(out_dir / name, _link_target(name))
    fsync_dir(out_dir)
    if current is not None:
        _remove(current)


def _switch(out_dir: Path, gen: Path) -> None:
    _replace_with_link(out_dir / CURRENT, f"{GENERATIONS}/{gen.name}")
    fsync_dir(out_dir)


@contextlib.contextmanager
def _interrupts_deferred() -> Iterator[list[int]]:
    """Hold Ctrl-C while the pointer switches, so "replaced or not" is never in doubt;
    the interrupt is raised right after, saying the new set was published."""
    if threading.current_thread() is not threading.main_thread():
        yield []
        return
    received: list[int] = []
    previous = signal.signal(signal.SIGINT, lambda signum, frame: received.append(signum))
    try:
        yield received
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise KeyboardInterrupt("the new tables had been published when it came")


def publish(out_dir: Path, gen: Path) -> list[Path]:
    """Make `gen` the published set: durable files, links for every name, one switch of
    `.current`, then the previous generation and links of names no longer written go.
    Returns the paths users read."""
    names = sorted(p.name for p in gen.iterdir())
    for path in sorted(gen.iterdir()):
        fsync_file(path)
    fsync_dir(gen)
    fsync_dir(gen.parent)
    checkpoint("synced")
    _adopt_plain_files(out_dir, names)
    checkpoint("adopted")
    previous = current_generation(out_dir)
    for name in names:
        link = out_dir / name
        if not (link.is_symlink() and os.readlink(link) == _link_target(name)):
            _replace_with_link(link, _link_target(name))
    fsync_dir(out_dir)
    checkpoint("linked")
    with _interrupts_deferred():
        _switch(out_dir, gen)
        checkpoint("switched")
        for link in sorted(out_dir.iterdir()):
            if (link.is_symlink() and os.readlink(link).startswith(f"{CURRENT}/")
                    and link.name not in names):
                link.unlink()
        if previous is not None and previous != gen:
            _remove(previous)
        checkpoint("cleaned")
    return [out_dir / name for name in names]
