"""Files and folders only this user can touch: the cache, the log, and the files holding the key.

On a shared machine another user may have made the cache folder first, left it writable, or
planted a symbolic link where closetui will write, so that it overwrites a file of their
choosing. So a folder must be ours and writable by nobody else, and a file is opened without
following a symbolic link, and must be a plain file of ours with no other name.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(folder: Path) -> str | None:
    """Make `folder` (0700) or check the one that is there. None when it is fit to keep our
    files in; else why not, in words that finish "The folder … ".

    A folder we just made, or ours with a mode such as 0755, is tightened to 0700. A folder
    another user owns, or that group or others may write into, is refused: what is in it
    cannot be trusted, and anything put there can be tampered with."""
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=FOLDER_MODE)
        found = os.stat(folder)  # a link to a folder of ours elsewhere is fine
    except OSError as exc:
        return f"cannot be written ({exc.strerror or exc})"
    if not stat.S_ISDIR(found.st_mode):
        return "is not a folder"
    if found.st_uid != os.geteuid():
        return f"belongs to another user (uid {found.st_uid})"
    mode = stat.S_IMODE(found.st_mode)
    if mode & 0o022:
        return f"can be written by other users (mode {mode:04o})"
    if mode != FOLDER_MODE:
        with contextlib.suppress(OSError):
            os.chmod(folder, FOLDER_MODE)
    return None


def open_private(path: Path, flags: int) -> int:
    """A descriptor on `path`, created 0600 if missing, never through a symbolic link.

    Raises OSError (with a sentence as its strerror) when the path is a link, or not a plain
    file of ours with one name: a hard link to another file would be as bad as a symlink."""
    # O_NONBLOCK: a FIFO (or a device) there must be refused, not waited on in open() for
    # a reader that never comes; it is cleared once the descriptor is known to be a file.
    try:
        fd = os.open(
            path, flags | os.O_CREAT | os.O_NOFOLLOW | os.O_CLOEXEC | os.O_NONBLOCK, FILE_MODE
        )
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise OSError(
                errno.ELOOP, "it is a symbolic link, which closetui never follows"
            ) from None
        if exc.errno == errno.ENXIO:  # a FIFO with no reader, or a device with no driver
            raise OSError(errno.EINVAL, "it is not a plain file") from None
        raise
    try:
        found = os.fstat(fd)
        if not stat.S_ISREG(found.st_mode):
            raise OSError(errno.EINVAL, "it is not a plain file")
        os.set_blocking(fd, True)
        if found.st_uid != os.geteuid():
            raise OSError(errno.EPERM, f"it belongs to another user (uid {found.st_uid})")
        if found.st_nlink > 1:
            raise OSError(errno.EMLINK, "it has other names (hard links)")
        if stat.S_IMODE(found.st_mode) != FILE_MODE:
            os.fchmod(fd, FILE_MODE)
    except BaseException:
        os.close(fd)
        raise
    return fd


def refuse_link(path: Path) -> None:
    """OSError when `path` is a symbolic link (for files another library opens by name)."""
    if path.is_symlink():
        raise OSError(errno.ELOOP, f"{path.name} is a symbolic link, which closetui never follows")


def readable_by_others(path: Path) -> str | None:
    """The mode, in octal, of a file group or others may read; None when only its owner can
    (or when it cannot be looked at: reading it will say why)."""
    try:
        mode = stat.S_IMODE(path.expanduser().stat().st_mode)
    except OSError:
        return None
    return f"{mode:04o}" if mode & 0o044 else None
