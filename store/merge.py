"""Merge concurrent edits of one text field, so nothing anyone types is lost.

Each participant sends ``(base, mine)``: the text their screen showed and the
text they made of it.  The store holds ``theirs``, which others may have
changed since ``base``.  One edit is replayed onto the other with
diff-match-patch; when that cannot be done safely, both texts are kept with a
visible separator and the caller is told there was a conflict.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from diff_match_patch import diff_match_patch

# Plain ASCII between blank lines: no square brackets (Rich markup) and no
# leading ">" or "#" (a quote or heading in the exported Markdown).
CONFLICT_SEPARATOR = "\n\n<<< typed at the same time, both versions kept >>>\n\n"

_DELETE, _INSERT, _EQUAL = diff_match_patch.DIFF_DELETE, diff_match_patch.DIFF_INSERT, diff_match_patch.DIFF_EQUAL


@dataclass(frozen=True)
class Merged:
    text: str
    conflict: bool  # True when the two versions could not be merged and were both kept


def _dmp() -> diff_match_patch:
    """diff-match-patch tuned for short human text, where a conflict beats a wrong place.

    Patches are looked for where their base text now lies (``_replay``), so the
    right place is at, or a few characters from, the expected one.  Match_Distance
    100 (default 1000): a match 50 characters off costs as much as 50% wrong
    context, so a look-alike phrase elsewhere is not taken.  Match_Threshold 0.5
    (the default, on purpose): a second insert at the same spot makes up to half
    of the 4 + 4 context characters around an insert wrong, and both must go in.
    Patch_DeleteThreshold 0.1 (default 0.5): deleting a long passage someone
    changed meanwhile is refused, not applied to it.  Diff_Timeout 0.1 s (default
    1 s): a field pasted over whole must not stall a save (a cut-short diff only
    makes the checks in ``merge_text`` stricter).
    """
    dmp = diff_match_patch()
    dmp.Match_Distance = 100
    dmp.Match_Threshold = 0.5
    dmp.Patch_DeleteThreshold = 0.1
    dmp.Diff_Timeout = 0.1
    return dmp


def merge_text(base: str, mine: str, theirs: str, placed: bool = False) -> Merged:
    """Both edits of ``base`` in one text or, if that is not safe, both texts kept.

    If one text already makes the other's edit (the same typo fixed twice,
    the same word deleted twice) it is the result, but text typed by both is
    kept twice (each typed it); edits to different parts of base are
    applied together exactly; else mine is replayed onto theirs, or theirs
    onto mine (fuzzy matching can work one way round and not the other), and
    a replay is taken only if it keeps exactly both edits.

    ``placed``: theirs is what a write of this terminal's own made of base
    (base is the text it sent), so the store has already put others' text
    where it belongs around base's; where both insert at one place, mine (typed
    on since) goes right after base's, first (see ``_merge_exact``).
    """
    if mine == base:
        return Merged(theirs, False)
    if theirs == base:
        return Merged(mine, False)
    if not base:  # two fresh texts in an empty field: one per line, not glued together
        return Merged(theirs + "\n" + mine, False)
    dmp = _dmp()
    to_mine, to_theirs = dmp.diff_main(base, mine), dmp.diff_main(base, theirs)
    (mine_origin, by_mine), (theirs_origin, by_theirs) = _trace(to_mine), _trace(to_theirs)

    def whole(text: str) -> bool:
        """Nothing of either side is missing unless the other deleted it; each typed run is in one piece."""
        return (
            all(mine_origin[i] in by_theirs for i in _trace(dmp.diff_main(mine, text))[1])
            and all(theirs_origin[i] in by_mine for i in _trace(dmp.diff_main(theirs, text))[1])
            and _runs_whole(text, to_mine + to_theirs)
        )

    mine_edits, theirs_edits = _edits(to_mine), _edits(to_theirs)
    if _holds(theirs_edits, mine_edits):
        return Merged(theirs, False)
    if _holds(mine_edits, theirs_edits):
        return Merged(mine, False)
    # A true merge has base's characters that neither side deleted and all either side typed:
    # no more (nothing doubled, no deleted text revived), as whole() ensures no fewer.
    expected = Counter(mine) + Counter(theirs) + Counter(base[i] for i in by_mine & by_theirs) - Counter(base)
    exact = _merge_exact(mine_edits, theirs_edits if placed else _earliest(theirs_edits, mine_edits, base), base)
    if exact is not None and not placed and not _runs_whole(exact, to_mine + to_theirs):
        # Moved earlier, the first part of their insert left the rest on the other side of my typing ("b" then
        # "ba" became "bb a"): as the diff shows it, it stays whole.
        as_typed = _merge_exact(mine_edits, theirs_edits, base)
        exact = as_typed if as_typed is not None and _runs_whole(as_typed, to_mine + to_theirs) else exact
    if exact is not None:
        return Merged(exact, False)
    for edit, onto in ((to_mine, to_theirs), (to_theirs, to_mine)):
        text = _replay(dmp, base, edit, onto)
        if text is not None and Counter(text) == expected and whole(text):
            return Merged(text, False)
    return Merged(CONFLICT_SEPARATOR.join(text for text in (theirs, mine) if text), True)


def _runs_whole(text: str, diffs: list) -> bool:
    """Every run inserted by ``diffs`` is in ``text`` in one piece."""
    return all(typed in text for op, typed in diffs if op == _INSERT)


def _edits(diffs: list) -> list[tuple[int, int, str]]:
    """A diff of base as edits ``(start, end, new text)`` in base's coordinates, in order."""
    edits: list[tuple[int, int, str]] = []
    at, start, text = 0, None, ""
    for op, data in diffs:
        if op == _EQUAL:
            if start is not None:
                edits.append((start, at, text))
                start, text = None, ""
            at += len(data)
            continue
        if start is None:
            start = at
        if op == _DELETE:
            at += len(data)
        else:
            text += data
    if start is not None:
        edits.append((start, at, text))
    return edits


