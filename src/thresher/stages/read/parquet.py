"""Parquet files: one document a row, read a row group at a time."""

from __future__ import annotations

from collections.abc import Iterator
from typing import ClassVar

from thresher.document import Document
from thresher.stages.read.base import Reader, Shard, quarantined
from thresher.stages.read.jsonl import JsonlParams, record_to_document


class ParquetReader(Reader):
    format: ClassVar[str] = "parquet"

    def read(self, shard: Shard) -> Iterator[Document]:
        import pyarrow.parquet as pq

        p: JsonlParams = self.params  # type: ignore[assignment]
        try:
            pf = pq.ParquetFile(shard.path)
        except Exception as exc:  # not a Parquet file, or its footer is damaged
            yield quarantined(shard, "footer", f"unreadable Parquet file: {exc}")
            return
        row = 0
        for rg in range(pf.num_row_groups):
            try:
                table = pf.read_row_group(rg)
            except Exception as exc:
                n = pf.metadata.row_group(rg).num_rows
                yield quarantined(shard, f"row group {rg} (rows {row}-{row + n - 1})", f"unreadable row group: {exc}")
                row += n
                continue
            for rec in table.to_pylist():
                if p.limit is not None and row >= p.limit:
                    return
                yield record_to_document(rec, shard, f"row {row}", p, default_id=f"{shard.path}:{row}")
                row += 1
