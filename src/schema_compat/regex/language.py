"""Regular languages of strings: what a pattern matches, with the boolean operations,
emptiness, inclusion and example generation the diff engine asks for, and the cached entry
points from a pattern's text."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

import regress

from .automata import (
    DFA,
    NFA,
    alphabet,
    class_samples,
    concatenation,
    determinize,
    finish,
    nfa_size,
    product,
    too_large,
)
from .syntax import (
    ANY_CHAR,
    DEFAULT_MAX_STATES,
    NFA_STATES_PER_DFA_STATE,
    Alt,
    Anchor,
    InvalidPattern,
    Look,
    Parser,
    PatternNode,
    PatternSyntaxError,
    Repeat,
    Seq,
    UnsupportedPattern,
)

# --------------------------------------------------------------------------- Language


@dataclass(frozen=True)
class Language:
    """A set of strings (sequences of code points) as a minimal DFA.

    Obtain one from :func:`compile_pattern` or the class constructors. Two languages compare
    equal exactly when they contain the same strings. Operations whose result would exceed
    ``max_states`` raise :class:`PatternTooLarge`.
    """

    _dfa: DFA

    # ----------------------------------------------------------------- constructors

    @classmethod
    def any_string(cls) -> Language:
        """All strings."""
        return cls(DFA((0,), (0,), ((0,),), (True,)))

    @classmethod
    def nothing(cls) -> Language:
        """The empty language."""
        return cls(DFA((0,), (0,), ((0,),), (False,)))

    @classmethod
    def literal(cls, s: str) -> Language:
        """Exactly the one string ``s``."""
        chars = sorted({ord(ch) for ch in s})
        charsets = [((cp, cp),) for cp in chars]
        bounds, labels, classes_of = alphabet(charsets)
        class_of_cp = {cp: classes_of[i][0] for i, cp in enumerate(chars)}
        n_classes = max(labels) + 1
        dead = len(s) + 1
        trans = []
        for i, ch in enumerate(s):
            row = [dead] * n_classes
            row[class_of_cp[ord(ch)]] = i + 1
            trans.append(row)
        trans.extend(([dead] * n_classes, [dead] * n_classes))
        accepting = [i == len(s) for i in range(len(s) + 2)]
        return cls(finish(bounds, labels, trans, accepting))

    @classmethod
    def length_between(
        cls, min_len: int, max_len: int | None, *, max_states: int = DEFAULT_MAX_STATES
    ) -> Language:
        """All strings of ``min_len`` to ``max_len`` code points (``None``: unbounded)."""
        if min_len < 0 or (max_len is not None and max_len < 0):
            raise ValueError("lengths must not be negative")
        if max_len is not None and max_len < min_len:
            return cls.nothing()
        last = min_len if max_len is None else max_len + 1
        if last + 1 > max_states:
            raise too_large(f"a length bound of {last}", max_states)
        trans = [(i + 1,) for i in range(last)]
        trans.append((last,))
        accepting = [i >= min_len and (max_len is None or i <= max_len) for i in range(last + 1)]
        return cls(finish((0,), (0,), trans, accepting))

    # ----------------------------------------------------------------- operations

    def intersection(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
        """Strings in both languages."""
        return Language(product(self._dfa, other._dfa, lambda x, y: x and y, max_states))

    def union(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
        """Strings in either language."""
        return Language(product(self._dfa, other._dfa, lambda x, y: x or y, max_states))

    def difference(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
        """Strings in this language and not in ``other``."""
        return Language(product(self._dfa, other._dfa, lambda x, y: x and not y, max_states))

    def complement(self) -> Language:
        """Strings not in this language."""
        d = self._dfa
        return Language(finish(d.bounds, d.labels, d.trans, [not a for a in d.accepting]))

    def with_length(
        self, min_len: int, max_len: int | None, *, max_states: int = DEFAULT_MAX_STATES
    ) -> Language:
        """The strings of this language with ``min_len``..``max_len`` code points, as
        ``minLength``/``maxLength`` count them."""
        if min_len < 0 or (max_len is not None and max_len < 0):
            raise ValueError("lengths must not be negative")
        if self.is_empty():
            return self
        # Bounds the language already satisfies need no counting states, which matters for
        # the common `maxLength: 1000000` next to an anchored pattern.
        low = 0 if min_len <= self._min_length() else min_len
        longest = self._max_length()
        high = None if max_len is None or (longest is not None and longest <= max_len) else max_len
        if low == 0 and high is None:
            return self
        return self.intersection(
            Language.length_between(low, high, max_states=max_states), max_states=max_states
        )

    # ----------------------------------------------------------------- queries

    def is_empty(self) -> bool:
        """True when no string belongs to the language."""
        # Every state of a canonical DFA is reachable.
        return not any(self._dfa.accepting)

    def is_universal(self) -> bool:
        """True when every string belongs to the language."""
        return all(self._dfa.accepting)

    def includes(self, other: Language, *, max_states: int = DEFAULT_MAX_STATES) -> bool:
        """True when every string of ``other`` belongs to this language (self ⊇ other)."""
        return other.difference(self, max_states=max_states).is_empty()

    def matches(self, s: str) -> bool:
        """Membership of ``s`` (for a compiled pattern: whether the pattern finds a match)."""
        d = self._dfa
        state = 0
        for ch in s:
            state = d.trans[state][d.class_of(ord(ch))]
        return d.accepting[state]

    @property
    def state_count(self) -> int:
        """States of the minimal complete DFA (a size measure for diagnostics)."""
        return len(self._dfa.trans)

    def shortest_example(self, min_len: int = 0, max_len: int | None = None) -> str | None:
        """The shortest member with ``min_len``..``max_len`` code points, preferring readable
        characters; ``None`` if there is none.

        Unlike ``with_length(...).shortest_example()`` this needs no state per unit of length,
        so ``maxLength: 1000000`` or a large ``minLength`` stay cheap.
        """
        if min_len < 0 or (max_len is not None and max_len < min_len):
            return None
        exact, cycle_start = self._exact_length_sets()
        period = len(exact) - cycle_start

        def reaching_in(steps: int) -> frozenset[int]:
            if steps < len(exact):
                return exact[steps]
            return exact[cycle_start + (steps - cycle_start) % period]

        # Whether a length is possible is periodic from `cycle_start` on, so one period past
        # max(min_len, cycle_start) covers every case.
        upper = max(min_len, cycle_start) + period
        if max_len is not None:
            upper = min(upper, max_len + 1)
        length = next((k for k in range(min_len, upper) if 0 in reaching_in(k)), None)
        if length is None:
            return None
        d = self._dfa
        order = self._class_order(1)
        state = 0
        chars: list[str] = []
        for done in range(length):
            wanted = reaching_in(length - done - 1)
            for cls, cps in order:
                target = d.trans[state][cls]
                if target in wanted:
                    chars.append(chr(cps[0]))
                    state = target
                    break
        return "".join(chars)

    def examples(self, n: int = 5) -> list[str]:
        """Up to ``n`` distinct members, short ones first; deterministic."""
        d = self._dfa
        distance = self._distance_to_accept()
        if n <= 0 or distance[0] is None:
            return []
        order = self._class_order(max(2, min(n, 8)))
        found: list[str] = []
        frontier: list[tuple[str, int]] = [("", 0)]
        width = max(8, 4 * n)
        # Keeping the prefixes closest to acceptance guarantees a new member at least
        # every `states` levels, so this bound is never what stops an infinite language.
        for _ in range(n * (len(d.trans) + 1)):
            for prefix, state in frontier:
                if d.accepting[state]:
                    found.append(prefix)
                    if len(found) == n:
                        return found
            children: list[tuple[int, str, int]] = []
            for prefix, state in frontier:
                for cls, cps in order:
                    t = d.trans[state][cls]
                    dist = distance[t]
                    if dist is not None:
                        children.extend((dist, prefix + chr(cp), t) for cp in cps)
            if not children:
                break
            children.sort(key=lambda child: child[0])
            frontier = [(prefix, state) for _, prefix, state in children[:width]]
        return found

    # ----------------------------------------------------------------- helpers

    def _class_order(self, per_class: int) -> list[tuple[int, list[int]]]:
        samples = class_samples(self._dfa, per_class)
        ranked = sorted((best[0], cls) for cls, best in enumerate(samples) if best)
        return [(cls, [cp for _, cp in samples[cls]]) for _, cls in ranked]

    def _distance_to_accept(self) -> list[int | None]:
        d = self._dfa
        reverse: list[list[int]] = [[] for _ in d.trans]
        for s, row in enumerate(d.trans):
            for t in set(row):
                reverse[t].append(s)
        distance: list[int | None] = [0 if a else None for a in d.accepting]
        queue = [s for s, a in enumerate(d.accepting) if a]
        for t in queue:
            for s in reverse[t]:
                if distance[s] is None:
                    dt = distance[t]
                    assert dt is not None
                    distance[s] = dt + 1
                    queue.append(s)
        return distance

    def _exact_length_sets(self) -> tuple[list[frozenset[int]], int]:
        """The sets of states from which acceptance is exactly r steps away, for r = 0, 1, ...
        until the sequence repeats; returns them and the index where the cycle starts."""
        d = self._dfa
        reverse: list[set[int]] = [set() for _ in d.trans]
        for s, row in enumerate(d.trans):
            for t in row:
                reverse[t].add(s)
        current = frozenset(s for s, a in enumerate(d.accepting) if a)
        sequence = [current]
        index = {current: 0}
        # The sequence of subsets is eventually periodic; its period is the lcm of cycle
        # lengths, small for real patterns but not bounded by the state count.
        limit = 10 * max(DEFAULT_MAX_STATES, len(d.trans))
        while True:
            current = frozenset(s for t in current for s in reverse[t])
            seen = index.get(current)
            if seen is not None:
                return sequence, seen
            if len(sequence) >= limit:
                raise too_large("the length analysis", limit)
            index[current] = len(sequence)
            sequence.append(current)

    def _min_length(self) -> int:
        example = self.shortest_example()
        return 0 if example is None else len(example)

    def _max_length(self) -> int | None:
        """Length of the longest member, ``None`` if unbounded (or the language is empty)."""
        d = self._dfa
        live = [dist is not None for dist in self._distance_to_accept()]
        if not live[0]:
            return None
        # Kahn's algorithm over live states: a cycle among them means unbounded length.
        succ = [[t for t in row if live[t]] if live[s] else [] for s, row in enumerate(d.trans)]
        indegree = [0] * len(d.trans)
        for s in range(len(d.trans)):
            for t in succ[s]:
                indegree[t] += 1
        longest: list[int | None] = [None] * len(d.trans)
        longest[0] = 0
        ready = [s for s in range(len(d.trans)) if live[s] and indegree[s] == 0]
        visited = 0
        best = 0
        while ready:
            s = ready.pop()
            visited += 1
            here = longest[s]
            if here is not None and d.accepting[s]:
                best = max(best, here)
            for t in succ[s]:
                if here is not None:
                    there = longest[t]
                    longest[t] = here + 1 if there is None else max(there, here + 1)
                indegree[t] -= 1
                if indegree[t] == 0:
                    ready.append(t)
        if visited < sum(live):
            return None
        return best

    def __repr__(self) -> str:
        example = self.shortest_example()
        return f"<Language states={self.state_count} shortest={example!r}>"


# --------------------------------------------------------------------------- entry points


@lru_cache(maxsize=4096)
def _compile_cached(pattern: str, max_states: int) -> Language | tuple[type[ValueError], str]:
    # Failures are cached too (a refused large pattern can take a while to refuse), as the
    # class and message: re-raising one stored exception object would grow its traceback.
    try:
        return _compile(pattern, max_states)
    except (UnsupportedPattern, InvalidPattern) as exc:
        return type(exc), str(exc)


def _compile(pattern: str, max_states: int) -> Language:
    try:
        regress.Regex(pattern)
    except regress.RegressError as exc:
        raise InvalidPattern(f"invalid ECMA-262 pattern {pattern!r}: {exc}") from None
    except UnicodeEncodeError:
        raise UnsupportedPattern("the pattern contains a lone surrogate") from None
    try:
        node = Parser(pattern).parse()
    except PatternSyntaxError as exc:
        # regress is the judge of validity; a pattern it accepts that we cannot parse is
        # our shortcoming, not the author's mistake.
        raise UnsupportedPattern(f"not understood: {exc}") from None
    if _has_lookaround(node):
        return _with_lookarounds(node, max_states)
    return _search(node, max_states)


def _search(node: PatternNode, max_states: int) -> Language:
    """The strings in which ``node`` finds a match."""
    nfa_limit = NFA_STATES_PER_DFA_STATE * max_states
    if nfa_size(node, nfa_limit) > nfa_limit:
        raise too_large("the expanded pattern", max_states)
    nfa = NFA()
    # Search semantics: any prefix before the match, any suffix after it.
    start = nfa.state()
    nfa.char_edge(start, ANY_CHAR, start)
    entry, exit_ = nfa.emit(node)
    nfa.eps[start].append(entry)
    final = nfa.state()
    nfa.char_edge(final, ANY_CHAR, final)
    nfa.eps[exit_].append(final)
    return Language(determinize(nfa, start, final, max_states))


# Lookarounds. Without backreferences an assertion is a condition on a regular language: at
# the top level of an alternative, where it splits the match into what comes before it (u)
# and after it (v), a lookahead asks that v, the whole rest of the string, be in X·Σ*, and a
# lookbehind that u, all the string before, be in Σ*·X. The language is then a concatenation
# of the two sides, each intersected with (or, negated, stripped of) the condition. An anchor
# that would be read at the split rather than at the edge of the string (`$` before it, `^`
# after it, `^` inside a lookahead, `$` inside a lookbehind), a lookbehind after a lookahead
# and an assertion inside a group or a repetition are refused.


def _has_lookaround(node: PatternNode) -> bool:
    if isinstance(node, Look):
        return True
    if isinstance(node, Seq | Alt):
        return any(_has_lookaround(n) for n in (node.items if isinstance(node, Seq)
                                                else node.options))
    if isinstance(node, Repeat):
        return _has_lookaround(node.body)
    return False


def _has_anchor(node: PatternNode, kind: str) -> bool:
    if isinstance(node, Anchor):
        return node.kind == kind
    if isinstance(node, Look):
        return _has_anchor(node.body, kind)
    if isinstance(node, Seq | Alt):
        return any(_has_anchor(n, kind) for n in (node.items if isinstance(node, Seq)
                                                  else node.options))
    if isinstance(node, Repeat):
        return _has_anchor(node.body, kind)
    return False


def _flat(node: PatternNode) -> tuple[PatternNode, ...]:
    """The items of a sequence, nested sequences (groups) spliced in."""
    if not isinstance(node, Seq):
        return (node,)
    return tuple(x for item in node.items for x in _flat(item))


def _refuse_anchor(items: tuple[PatternNode, ...], kind: str, where: str) -> None:
    if any(_has_anchor(n, kind) for n in items):
        raise UnsupportedPattern(f"a '{kind}' {where} a lookaround assertion is not supported")


def _with_lookarounds(node: PatternNode, max_states: int) -> Language:
    result = Language.nothing()
    for option in node.options if isinstance(node, Alt) else (node,):
        items = _flat(option)
        first = next((i for i, n in enumerate(items) if isinstance(n, Look)), None)
        if first is None:
            lang = _search(Seq(items), max_states)  # assertions nested deeper: refused there
        else:
            lang = _split_search(items, first, max_states)
        result = result.union(lang, max_states=max_states)
    return result


def _split_search(items: tuple[PatternNode, ...], i: int, max_states: int) -> Language:
    """Search semantics for ``items`` whose first assertion is ``items[i]``."""
    look = items[i]
    assert isinstance(look, Look)
    before, after = items[:i], items[i + 1:]
    _refuse_anchor(before, "$", "before")
    prefix = _search(Seq((*before, Anchor("$"))), max_states)  # Σ*·before, up to the split
    if look.ahead:
        suffix = _condition(_anchored(after, max_states), _ahead(look, max_states), look,
                            max_states)
    else:
        _refuse_anchor((look.body,), "$", "inside")
        behind = _search(Seq((look.body, Anchor("$"))), max_states)  # Σ*·X
        prefix = _condition(prefix, behind, look, max_states)
        suffix = _anchored(after, max_states)
    return Language(concatenation(prefix._dfa, suffix._dfa, max_states))


def _anchored(items: tuple[PatternNode, ...], max_states: int) -> Language:
    """The strings that ``items`` match at their start (anything may follow)."""
    _refuse_anchor(items, "^", "after")
    i = next((k for k, n in enumerate(items) if isinstance(n, Look)), None)
    if i is None:
        return _search(Seq((Anchor("^"), *items)), max_states)
    look = items[i]
    assert isinstance(look, Look)
    if not look.ahead:
        raise UnsupportedPattern("a lookbehind after a lookahead is not supported")
    head = items[:i]
    _refuse_anchor(head, "$", "before")
    exact = _search(Seq((Anchor("^"), *head, Anchor("$"))), max_states)
    rest = _condition(_anchored(items[i + 1:], max_states), _ahead(look, max_states), look,
                      max_states)
    return Language(concatenation(exact._dfa, rest._dfa, max_states))


def _ahead(look: Look, max_states: int) -> Language:
    """X·Σ*: the rests of strings a lookahead's body matches at their start."""
    _refuse_anchor((look.body,), "^", "inside")
    return _search(Seq((Anchor("^"), look.body)), max_states)