def _holds(edits: list[tuple[int, int, str]], others: list[tuple[int, int, str]]) -> bool:
    """True when ``edits`` already make every edit of ``others``, and ``others`` deletes or replaces text.

    Both fixed the same typo, or deleted the same word: that is one change.
    Edits that only insert are never taken as already made, not even the
    same text at the same place: two people who both type a space, or the
    same word, at the end of a field each typed it, and dropping one is how
    typing gets scrambled.
    """
    if all(start == end for start, end, _ in others):
        return False
    return all((start, end, text) in edits for start, end, text in others)


def _merge_exact(mine_edits: list, theirs_edits: list, base: str) -> str | None:
    """Both diffs applied to base at once when they touch different parts of it; None when they overlap.

    Where both insert at one place, words that go on the line before it come
    first and a new line after them: the line's writer typed on from there,
    while the new line's writer started below it (``merge_text`` puts a first
    text in a field on its own line).  Otherwise mine goes first: it is the
    typing that just arrived, from a cursor right after the text before that
    place (someone else's cursor there stays before text that arrives at it,
    see ``map_cursor``, so their typing goes before it too).

    Unless ``placed``, ``merge_text`` first moves theirs' inserts as early as
    they can go (``_earliest``).  A diff shows inserted text at the
    last place that gives the same text: two people start a sentence with a
    space at once, the store puts the later one's space first, and the other,
    typing on after their own space (now the second), would get a diff that
    shows the first one's space after theirs, and their next letters would go
    between the spaces: the sentences glued together, their letters mixed.
    """
    tagged = [(start, end, text, 0) for start, end, text in mine_edits]
    tagged += [(start, end, text, 1) for start, end, text in theirs_edits]
    # Pure inserts before replacements at one place; a new line after words; another writer's bare place
    # (``merge_anchored``: their typing ends there, and text arriving at it goes after it); mine before theirs.
    tagged.sort(key=lambda edit: (edit[0], edit[1] > edit[0], edit[2].startswith("\n"),
                                  not (edit[3] and edit[2] and set(edit[2]) <= _MARK_SET), edit[3]))
    pieces, at = [], 0
    for start, end, text, _ in tagged:
        if start < at:
            return None  # overlaps an edit already placed
        pieces.append(base[at:start])
        pieces.append(text)
        at = end
    pieces.append(base[at:])
    return "".join(pieces)


