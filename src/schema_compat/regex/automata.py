"""Finite automata over code-point classes: the NFA a syntax tree compiles to, its
determinisation (search semantics), minimisation and the product that boolean operations
use, with the budgets that keep each bounded."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from .syntax import (
    MAX_CODE_POINT,
    WORK_PER_DFA_STATE,
    Alt,
    Anchor,
    Chars,
    CharSet,
    Look,
    PatternNode,
    PatternTooLarge,
    Seq,
    UnsupportedPattern,
)

# --------------------------------------------------------------------------- NFA


def nfa_size(node: PatternNode, limit: int) -> int:
    """Thompson states needed for ``node``, saturating just above ``limit``."""
    if isinstance(node, Chars | Anchor):
        return 2
    if isinstance(node, Look):
        return 2 + nfa_size(node.body, limit)
    if isinstance(node, Seq | Alt):
        parts = node.items if isinstance(node, Seq) else node.options
        total = 2
        for part in parts:
            total += nfa_size(part, limit)
            if total > limit:
                return limit + 1
        return total
    copies = node.max if node.max is not None else node.min + 1
    return min(limit + 1, 3 + nfa_size(node.body, limit) * copies)


class NFA:
    """Thompson NFA; each state has at most one character edge."""

    def __init__(self) -> None:
        self.eps: list[list[int]] = []
        self.caret: list[list[int]] = []
        self.dollar: list[list[int]] = []
        self.edge: list[tuple[int, int] | None] = []
        self.charsets: list[CharSet] = []
        self._charset_ids: dict[CharSet, int] = {}

    def state(self) -> int:
        self.eps.append([])
        self.caret.append([])
        self.dollar.append([])
        self.edge.append(None)
        return len(self.edge) - 1

    def char_edge(self, source: int, cs: CharSet, target: int) -> None:
        cid = self._charset_ids.setdefault(cs, len(self.charsets))
        if cid == len(self.charsets):
            self.charsets.append(cs)
        self.edge[source] = (cid, target)

    def emit(self, node: PatternNode) -> tuple[int, int]:
        if isinstance(node, Chars):
            entry, exit_ = self.state(), self.state()
            self.char_edge(entry, node.ranges, exit_)
            return entry, exit_
        if isinstance(node, Look):
            # language.py takes assertions apart where they are regular; here is beyond.
            raise UnsupportedPattern(
                "lookaround assertions are supported only at the top level of a pattern")
        if isinstance(node, Anchor):
            entry, exit_ = self.state(), self.state()
            (self.caret if node.kind == "^" else self.dollar)[entry].append(exit_)
            return entry, exit_
        if isinstance(node, Seq):
            entry = cur = self.state()
            for item in node.items:
                first, last = self.emit(item)
                self.eps[cur].append(first)
                cur = last
            return entry, cur
        if isinstance(node, Alt):
            entry, exit_ = self.state(), self.state()
            for option in node.options:
                first, last = self.emit(option)
                self.eps[entry].append(first)
                self.eps[last].append(exit_)
            return entry, exit_
        entry = cur = self.state()
        for _ in range(node.min):
            first, last = self.emit(node.body)
            self.eps[cur].append(first)
            cur = last
        exit_ = self.state()
        if node.max is None:
            loop = self.state()
            self.eps[cur].append(loop)
            first, last = self.emit(node.body)
            self.eps[loop].extend((first, exit_))
            self.eps[last].append(loop)
        else:
            # Each optional copy may skip straight to the exit, which keeps closures small.
            for _ in range(node.max - node.min):
                self.eps[cur].append(exit_)
                first, last = self.emit(node.body)
                self.eps[cur].append(first)
                cur = last
            self.eps[cur].append(exit_)
        return entry, exit_


# --------------------------------------------------------------------------- DFA


@dataclass(frozen=True)
class DFA:
    """Complete DFA, start state 0. The alphabet is a partition of all code points into
    classes: ``bounds[i]`` starts an interval (up to the next bound) belonging to class
    ``labels[i]``. Kept minimal and canonically numbered, so equal languages compare equal."""

    bounds: tuple[int, ...]
    labels: tuple[int, ...]
    trans: tuple[tuple[int, ...], ...]
    accepting: tuple[bool, ...]

    def class_of(self, cp: int) -> int:
        return self.labels[bisect_right(self.bounds, cp) - 1]


def alphabet(charsets: Sequence[CharSet]) -> tuple[list[int], list[int], list[list[int]]]:
    """Partition refinement of the code points by membership in ``charsets``: returns the
    interval bounds, the class of each interval and the classes making up each charset."""
    points = {0}
    for cs in charsets:
        for lo, hi in cs:
            points.add(lo)
            if hi < MAX_CODE_POINT:
                points.add(hi + 1)
    bounds = sorted(points)
    index = {p: i for i, p in enumerate(bounds)}
    member: list[list[int]] = [[] for _ in bounds]
    for cid, cs in enumerate(charsets):
        for lo, hi in cs:
            end = index[hi + 1] if hi < MAX_CODE_POINT else len(bounds)
            for i in range(index[lo], end):
                member[i].append(cid)
    signature_class: dict[tuple[int, ...], int] = {}
    labels = [signature_class.setdefault(tuple(m), len(signature_class)) for m in member]
    classes_of: list[list[int]] = [[] for _ in charsets]
    for signature, cls in signature_class.items():
        for cid in signature:
            classes_of[cid].append(cls)
    return bounds, labels, classes_of


def too_large(what: str, max_states: int) -> PatternTooLarge:
    return PatternTooLarge(f"too large: {what} exceeds the budget of {max_states} states")


def determinize(nfa: NFA, start: int, final: int, max_states: int) -> DFA:
    bounds, labels, classes_of = alphabet(nfa.charsets)
    n_classes = max(labels) + 1
    n = len(nfa.edge)
    max_work = WORK_PER_DFA_STATE * max_states

    # States from which the end of input can reach `final` through ε and `$` edges.
    reverse: list[list[int]] = [[] for _ in range(n)]
    for s in range(n):
        for t in nfa.eps[s]:
            reverse[t].append(s)
        for t in nfa.dollar[s]:
            reverse[t].append(s)
    accepts_at_end = [False] * n
    accepts_at_end[final] = True
    stack = [final]
    while stack:
        for s in reverse[stack.pop()]:
            if not accepts_at_end[s]:
                accepts_at_end[s] = True
                stack.append(s)

    work = 0

    def closure(seeds: Iterable[int], *, at_start: bool) -> tuple[frozenset[int], bool]:
        # Only states with a character edge matter for transitions; acceptance is folded
        # into a flag, so sets that differ only in ε-states share a DFA state.
        nonlocal work
        seen = set(seeds)
        todo = list(seen)
        while todo:
            s = todo.pop()
            nexts = nfa.eps[s] + nfa.caret[s] if at_start else nfa.eps[s]
            for t in nexts:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        work += len(seen)
        if work > max_work:
            raise too_large("determinisation work", max_states)
        kernel = frozenset(s for s in seen if nfa.edge[s] is not None)
        return kernel, any(accepts_at_end[s] for s in seen)

    def start_accepts() -> bool:
        # At position 0 of the empty string both `^` and `$` hold.
        seen = {start}
        todo = [start]
        while todo:
            s = todo.pop()
            if s == final:
                return True
            for t in nfa.eps[s] + nfa.caret[s] + nfa.dollar[s]:
                if t not in seen:
                    seen.add(t)
                    todo.append(t)
        return False

    start_kernel, _ = closure([start], at_start=True)
    # The start state is never shared: only there does `^` hold.
    sets: list[frozenset[int]] = [start_kernel]
    accepting: list[bool] = [start_accepts()]
    ids: dict[tuple[frozenset[int], bool], int] = {}
    closures: dict[frozenset[int], tuple[frozenset[int], bool]] = {}
    trans: list[list[int]] = []
    i = 0
    while i < len(sets):
        moves: list[set[int]] = [set() for _ in range(n_classes)]
        for s in sets[i]:
            edge = nfa.edge[s]
            assert edge is not None
            cid, target = edge
            for cls in classes_of[cid]:
                moves[cls].add(target)
        row: list[int] = []
        for targets in moves:
            seeds = frozenset(targets)
            closed = closures.get(seeds)
            if closed is None:
                closed = closures[seeds] = closure(seeds, at_start=False)
            sid = ids.get(closed)
            if sid is None:
                if len(sets) >= max_states:
                    raise too_large("the automaton", max_states)
                sid = ids[closed] = len(sets)
                sets.append(closed[0])
                accepting.append(closed[1])
            row.append(sid)
        trans.append(row)
        i += 1
    return finish(bounds, labels, trans, accepting)


def _minimize(trans: Sequence[Sequence[int]], accepting: Sequence[bool]) -> list[int]:
    """Hopcroft's algorithm: the block (equivalence class) of every state."""
    n = len(trans)
    n_classes = len(trans[0])
    groups = [[s for s in range(n) if accepting[s]], [s for s in range(n) if not accepting[s]]]
    blocks: list[set[int]] = [set(g) for g in groups if g]
    block_of = [0] * n
    for b, initial in enumerate(blocks):
        for s in initial:
            block_of[s] = b
    if len(blocks) < 2:
        return block_of
    predecessors: list[dict[int, list[int]]] = [{} for _ in range(n_classes)]
    for s, row in enumerate(trans):
        for c, t in enumerate(row):
            predecessors[c].setdefault(t, []).append(s)
    smaller = 0 if len(blocks[0]) <= len(blocks[1]) else 1
    work = [(smaller, c) for c in range(n_classes)]
    pending = set(work)
    while work:
        splitter = work.pop()
        pending.discard(splitter)
        b, c = splitter
        preds = predecessors[c]
        hit: dict[int, list[int]] = {}
        for t in blocks[b]:
            for s in preds.get(t, ()):
                hit.setdefault(block_of[s], []).append(s)
        for hb, members in hit.items():
            block = blocks[hb]
            if len(members) == len(block):
                continue
            part = set(members)
            rest = block - part
            if len(part) > len(rest):
                part, rest = rest, part
            blocks[hb] = rest
            nb = len(blocks)
            blocks.append(part)
            for s in part:
                block_of[s] = nb
            # The new block is the smaller half, so it is a valid splitter whether or not
            # the old one is still pending.
            for c2 in range(n_classes):
                if (nb, c2) not in pending:
                    pending.add((nb, c2))
                    work.append((nb, c2))
    return block_of


