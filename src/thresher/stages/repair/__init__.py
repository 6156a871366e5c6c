"""Repair: text -> text, every change a recorded edit.

- ``fix_mojibake`` (:mod:`.mojibake`): ftfy's repairs of mojibake, control characters and
  invalid surrogates, as edits on the exact spans changed;
- ``restore_deleted_chars`` (:mod:`.deleted_chars`): apostrophes, dashes and accented
  letters that a bad pipeline deleted, restored from a frequency lexicon
  (:mod:`.lexicon`), or flagged where they cannot be;
- ``redact_pii`` (:mod:`.pii`): e-mail addresses, IP addresses and phone numbers replaced
  by a readable tag.
"""
