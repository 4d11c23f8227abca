"""Staging folders removed only when their process is gone; write errors that name the folder."""

import errno
import os

import pytest

from nnrecipes import storage


def test_staging_of_a_live_process_is_kept_and_a_dead_ones_removed(tmp_path):
    live = storage.make_staging(str(tmp_path), ".tmp-")
    dead = tmp_path / f".tmp-999999999-0000@{storage.HOST}"
    other_host = tmp_path / ".tmp-999999999-0000@another-host"
    dead.mkdir()
    other_host.mkdir()
    assert storage.remove_dead_staging(str(tmp_path), ".tmp-") == [dead.name]
    assert sorted(os.listdir(tmp_path)) == sorted([os.path.basename(live), other_host.name])


def test_a_write_error_names_the_folder_and_what_was_written(tmp_path):
    with pytest.raises(storage.WriteError, match=rf"Could not write the report in "
                                                  rf"'{tmp_path}': No space left on device "
                                                  r"\([\d,]+ bytes free there\)") as error:
        with storage.writing(str(tmp_path), "the report"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
    assert error.value.errno == errno.ENOSPC and isinstance(error.value, OSError)
    with pytest.raises(storage.WriteError, match="Could not write x in '.': boom"):
        with storage.writing(".", "x"):
            raise PermissionError("boom")


def test_a_file_lock_is_exclusive_and_freed_on_release(tmp_path):
    first = storage.FileLock(str(tmp_path / "l"))
    assert first.acquire(blocking=False)
    first.write("me")
    second = storage.FileLock(str(tmp_path / "l"))
    assert not second.acquire(blocking=False) and second.read() == "me"
    with pytest.raises(TimeoutError, match="another process holds: me"):
        second.acquire(timeout=0.2)
    first.release()
    assert second.acquire(blocking=False) and second.read() == ""
    second.release()