def finish(
    bounds: Sequence[int],
    labels: Sequence[int],
    trans: Sequence[Sequence[int]],
    accepting: Sequence[bool],
) -> DFA:
    """Minimise, merge letter classes that behave alike, and number canonically."""
    block_of = _minimize(trans, accepting)
    n_blocks = max(block_of) + 1
    q_trans: list[list[int]] = [[] for _ in range(n_blocks)]
    q_acc = [False] * n_blocks
    done = [False] * n_blocks
    for s, row in enumerate(trans):
        b = block_of[s]
        if not done[b]:
            done[b] = True
            q_trans[b] = [block_of[t] for t in row]
            q_acc[b] = accepting[s]
    # Class merging must ignore unreachable blocks, or equal languages could end up with
    # different alphabets.
    start = block_of[0]
    reachable = {start}
    queue = [start]
    for b in queue:
        for t in q_trans[b]:
            if t not in reachable:
                reachable.add(t)
                queue.append(t)
    kept = sorted(reachable)
    column_class: dict[tuple[int, ...], int] = {}
    old_to_new: dict[int, int] = {}
    representative: list[int] = []
    new_labels: list[int] = []
    for label in labels:
        if label not in old_to_new:
            column = tuple(q_trans[b][label] for b in kept)
            new = column_class.get(column)
            if new is None:
                new = column_class[column] = len(representative)
                representative.append(label)
            old_to_new[label] = new
        new_labels.append(old_to_new[label])
    order = {start: 0}
    queue = [start]
    for b in queue:
        for c in representative:
            t = q_trans[b][c]
            if t not in order:
                order[t] = len(queue)
                queue.append(t)
    out_bounds: list[int] = []
    out_labels: list[int] = []
    for point, label in zip(bounds, new_labels, strict=True):
        if not out_labels or out_labels[-1] != label:
            out_bounds.append(point)
            out_labels.append(label)
    return DFA(
        tuple(out_bounds),
        tuple(out_labels),
        tuple(tuple(order[q_trans[b][c]] for c in representative) for b in queue),
        tuple(q_acc[b] for b in queue),
    )


