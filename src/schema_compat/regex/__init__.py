"""ECMA-262 patterns (JSON Schema ``pattern``) as finite automata over Unicode code points.

The diff engine asks questions that a matcher cannot answer: does every string matched by one
pattern also match another, and if not, which short string tells them apart? This module
parses the regular subset of ECMA-262 pattern syntax, compiles it with *search* semantics (the
way ``pattern`` is applied) to a minimal deterministic automaton, and offers the boolean
operations, emptiness, inclusion and example generation on top of it.

Semantics follow ``regress`` without flags (ECMA-262 with the Annex B syntax extensions), which
reads the subject as a sequence of code points: ``.`` and ``[^a]`` match one astral character.
Constructs that are not regular, or that validators read differently, raise
:class:`UnsupportedPattern`, so a caller can report "unknown" rather than a wrong answer.
See ``docs/regex.md``.

The package is the pipeline of a pattern: ``syntax`` (parser and syntax tree), ``automata``
(NFA, DFA, product), ``language`` (the regular language and its operations).
"""

from __future__ import annotations

from .language import (
    Language,
    compile_pattern,
    counterexample,
    examples_matching,
    pattern_includes,
)
from .syntax import DEFAULT_MAX_STATES, InvalidPattern, PatternTooLarge, UnsupportedPattern

__all__ = [
    "DEFAULT_MAX_STATES",
    "InvalidPattern",
    "Language",
    "PatternTooLarge",
    "UnsupportedPattern",
    "compile_pattern",
    "counterexample",
    "examples_matching",
    "pattern_includes",
]
