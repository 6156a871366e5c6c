"""The stages of the flow, one package each: read, extract, repair, language, segment,
clean, filter, dedup, write."""