def concatenation(a: DFA, b: DFA, max_states: int) -> DFA:
    """The strings ``u + v`` with ``u`` accepted by ``a`` and ``v`` by ``b``."""
    nfa = NFA()

    def embed(d: DFA) -> list[int]:
        ranges: dict[int, list[tuple[int, int]]] = {}
        ends = (*d.bounds[1:], MAX_CODE_POINT + 1)
        for lo, end, label in zip(d.bounds, ends, d.labels, strict=True):
            ranges.setdefault(label, []).append((lo, end - 1))
        live = _live_states(d)
        states = [nfa.state() for _ in d.trans]
        for s, row in enumerate(d.trans):
            if not live[s]:
                continue
            for cls, t in enumerate(row):
                if live[t]:
                    e = nfa.state()
                    nfa.char_edge(e, tuple(ranges[cls]), states[t])
                    nfa.eps[states[s]].append(e)
        return states

    in_a, in_b = embed(a), embed(b)
    final = nfa.state()
    for s, accepting in enumerate(a.accepting):
        if accepting:
            nfa.eps[in_a[s]].append(in_b[0])
    for s, accepting in enumerate(b.accepting):
        if accepting:
            nfa.eps[in_b[s]].append(final)
    return determinize(nfa, in_a[0], final, max_states)