def _earliest(edits: list, others: list, base: str) -> list:
    """``edits`` with what each insert of one line starts with moved as early in ``base`` as gives the same text.

    A diff shows text inserted by several people at one place as one insert:
    its first part may go earlier and the rest stay (``_moved_back``).  An
    insert is not moved into text that an edit of either side changes.
    """
    moved, floor = [], 0  # no further back than past the edit before (two at one place might swap)
    bounds = sorted(end for start, end, _ in others if end > start)
    for start, end, text in edits:
        if start == end and text and "\n" not in text:
            limit = max([floor] + [bound for bound in bounds if bound <= start])
            for size in range(len(text), 0, -1):
                at, head = _moved_back(base, start, text[:size], limit)
                if at < start:
                    moved.append((at, at, head))
                    text = text[size:]
                    break
        if text or end > start:
            moved.append((start, end, text))
        floor = end + 1 if moved else 0
    return sorted(moved, key=lambda edit: edit[0])


def _moved_back(base: str, start: int, text: str, limit: int) -> tuple[int, str]:
    """``text`` inserted at ``start`` moved as early as it gives the same text (not before ``limit``)."""
    while start > limit and base[start - 1] == text[-1]:
        start, text = start - 1, base[start - 1] + text[:-1]
    return start, text


def _replay(dmp: diff_match_patch, base: str, edit: list, onto: list) -> str | None:
    """The edit ``edit`` (a diff of base) applied to ``onto``'s text, or None if a patch found no place."""
    hunks = list(edit)
    dmp.diff_cleanupSemantic(hunks)  # as patch_make(base, text) does: whole words, not letters
    dmp.diff_cleanupEfficiency(hunks)
    patches = dmp.patch_make(base, hunks)
    for patch in patches:  # expect each patch where its base text now lies, not where it was
        patch.start2 += dmp.diff_xIndex(onto, patch.start1) - patch.start1
    text, applied = dmp.patch_apply(patches, dmp.diff_text2(onto))
    return text if all(applied) else None


def _trace(diffs: list) -> tuple[list[int | None], set[int]]:
    """For a diff a -> b: each b character's place in a (None if new in b), and the places in a deleted."""
    origin: list[int | None] = []
    deleted: set[int] = set()
    at = 0
    for op, data in diffs:
        if op == _INSERT:
            origin.extend([None] * len(data))
            continue
        (origin.extend if op == _EQUAL else deleted.update)(range(at, at + len(data)))
        at += len(data)
    return origin, deleted


def map_cursor(old: str, new: str, cursor: int, typed_from: int | None = None) -> int:
    """Where a cursor at ``cursor`` in ``old`` belongs once the text became ``new``.

    It stays after the character it followed: text merged in before it moves
    it along; text inserted right at it or after it does not, so a participant
    keeps typing where they were; if the text before it went, it lands where
    that text was.

    ``typed_from``: where this terminal's typing that ends at the cursor began.
    Text another write inserted at or after the cursor that could as well sit
    where that typing began was put there by the store (``_merge_exact``: the
    later write goes first, and text goes as early as it can): the cursor goes
    after it.  (A diff can also pair up the same characters differently, one
    typed here with one typed there: three people who start with the same
    keys at once can still end up typing at one spot now and then.)
    """
    cursor = max(0, min(cursor, len(old)))
    if cursor == 0:
        return 0
    old_at = new_at = 0
    diffs = diff_match_patch().diff_main(old, new)
    for index, (op, data) in enumerate(diffs):
        if op == _INSERT:  # only reached for text before the cursor
            new_at += len(data)
        elif old_at + len(data) >= cursor:  # the run holding the character before the cursor
            if op != _EQUAL:
                return min(new_at, len(new))
            at = new_at + cursor - old_at
            following = diffs[index + 1] if index + 1 < len(diffs) else (_EQUAL, "")
            if typed_from is not None and following[0] == _INSERT:  # the first insert after the cursor
                at += _before_typing(old, new, typed_from, cursor, old_at + len(data), following[1], at - cursor)
            return min(at, len(new))
        else:
            old_at += len(data)
            new_at += len(data) if op == _EQUAL else 0
    return min(new_at, len(new))


def past_continued_typing(old: str, new: str, cursor: int, mapped: int, places: list[int]) -> int:
    """``mapped`` (``cursor`` in ``old`` mapped into ``new``) moved past another's typing that went on from there.

    A cursor stays put when text arrives right at it, but not when it sat
    where another writer's typing ends and that writer typed on: their words
    go on before it (``places``: where writers' typing ends in ``new``).
    """
    old_at = new_at = 0
    for op, data in diff_match_patch().diff_main(old, new):
        if op == _INSERT and old_at == cursor and new_at == mapped:
            inside = [place for place in places if mapped < place <= mapped + len(data)]
            return min(inside) if inside else mapped
        if op != _INSERT:
            old_at += len(data)
        if op != _DELETE:
            new_at += len(data)
        if old_at > cursor:
            break
    return mapped


