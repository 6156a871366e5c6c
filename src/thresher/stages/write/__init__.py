"""Writers: documents out, as Parquet (default) or JSON Lines (plain or gzip).

Every output file is written under a temporary name and renamed into place, so a file
that exists is complete. Writers are deterministic: the same documents give the same
bytes (JSON with sorted keys, gzip with no timestamp, Parquet with a fixed schema).
"""

from __future__ import annotations

from thresher.stages.write.records import (
    FORMATS,
    read_records,
    write_records,
)

__all__ = ["FORMATS", "read_records", "write_records"]
