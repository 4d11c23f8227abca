"""Files a run writes whole or not at all, and the OS locks that keep runs apart.

The bottom layer of nnrecipes (standard library only), shared by the epoch
checkpoint (`nnrecipes.callbacks`) and the export (`nnrecipes.export`):

- `make_staging` makes a hidden folder whose name carries its process id
  and host; `remove_dead_staging` removes only those whose process is gone,
  so a live run's half-written folder is never swept by another run.
- `writing` turns an `OSError` (a full disk, a quota, an I/O error) into a
  `WriteError` that names the folder and what was being written.
- `FileLock` is an exclusive `fcntl.flock` lock on a file: the kernel drops
  it when its process ends, however it ends, so a killed run never leaves a
  lock stuck.
"""

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
import socket
import time

HOST = socket.gethostname()
# Errors that more room would cure; the message then says so.
NO_ROOM = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)


class WriteError(OSError):
    """A file could not be written; the message names the folder and the file.

    Its `errno` is the one of the `OSError` it replaces (e.g. `errno.ENOSPC`).
    """

    def __init__(self, message, code=None):
        super().__init__(code, message)
        self.message = message

    def __str__(self):
        return self.message


@contextlib.contextmanager
def writing(folder, what, errors=(OSError,)):
    """Turns `errors` raised inside the block into one `WriteError`.

    Args:
        folder: the folder being written, named in the message.
        what: what is being written, e.g. `"the epoch-3 checkpoint"`.
        errors: the exception types to convert. Defaults to `(OSError,)`;
            a `WriteError` passes through unchanged.

    Example:
    ```python
    with nnrecipes.storage.writing("runs", "the report"):
        open("runs/report.txt", "w").write(text)
    ```
    """
    try:
        yield
    except (WriteError, TimeoutError):  # TimeoutError: a lock waited on, not a write
        raise
    except errors as error:
        code = getattr(error, "errno", None)
        if code in NO_ROOM:
            reason = (f"{os.strerror(code)} ({free_bytes(folder):,} bytes free there); free "
                      "some space or write elsewhere, then run again")
        else:
            reason = str(getattr(error, "message", None) or error).strip().splitlines()[0]
        raise WriteError(f"Could not write {what} in {folder!r}: {reason}.", code) from error


def free_bytes(folder):
    """Bytes available to this user on the file system of `folder` (or its nearest parent)."""
    probe = os.path.abspath(folder)
    while not os.path.exists(probe) and os.path.dirname(probe) != probe:
        probe = os.path.dirname(probe)
    try:
        stat = os.statvfs(probe)
    except OSError:
        return 0
    return stat.f_bavail * stat.f_frsize


def process_alive(pid):
    """Whether a process `pid` runs on this host."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def make_staging(parent, prefix):
    """Creates a new empty folder `parent/<prefix><pid>-<token>@<host>`; returns its path.

    The folder gets the usual permissions (`0o777` less the umask, as
    `os.makedirs` gives), not `tempfile.mkdtemp`'s private `0o700`, so a
    folder published from it by a rename reads like any other.
    """
    os.makedirs(parent, exist_ok=True)
    while True:
        path = os.path.join(parent, f"{prefix}{os.getpid()}-{secrets.token_hex(4)}@{HOST}")
        try:
            os.mkdir(path)
            return path
        except FileExistsError:
            continue


def staging_owner(name, prefix):
    """The `(pid, host)` a `make_staging` name under `prefix` carries, or None."""
    if not name.startswith(prefix) or "@" not in name:
        return None
    rest, _, host = name[len(prefix):].rpartition("@")
    pid = rest.split("-", 1)[0]
    return (int(pid), host) if pid.isdigit() else None


def remove_dead_staging(parent, prefix):
    """Removes the staging entries under `parent` of processes of this host that are gone.

    Entries of live processes, of other hosts (a shared folder) and of other
    names are left alone.

    Returns:
        The names removed.
    """
    removed = []
    try:
        names = os.listdir(parent)
    except FileNotFoundError:
        return removed
    for name in names:
        owner = staging_owner(name, prefix)
        if owner is None or owner[1] != HOST or process_alive(owner[0]):
            continue
        path = os.path.join(parent, name)
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(FileNotFoundError):
                os.remove(path)
        removed.append(name)
    return removed


class FileLock:
    """An exclusive OS lock on `path` (`fcntl.flock`), released by the kernel when
    its process ends.

    The file itself stays; while the lock is held, `write` stores a short
    text in it (who holds it) that `read` returns to the processes refused.

    Args:
        path: the lock file; created when missing.

    Example:
    ```python
    lock = nnrecipes.storage.FileLock("saved_models/mlp_wine/.publish.lock")
    with lock:  # waits for another holder
        ...
    ```
    """

    def __init__(self, path):
        self.path = path
        self.fd = None

    def acquire(self, blocking=True, timeout=None, poll=0.05):
        """Takes the lock; returns whether it was taken.

        Args:
            blocking: wait for a holder to release it. Defaults to `True`.
            timeout: the most seconds to wait; then `TimeoutError`.
                Defaults to `None` (no limit).
            poll: seconds between tries while waiting. Defaults to `0.05`.
        """
        if self.fd is not None:
            raise RuntimeError(f"The lock {self.path!r} is already held by this object.")
        os.makedirs(os.path.dirname(self.path) or ".", exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o666)
        deadline = None if timeout is None else time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.fd = fd
                return True
            except BlockingIOError:
                if not blocking:
                    os.close(fd)
                    return False
                if deadline is not None and time.monotonic() > deadline:
                    os.close(fd)
                    raise TimeoutError(
                        f"Waited {timeout} s for the lock {self.path!r}, which another "
                        f"process holds: {self.read() or 'unknown'}") from None
                time.sleep(poll)

    def release(self):
        """Clears the holder's text and releases the lock (no-op when not held)."""
        if self.fd is None:
            return
        with contextlib.suppress(OSError):
            os.ftruncate(self.fd, 0)
        fcntl.flock(self.fd, fcntl.LOCK_UN)
        os.close(self.fd)
        self.fd = None

    @property
    def held(self):
        return self.fd is not None

    def write(self, text):
        """Stores `text` in the held lock file (who holds it)."""
        os.ftruncate(self.fd, 0)
        os.pwrite(self.fd, text.encode("utf-8"), 0)

    def read(self):
        """The text the holder stored, or `""`."""
        try:
            with open(self.path, encoding="utf-8") as f:
                return f.read()
        except OSError:
            return ""

    def __enter__(self):
        self.acquire()
        return self

    def __exit__(self, *exc):
        self.release()

    def __del__(self):
        with contextlib.suppress(Exception):
            self.release()