def _before_typing(old: str, new: str, typed_from: int, cursor: int, inserted_at: int, inserted: str,
                   shift: int) -> int:
    """How much of ``inserted`` (at ``inserted_at``, after the cursor) could as well sit where the typing began.

    A diff shows text inserted by several people at one place as one insert:
    its first part may belong before the typing, the rest after it.
    ``shift``: how far edits before the typing moved it in ``new``.
    """
    if not 0 <= typed_from < cursor <= inserted_at:
        return 0
    for size in range(len(inserted), 0, -1):
        if new[typed_from + shift + size:inserted_at + shift + size] == old[typed_from:inserted_at]:
            return size
    return 0


# Anchors: where each writer's typing ends in a stored text --------------------------------------------------

# Unicode noncharacters, reserved for a program's own use: the sanitiser removes them from every text, so one
# never stands for anything typed.  One per writer of a field while its texts are merged.
MARKS = tuple(chr(code) for code in range(0xFDD0, 0xFDF0))
_MARK_SET = frozenset(MARKS)
_START, _WRITER_MARKS = MARKS[-1], MARKS[:-1]  # where the writer's typing starts, in this merge only


def is_place(value: object) -> bool:
    """Whether ``value`` can be a place in a text (a whole number; a file or an op may hold anything)."""
    return isinstance(value, int) and not isinstance(value, bool)


def merge_anchored(base: str, mine: str, theirs: str, anchors: dict[str, int], writer: str | None = None,
                   at: int | None = None, base_at: int | None = None, one_line: bool = False,
                   base_places: dict[str, int] | None = None) -> tuple[Merged, dict[str, int]]:
    """``merge_text`` that knows where each writer's typing ends: the merged text and the anchors moved with it.

    ``anchors``: writer -> where that writer's typing ends in ``theirs``.
    ``writer`` typed ``mine`` over ``base``; its typing ends at ``at`` in
    ``mine``, and its anchor was at ``base_at`` in ``base`` (before its first
    write: where its cursor was when it last took in the stored text, and
    ``base_places``, the others' places in ``base`` as it read them).

    Two people who start typing the same characters at one place at once (a
    space, "The ") cannot be told apart by a diff, and their next letters
    went to one spot, their words mixed.  Here each writer's place is a
    character of its own (``MARKS``), put into the three texts before they
    are merged and taken out after, so the merge sees which space is whose.
    Typing that only adds text at the writer's place is also marked where it
    starts (``_START``): a diff slides an insert over the same text before it
    (" The" typed after " The" shows as typed before it), and the writer's
    words would go before another's place there.  At one place, others'
    places come before the writer's (their cursor stays put when text
    arrives at it).  One-line fields that the merge gave two lines keep no
    anchors.  Without ``at`` the writer's place only moves with the merge, as
    anyone else's.
    """
    if at is None:
        writer = None
    anchors = {name: place for name, place in anchors.items() if 0 <= place <= len(theirs) and name != writer} | (
        {writer: anchors[writer]} if writer in anchors and 0 <= anchors[writer] <= len(theirs) else {})
    known = writer is not None and bool(base) and base_at is not None and 0 <= base_at <= len(base)
    if known and writer not in anchors:
        # Its first write here, from where its cursor was: that place, as its cursor would have moved, in the stored text.
        anchors[writer] = _first_place(base, theirs, base_at, anchors, base_places or {})
    if writer is not None and not known:
        anchors.pop(writer, None)  # where the writer was in base is not known: its place is where it typed now
    names = [name for name in anchors if name != writer][-(len(_WRITER_MARKS) - 1):] + \
        ([writer] if writer is not None else [])
    mark = {name: _WRITER_MARKS[index] for index, name in enumerate(names)}
    others = {mark[name]: anchors[name] for name in names if name != writer and name in anchors}
    marked_base, marked_mine, marked_theirs = base, mine, _marked(theirs, others)
    if writer is not None:
        own = mark[writer]
        at = min(at, len(mine))
        adds_only = known and at >= base_at and mine[:base_at] == base[:base_at] and mine[at:] == base[base_at:]
        if adds_only:
            marked_base = _marked(base, {_START + own: base_at})
            marked_mine = _marked(mine, {_START: base_at, own: at})
        elif known:
            marked_base = _marked(base, {own: base_at})
            marked_mine = _marked(mine, {own: at})
        else:
            marked_mine = _marked(mine, {own: at})
        if known:
            marked_theirs = _marked(theirs, others | {(_START + own if adds_only else own): anchors[writer]})
    merged = merge_text(marked_base, marked_mine, marked_theirs)
    text, places = _unmarked(merged.text, {symbol: name for name, symbol in mark.items()}, writer)
    if one_line and "\n" in text:
        return Merged(" ".join(text.split()), merged.conflict), {}
    return Merged(text, merged.conflict), {name: places[name] for name in names if name in places}


