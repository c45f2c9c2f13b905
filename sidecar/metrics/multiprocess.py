"""prometheus-client's multiprocess mode under gunicorn: one directory of per-process files, merged at scrape.

gunicorn forks web processes; each counts into its own memory, so a scrape answered by one would see a
fraction of the counts. In multiprocess mode (`PROMETHEUS_MULTIPROC_DIR`) every process writes its values
to files in that directory and a scrape merges them (`MultiProcessCollector`). The directory must exist,
be empty when the server starts, and be set before the first value is counted: `sidecar serve` and
`sidecar demo` make a fresh temporary one when metrics are on and none is configured (and remove it when
the master exits), the Procfile's gunicorn does the same through `gunicorn.py`'s `on_starting`.
"""
from __future__ import annotations

import atexit
import os
import shutil
import tempfile

from prometheus_client import multiprocess, values

ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The configured multiprocess directory, or None in single-process mode."""
    return os.environ.get(ENV) or None


def prepare_multiprocess_dir() -> str:
    """Use PROMETHEUS_MULTIPROC_DIR, or make a fresh temporary directory; call before forking or counting."""
    path = multiprocess_dir()
    if path is None:
        path = tempfile.mkdtemp(prefix="sidecar-metrics-")
        atexit.register(_remove_if_owner, path, os.getpid())
    os.makedirs(path, exist_ok=True)
    use_multiprocess_dir(path)
    return path


def _remove_if_owner(path: str, owner: int) -> None:
    # Forked web processes inherit this hook and may exit through sys.exit: only the master removes it.
    if os.getpid() == owner:
        shutil.rmtree(path, ignore_errors=True)


def use_multiprocess_dir(path: str) -> None:
    """Count into files under `path` from now on (this process and those it forks)."""
    os.environ[ENV] = path
    if values.ValueClass is values.MutexValue:
        # prometheus-client chose single-process values when it was imported (the variable was unset then).
        # The sidecar's families all have labels, so no value exists before the first count: choosing now,
        # before anything is counted or forked, is in time (tests/metrics/test_multiprocess.py shows it).
        values.ValueClass = values.MultiProcessValue()


def mark_dead(pid: int) -> None:
    """Tell the multiprocess files that a process is gone (gunicorn's child_exit hook)."""
    if multiprocess_dir() is not None:
        multiprocess.mark_process_dead(pid)
