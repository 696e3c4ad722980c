"""Opening the database file safely, and the one way to write to it.

:class:`Database` wraps one ``sqlite3`` connection. It refuses files that are not ours
before changing anything (a foreign, truncated or newer file is left exactly as it was),
opens read-only users so that they create nothing beside the file, creates a new file with
the permissions the folder and umask ask for (SQLite itself always uses 0644), and checks
before every write that the file on disk is still the one it opened (deleted or replaced
files are refused instead of written into).

:meth:`Database.transaction` nests: the outermost level is ``BEGIN IMMEDIATE`` (every read
a write depends on happens after it, so two sessions cannot overwrite each other), inner
levels are savepoints, as in sqlite-utils' ``Database.atomic()``.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from ..errors import AnnotatorError, DatabaseBusy

#: How long a writer waits for another writer's lock before giving up.
BUSY_TIMEOUT_SECONDS = 30.0

SQLITE_HEADER = b"SQLite format 3\x00"


def busy_timeout() -> float:
    """The busy timeout in seconds: $ANNOTATOR_BUSY_TIMEOUT if set (tests lower it), else the default."""
    raw = os.environ.get("ANNOTATOR_BUSY_TIMEOUT", "").strip()
    if not raw:
        return BUSY_TIMEOUT_SECONDS
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value < 86400:
        raise AnnotatorError(f"ANNOTATOR_BUSY_TIMEOUT={raw!r} must be a number of seconds (e.g. 30)")
    return value


def max_pages() -> int | None:
    """$ANNOTATOR_MAX_PAGES: a cap on the database size in pages (simulates a full disk in tests)."""
    raw = os.environ.get("ANNOTATOR_MAX_PAGES", "").strip()
    if not raw:
        return None
    if not raw.isdigit() or int(raw) < 1:
        raise AnnotatorError(f"ANNOTATOR_MAX_PAGES={raw!r} must be a positive whole number of pages")
    return int(raw)


def file_uri(path: str | Path, **params: str) -> str:
    """A ``file:`` URI for ``path`` with every special character escaped (``#``, ``?``, ``%``, spaces)."""
    from urllib.parse import quote

    resolved = str(Path(path).resolve())
    uri = "file:" + quote(resolved, safe="/")
    if params:
        uri += "?" + "&".join(f"{k}={v}" for k, v in params.items())
    return uri


def quote_name(name: str) -> str:
    """An SQL identifier, quoted."""
    return '"' + name.replace('"', '""') + '"'


def friendly(exc: sqlite3.Error, path: str) -> AnnotatorError:
    """An sqlite3 error as the one line a user can act on."""
    text = str(exc)
    if "locked" in text or "busy" in text:
        return DatabaseBusy(
            f"database {path} is locked by another process for over {busy_timeout():g} s: "
            "nothing was changed; try again"
        )
    if "readonly" in text or "read-only" in text:
        return AnnotatorError(f"database {path} is read-only: nothing was changed (ask for write permission)")
    if "full" in text:
        return AnnotatorError(f"database {path} is full (disk or size limit): the last action was not saved; free space and retry")
    if "malformed" in text or "not a database" in text:
        return AnnotatorError(f"database {path} is damaged ({text}): restore it from a copy")
    return AnnotatorError(f"database {path}: {text}")


def check_not_truncated(path: Path, head: bytes) -> None:
    """Refuse a file shorter than its header says (a cut-off copy or download).

    SQLite reads the missing pages as zeros without complaint, and the next
    write would make the loss permanent. Skipped while a WAL or rollback journal
    holds pages the main file does not have yet.
    """
    if head and len(head) < 100:
        raise AnnotatorError(f"database {path} is truncated ({len(head)} bytes, less than a SQLite header): restore it from a copy")
    if len(head) < 100:
        return
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    if pages == 0 or head[24:28] != head[92:96]:
        return  # the in-header size is not valid (an old writer): SQLite uses the file size
    for suffix in ("-wal", "-journal"):
        extra = Path(f"{path}{suffix}")
        if extra.exists() and extra.stat().st_size > 0:
            return
    size = path.stat().st_size
    if size < pages * page_size:
        raise AnnotatorError(
            f"database {path} is truncated ({size} of {pages * page_size} bytes): restore it from a copy"
        )


def read_header(path: Path, size: int = 100) -> bytes:
    """The first bytes of a database file, read without breaking SQLite's locks.

    POSIX locks belong to the process, not to a file descriptor: closing *any* descriptor on
    the database file drops every lock this process's connections hold on it, and another
    process may then checkpoint under them ("database disk image is malformed"). So when a
    connection of ours already has the file open (the screens' writer thread opens a second
    one), read through its descriptor (``pread`` moves no lock); only when none has it open
    (nothing to lose) is the file opened and closed.
    """
    fd = _open_descriptor(path)
    if fd is not None:
        try:
            return os.pread(fd, size, 0)
        except OSError:
            pass
    with open(path, "rb") as fh:
        return fh.read(size)


def _open_descriptor(path: Path) -> int | None:
    """A descriptor this process already holds on ``path``'s file (Linux /proc), or None."""
    try:
        target = os.stat(path)
        entries = os.listdir("/proc/self/fd")
    except OSError:
        return None
    for entry in entries:
        try:
            fd = int(entry)
            st = os.fstat(fd)
        except (OSError, ValueError):
            continue
        if (st.st_dev, st.st_ino) == (target.st_dev, target.st_ino) and os.readlink(f"/proc/self/fd/{fd}"):
            return fd
    return None


def _create_file(path: Path) -> None:
    """Create an empty database file whose mode follows the umask (and the folder's setgid group).

    SQLite creates new files 0644 whatever the umask, so on a shared server a team's
    ``umask 002`` would not make the database group-writable; SQLite later gives the
    ``-wal`` and ``-shm`` files the same mode as the database, so this one decision is enough.
    An empty file is a valid empty SQLite database.
    """
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        return
    except OSError as exc:
        raise AnnotatorError(f"cannot create database {path}: {exc.strerror}") from None
    os.close(fd)


class Database:
    """One connection to an annotator database file (or ``:memory:``).

    Not shared across threads: a thread that writes opens its own.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        self.readonly = False
        self.busy_timeout = busy_timeout()
        self.max_pages = max_pages()
        self._identity: tuple[int, int] | None = None
        self._depth = 0
        self._gone: str | None = None
        self.conn = self._connect()

    # opening

    def _connect(self) -> sqlite3.Connection:
        path = self.path
        immutable = False
        if path != ":memory:":
            p = Path(path)
            if p.is_dir():
                raise AnnotatorError(f"database {path} is a directory: pass a file path to --db")
            if p.exists():
                head = read_header(p)
                if head and head[:16] != SQLITE_HEADER:
                    raise AnnotatorError(f"{path} is not an annotator database (not a SQLite file): pass another --db")
                check_not_truncated(p, head)
                self.readonly = not os.access(p, os.W_OK) or not os.access(p.parent or Path("."), os.W_OK)
            elif not p.parent.exists():
                raise AnnotatorError(f"cannot create database {path}: folder {p.parent} does not exist")
            else:
                _create_file(p)
            if self.readonly:
                # A reader must create nothing beside the file: a -wal/-shm owned by a reader (0644)
                # locks the owner out. With no -wal the main file holds everything: read it immutable.
                immutable = not any(Path(f"{p}{s}").exists() for s in ("-wal", "-shm"))
        try:
            if self.readonly:
                params = {"mode": "ro", **({"immutable": "1"} if immutable else {})}
                conn = sqlite3.connect(
                    file_uri(path, **params), uri=True,
                    timeout=self.busy_timeout, isolation_level=None, check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(path, timeout=self.busy_timeout, isolation_level=None, check_same_thread=False)
            conn.execute("PRAGMA foreign_keys=OFF")
            conn.execute("PRAGMA synchronous=NORMAL" if not self.readonly else "PRAGMA query_only=1")
            if self.max_pages is not None and not self.readonly:
                conn.execute(f"PRAGMA max_page_count = {self.max_pages}")
            conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except sqlite3.DatabaseError as exc:
            raise AnnotatorError(f"cannot open database {path}: {exc}") from None
        if path != ":memory:":
            st = os.stat(path)
            self._identity = (st.st_dev, st.st_ino)
        return conn

    def use_wal(self) -> None:
        """Switch to WAL (readers and a writer at once), only once the file is known to be ours.

        Changing the journal mode rewrites the file header, so doing it before the
        version check altered newer or foreign databases that were then refused.
        """
        if self.readonly or self.path == ":memory:":
            return
        try:
            mode = self.conn.execute("PRAGMA journal_mode=WAL").fetchone()[0]
            if mode.lower() != "wal":  # pragma: no cover - depends on the file system
                self.conn.execute("PRAGMA journal_mode=DELETE")
        except sqlite3.DatabaseError as exc:
            raise friendly(exc, self.path) from None

    def close(self) -> None:
        self.conn.close()

    # the file under us

    def check_same_file(self) -> None:
        """Refuse to write when the file at our path is no longer the one we opened.

        Deleted: SQLite would go on writing into the unlinked inode and report success.
        Replaced (a copy moved over it, a restore): our WAL would be applied to another file,
        which then reads as "database disk image is malformed".
        """
        if self._gone:
            raise AnnotatorError(self._gone)
        if self._identity is None:
            return
        try:
            st = os.stat(self.path)  # a stat opens nothing: no lock of ours is dropped
        except OSError:
            st = None
        head = b""
        if st is not None and (st.st_dev, st.st_ino) == self._identity:
            fd = _open_descriptor(Path(self.path))
            head = os.pread(fd, 16, 0) if fd is not None else b""
        if st is None or (st.st_dev, st.st_ino) != self._identity or st.st_nlink == 0:
            what = "deleted" if st is None else "replaced by another file"
        elif head and head != SQLITE_HEADER:
            what = "overwritten with something that is not SQLite"
        else:
            return
        self._gone = (
            f"database {self.path} was {what} while this session had it open: nothing was changed; "
            "restart annotator (check the file first)"
        )
        self._release_wal()
        raise AnnotatorError(self._gone)

    def _release_wal(self) -> None:
        """Move what our WAL holds into the file we opened (its old inode) and empty the WAL.

        The ``-wal`` beside the path is still ours: left with frames in it, the next process to
        open the new file would apply our pages to it ("database disk image is malformed").
        """
        try:
            self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        except sqlite3.Error:
            pass

    # reading

    def query(self, sql: str, args: Any = ()) -> list[dict[str, Any]]:
        """Rows as dicts (column name -> value)."""
        cursor = self.conn.execute(sql, args)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor]

    def one(self, sql: str, args: Any = ()) -> dict[str, Any] | None:
        cursor = self.conn.execute(sql, args)
        row = cursor.fetchone()
        return None if row is None else dict(zip([d[0] for d in cursor.description], row))

    def scalar(self, sql: str, args: Any = ()) -> Any:
        row = self.conn.execute(sql, args).fetchone()
        return None if row is None else row[0]

    def table_names(self) -> list[str]:
        return [r[0] for r in self.conn.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]

    @property
    def data_version(self) -> int:
        """Changes when another connection commits (``PRAGMA data_version``): a cheap poll for live refresh."""
        return self.conn.execute("PRAGMA data_version").fetchone()[0]

    # writing

    @property
    def in_transaction(self) -> bool:
        return self._depth > 0

    @contextmanager
    def transaction(self) -> Iterator[None]:
        """All of it lands, or none of it. Nested calls are savepoints inside the outer transaction."""
        if self.readonly:
            raise AnnotatorError(f"database {self.path} is read-only: nothing was changed (ask for write permission)")
        if self._depth:
            name = f"sp{self._depth}"
            self.conn.execute(f"SAVEPOINT {name}")
            self._depth += 1
            try:
                yield
            except BaseException:
                self.conn.execute(f"ROLLBACK TO {name}")
                self.conn.execute(f"RELEASE {name}")
                raise
            else:
                self.conn.execute(f"RELEASE {name}")
            finally:
                self._depth -= 1
            return
        self.check_same_file()
        try:
            self.conn.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            raise friendly(exc, self.path) from None
        self._depth = 1
        try:
            yield
            self.conn.execute("COMMIT")
        except BaseException as exc:
            if self.conn.in_transaction:
                self.conn.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise friendly(exc, self.path) from None
            raise
        finally:
            self._depth = 0