def _first_place(base: str, theirs: str, base_at: int, anchors: dict[str, int], base_places: dict[str, int]) -> int:
    """Where a writer's first typing over ``base``, begun at ``base_at``, goes in ``theirs``.

    The others' places it read with ``base`` (``base_places``), still kept in
    ``theirs``, are marked in both, so the way from one text to the other is
    pinned by them (a diff pairs one person's space with another's); a place
    at the cursor goes before it.  Without any, the cursor is mapped as a
    screen maps it.
    """
    return map_cursor_as_read(base, theirs, base_at, map_cursor(base, theirs, base_at), base_places, anchors)


def map_cursor_as_read(old: str, new: str, cursor: int, mapped: int, old_places: dict[str, int],
                       new_places: dict[str, int]) -> int:
    """Where a cursor at ``cursor`` in ``old`` goes in ``new`` for a terminal that has not typed there yet.

    By the writers' places where it knows them in both texts
    (``map_cursor_by_places``); else ``mapped`` (the cursor as the screen
    mapped it) moved past another's typing that went on from it.
    """
    by_places = map_cursor_by_places(old, new, cursor, old_places, new_places)
    if by_places is not None:
        return by_places
    return past_continued_typing(old, new, cursor, mapped, list(new_places.values()))


def map_cursor_by_places(old: str, new: str, cursor: int, old_places: dict[str, int],
                         new_places: dict[str, int]) -> int | None:
    """``cursor`` in ``old`` mapped into ``new`` by the writers' places in both; None if no writer's is in both.

    Each writer's place is marked in both texts, so the way from one to the
    other is pinned by them (a diff pairs one person's space with another's).
    A place at the cursor goes before it: a cursor where another's typing
    ended follows what they typed on since, as the screen showed it there.
    """
    shared = [name for name in new_places if is_place(old_places.get(name)) and 0 <= old_places[name] <= len(old)
              and is_place(new_places[name]) and 0 <= new_places[name] <= len(new)][:len(_WRITER_MARKS)]
    if not shared:
        return None
    mark = {name: _WRITER_MARKS[index] for index, name in enumerate(shared)}
    marked_old = _marked(old, {mark[name]: old_places[name] for name in shared})
    marked_new = _marked(new, {mark[name]: new_places[name] for name in shared})
    at = cursor + sum(1 for name in shared if old_places[name] <= cursor)
    mapped = map_cursor(marked_old, marked_new, at)
    return mapped - sum(1 for character in marked_new[:mapped] if character in _MARK_SET)


def _marked(text: str, places: dict[str, int]) -> str:
    """``text`` with each mark put in at its place (marks at one place in the order given: the writer's last)."""
    pieces, at = [], 0
    for symbol, place in sorted(places.items(), key=lambda entry: entry[1]):
        pieces += [text[at:place], symbol]
        at = place
    pieces.append(text[at:])
    return "".join(pieces)


def _unmarked(text: str, names: dict[str, str], writer: str | None) -> tuple[str, dict[str, int]]:
    """``text`` without marks, and each writer's place in it.

    A merge that kept both versions holds the writer's mark twice (the old
    place in theirs, the new one in mine): the last one counts; anyone
    else's, the first.
    """
    pieces: list[str] = []
    places: dict[str, int] = {}
    size = 0
    start = 0
    for index, character in enumerate(text):
        if character in _MARK_SET:
            pieces.append(text[start:index])
            size += index - start
            start = index + 1
            name = names.get(character)
            if name is None:
                continue  # where the typing started (or a mark of nobody's)
            if name == writer or name not in places:
                places[name] = size
    pieces.append(text[start:])
    return "".join(pieces), places
