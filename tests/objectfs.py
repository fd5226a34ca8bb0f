"""File systems with the semantics of object storage, on local files, for tests.

``objfile://`` is what a store on S3 sees: a file appears whole when it is
closed (never half written), a file created with mode ``"xb"`` is refused
(FileExistsError) when the name exists, even when two processes race for it
(a hard link made last), and nothing can be renamed.  Local files make it
shared by processes and Dask workers.

``noexcl://`` is the same without exclusive create: ``"xb"`` overwrites, as
an object store without conditional writes would.
"""

import os
import tempfile
from io import BytesIO

import fsspec
from fsspec.implementations.local import LocalFileSystem


class ObjectLikeFileSystem(LocalFileSystem):
    protocol = ("objfile",)
    exclusive = True

    @classmethod
    def _strip_protocol(cls, path):
        path = str(path)
        for p in cls.protocol:
            if path.startswith(p + "://"):
                path = path[len(p) + 3:]
        return super()._strip_protocol(path)

    def unstrip_protocol(self, name):
        return f"{self.protocol[0]}://{name}"

    def _open(self, path, mode="rb", **kwargs):
        path = self._strip_protocol(path)
        if mode in ("wb", "xb"):
            return _WholeFile(path, mode == "xb" and self.exclusive)
        return super()._open(path, mode, **kwargs)

    def mv(self, *args, **kwargs):
        raise NotImplementedError("an object store cannot rename")

    rename = move = mv


class NoExclusiveFileSystem(ObjectLikeFileSystem):
    protocol = ("noexcl",)
    exclusive = False


class _WholeFile(BytesIO):
    """Written to a temporary file on close, then linked (exclusive) or
    replaced into place: the name never shows a file half written."""

    def __init__(self, path, exclusive):
        super().__init__()
        self.path, self.exclusive, self.done = path, exclusive, False

    def close(self):
        if self.done:
            return
        self.done = True
        folder = os.path.dirname(self.path)
        os.makedirs(folder, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".upload-")
        with os.fdopen(fd, "wb") as fh:
            fh.write(self.getvalue())
        try:
            if self.exclusive:
                os.link(tmp, self.path)  # FileExistsError when the name is taken
            else:
                os.replace(tmp, self.path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
            super().close()


fsspec.register_implementation("objfile", ObjectLikeFileSystem, clobber=True)
fsspec.register_implementation("noexcl", NoExclusiveFileSystem, clobber=True)