def _live_states(d: DFA) -> list[bool]:
    """The states from which some string leads to acceptance."""
    back: list[list[int]] = [[] for _ in d.trans]
    for s, row in enumerate(d.trans):
        for t in row:
            back[t].append(s)
    live = list(d.accepting)
    todo = [s for s, a in enumerate(live) if a]
    while todo:
        for s in back[todo.pop()]:
            if not live[s]:
                live[s] = True
                todo.append(s)
    return live


def product(a: DFA, b: DFA, keep: Callable[[bool, bool], bool], max_states: int) -> DFA:
    points = sorted(set(a.bounds) | set(b.bounds))
    pair_class: dict[tuple[int, int], int] = {}
    labels = [pair_class.setdefault((a.class_of(p), b.class_of(p)), len(pair_class)) for p in points]
    pairs = list(pair_class)
    index = {(0, 0): 0}
    states = [(0, 0)]
    trans: list[list[int]] = []
    accepting: list[bool] = []
    for p, q in states:
        a_row, b_row = a.trans[p], b.trans[q]
        row: list[int] = []
        for ca, cb in pairs:
            key = (a_row[ca], b_row[cb])
            sid = index.get(key)
            if sid is None:
                if len(states) >= max_states:
                    raise too_large("the combined automaton", max_states)
                sid = index[key] = len(states)
                states.append(key)
            row.append(sid)
        trans.append(row)
        accepting.append(keep(a.accepting[p], b.accepting[q]))
    return finish(points, labels, trans, accepting)


# Characters tried first when a class must be shown as one character: readable ones, and
# lone surrogates last because they cannot be encoded in UTF-8 (or sent to regress).
_PREFERRED: tuple[tuple[int, int], ...] = (
    (0x61, 0x7A),
    (0x30, 0x39),
    (0x41, 0x5A),
    (0x2D, 0x2E),
    (0x5F, 0x5F),
    (0x21, 0x7E),
    (0x20, 0x20),
    (0x09, 0x0D),
    (0xA1, 0x2FF),
    (0x370, 0xD7FF),
    (0xE000, 0xFFFD),
    (0x10000, MAX_CODE_POINT),
    (0x300, 0x36F),
    (0x00, 0x1F),
    (0x7F, 0xA0),
    (0xFFFE, 0xFFFF),
    (0xD800, 0xDFFF),
)


def class_samples(dfa: DFA, per_class: int) -> list[list[tuple[int, int]]]:
    """Up to ``per_class`` (preference rank, code point) samples per class, best first."""
    n_classes = len(dfa.trans[0])
    found: list[list[tuple[int, int]]] = [[] for _ in range(n_classes)]
    ends = (*dfa.bounds[1:], MAX_CODE_POINT + 1)
    for lo, end, label in zip(dfa.bounds, ends, dfa.labels, strict=True):
        hi = end - 1
        for rank, (plo, phi) in enumerate(_PREFERRED):
            first, last = max(lo, plo), min(hi, phi)
            for cp in range(first, min(last, first + per_class - 1) + 1):
                found[label].append((rank, cp))
    out: list[list[tuple[int, int]]] = []
    for candidates in found:
        best: list[tuple[int, int]] = []
        seen: set[int] = set()
        for rank, cp in sorted(candidates):
            if cp not in seen:
                seen.add(cp)
                best.append((rank, cp))
            if len(best) == per_class:
                break
        out.append(best)
    return out
