"""Plain-text files: one document a file (a folder of .txt files, or globs)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import ClassVar

from thresher.document import Document
from thresher.stages.read.base import (
    Reader,
    Shard,
    decompression_errors,
    open_binary,
    quarantined,
    strip_compression,
)


class TextReader(Reader):
    format: ClassVar[str] = "text"

    def read(self, shard: Shard) -> Iterator[Document]:
        try:
            with open_binary(shard.path) as f:
                data = f.read(self.params.max_record_bytes + 1)
        except decompression_errors() as exc:
            yield quarantined(shard, "byte 0", f"corrupt or truncated file ({type(exc).__name__}: {exc})")
            return
        if len(data) > self.params.max_record_bytes:
            yield quarantined(shard, "byte 0", f"file larger than max_record_bytes ({self.params.max_record_bytes})")
            return
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            yield quarantined(shard, f"byte {exc.start}", "invalid UTF-8", data.decode("utf-8", "replace"))
            return
        name = os.path.basename(strip_compression(shard.path))
        yield Document(id=name.rsplit(".", 1)[0] if "." in name else name, text=text, source=shard.path,
                       metadata={"path": shard.path})