def _condition(lang: Language, cond: Language, look: Look, max_states: int) -> Language:
    if look.negative:
        return lang.difference(cond, max_states=max_states)
    return lang.intersection(cond, max_states=max_states)


def compile_pattern(pattern: str, *, max_states: int = DEFAULT_MAX_STATES) -> Language:
    """The set of strings in which the ECMA-262 ``pattern`` finds a match (JSON Schema
    ``pattern`` semantics). Memoized.

    Raises :class:`InvalidPattern` for syntax errors, :class:`UnsupportedPattern` for
    constructs outside the supported subset and :class:`PatternTooLarge` past the budget.
    """
    result = _compile_cached(pattern, max_states)
    if isinstance(result, Language):
        return result
    error_type, message = result
    raise error_type(message)


def pattern_includes(a: str, b: str, *, max_states: int = DEFAULT_MAX_STATES) -> bool | None:
    """Whether every string matched by pattern ``a`` is matched by pattern ``b``.

    ``None`` when either pattern is unsupported or the question exceeds the budget;
    :class:`InvalidPattern` propagates.
    """
    try:
        return compile_pattern(b, max_states=max_states).includes(
            compile_pattern(a, max_states=max_states), max_states=max_states
        )
    except UnsupportedPattern:
        return None


def counterexample(a: str, b: str, *, max_states: int = DEFAULT_MAX_STATES) -> str | None:
    """A shortest string matched by pattern ``a`` and not by pattern ``b``.

    ``None`` when there is none *or* it cannot be decided; use :func:`pattern_includes` to
    tell the two apart.
    """
    try:
        language_a = compile_pattern(a, max_states=max_states)
        language_b = compile_pattern(b, max_states=max_states)
        return language_a.difference(language_b, max_states=max_states).shortest_example()
    except UnsupportedPattern:
        return None


def examples_matching(
    patterns: Iterable[str],
    n: int = 5,
    *,
    min_len: int = 0,
    max_len: int | None = None,
    max_states: int = DEFAULT_MAX_STATES,
) -> list[str] | None:
    """Up to ``n`` strings matched by every pattern and within the length bounds.

    An empty list means no string satisfies them all; ``None`` means undecided
    (unsupported pattern or over budget).
    """
    try:
        language = Language.any_string()
        for pattern in patterns:
            language = language.intersection(
                compile_pattern(pattern, max_states=max_states), max_states=max_states
            )
        return language.with_length(min_len, max_len, max_states=max_states).examples(n)
    except UnsupportedPattern:
        return None
