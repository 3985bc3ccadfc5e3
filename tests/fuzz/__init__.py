"""Differential fuzzing of the comparison engine.

- ``grammar``: random schema pairs, deterministic per (seed, index): a base schema from a
  grammar of every keyword of every draft and a mutated copy, or a one-keyword mutation of
  a SchemaStore document (``/work/shared/corpus/schemastore``, when present).
- ``judges``: jsonschema-rs and python-jsonschema with ECMA-262 patterns (regress).
- ``instances``: edge values, values built from the schemas, the engine's examples,
  hypothesis-jsonschema's, and mutations of those.
- ``attack``: one pair: run the engine, check witnesses, attack ``compatible`` verdicts.
- ``shrink``: minimal reproducers.
- ``runner``: many pairs in worker processes, the report and the reproducer files.

The smoke run is ``tests/test_fuzz.py``; the long run ``bench/fuzz.py``.
"""
