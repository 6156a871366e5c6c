"""extract stage: HTML payloads to main text.

- :mod:`.base`: what every path shares (sniffing, charset decoding, size and depth
  limits, metadata, the :class:`~.base.Extraction` result);
- :mod:`.fast`: lexbor + thresher's own main-content scoring;
- :mod:`.accurate`: trafilatura (under a watchdog) and resiliparse;
- :mod:`.extract`: the ``extract`` step that chooses between them;
- :mod:`.evaluation`: the two published scorers, shared by the benchmark and the gate.
"""
