"""Masking keys in text that arrives in pieces: a model's streamed reply.

``redact`` works on whole texts. Run on each streamed piece alone, it misses a key the model
splits across pieces ("sk-pro" + "j-abc123..."), and each piece reaches the journal unmasked.
A ``StreamRedactor`` returns only the part of the stream that is final (text that can no longer
be the start of an env secret value or of a key pattern) and holds the rest back until the next
piece shows what it is, or until ``flush`` at the end of the stream. The pieces it returns join up
to what ``redact`` gives for the whole stream: the same words, in order, keys masked.

What is held back stays short:

- secret values: a suffix that is a prefix of a value, so less than the longest value;
- key patterns: a keyword prefix ("s", "sk-pr", "Authoriz") or a keyword with its value so far.
  A value can grow without end ("sk-" then letters for ever): past ``HOLD_LIMIT`` characters its
  middle is dropped (masking hides all of it anyway), keeping its start and its last ``KEEP_END``
  characters, where a header may begin that runs on past the value.

Past ``HOLD_LIMIT`` otherwise (a header keyword, then hundreds of spaces), the held text is
masked and written: a value still open goes on being masked as its characters come, and a header
still open is kept as context, its spaces shortened. Only past ``HOLD_LIMIT`` can the pieces
differ from ``redact`` of the whole (tests/test_security_stream.py fuzzes it): in the number of
masks, or a header nested in such text may be missed; keys and secret values stay masked.

``DeltaRedactor`` applies this to the event stream: one ``StreamRedactor`` per (agent, step),
flushed when that model call ends.
"""

from __future__ import annotations

import re
from msgspec.structs import replace
from functools import lru_cache
from typing import Iterable

from .events import (
    AgentFinished,
    AgentStarted,
    Event,
    ModelReplied,
    RetryScheduled,
    RunFinished,
    RunStarted,
    StepStatusChanged,
    TextDelta,
    ToolCalled,
    ToolReturned,
)
from .redact import (
    _PATTERNS, MASK, OPEN_MATCH, VALUE_CHARS, _may_match, known_secrets, mask_patterns, mask_secrets,
)

#: Past this many characters held back for a key pattern, a value's middle is dropped.
#: Real keys are far shorter (an OpenAI project key is about 160 characters).
HOLD_LIMIT = 512
#: What is kept of such a value: its first characters (more than any pattern's minimum length)
#: and its last ones (more than the longest header keyword with its separator).
KEEP_START, KEEP_END = 32, 64
#: Pieces up to this long are memoized: streamed tokens repeat endlessly.
MEMO_MAX_LEN, MEMO_SIZE = 64, 20_000

_is_word = re.compile(r"\w").match  # what ``\b`` looks at
_SPACE_RUN = re.compile(r"\s+")
#: What keys and keyword prefixes are made of: letters (with those re.IGNORECASE folds to ASCII),
#: digits, "_" and "-".
_KEY_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-\u0130\u0131\u017f\u212a")


class StreamRedaction:
    """What the streams of one run share: the secret values and a memo of common pieces."""

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self.secrets = known_secrets(secrets)
        # Overlapping occurrences of a repetitive value ("aaaaaa...") could hold text back without
        # end; no real key repeats like that, so past this the held text is masked and written.
        self.secret_limit = 4 * len(self.secrets[0]) if self.secrets else 0
        self.memo: dict[tuple[bool, str], tuple[str, str, str, bool]] = {}

    def stream(self) -> "StreamRedactor":
        return StreamRedactor(self)


class StreamRedactor:
    """One stream of text pieces: ``push`` each piece, ``flush`` at the end.

    Two stages, as in ``redact``: secret values first, then key patterns over what that leaves.
    Each stage holds back its own tail, so both see the text as ``redact`` would.
    """

    __slots__ = ("_shared", "_secret_tail", "_tail", "_after_word", "_seen", "_swallow")

    def __init__(self, shared: StreamRedaction) -> None:
        self._shared = shared
        self._secret_tail = ""  # text that may be the start of a secret value
        self._tail = ""  # secret-masked text that may be the start of a key pattern
        self._after_word = False  # the last character written is a word character (for ``\b``)
        self._seen = 0  # how much of ``_tail`` is written already, kept as context (see _masked)
        self._swallow: re.Pattern[str] | None = None  # what extends a value masked and written

    @property
    def holding(self) -> bool:
        return bool(self._secret_tail or self._tail)

    def push(self, text: str) -> str:
        """The redacted text that is final now (maybe empty); the rest waits for more."""
        if self._secret_tail or self._tail or self._swallow is not None or len(text) > MEMO_MAX_LEN:
            return self._push(text)
        # A fresh state and a short piece: the result depends on the piece alone (and the \b context).
        memo = self._shared.memo
        key = (self._after_word, text)
        done = memo.get(key)
        if done is None:
            out = self._push(text)
            if self._swallow is None and not self._seen:  # always so for a short piece
                if len(memo) >= MEMO_SIZE:
                    memo.clear()
                memo[key] = (out, self._secret_tail, self._tail, self._after_word)
            return out
        out, self._secret_tail, self._tail, self._after_word = done
        return out

    def flush(self) -> str:
        """Everything still held, redacted: the stream has ended."""
        out = self._push("", final=True)
        self._after_word, self._seen, self._swallow = False, 0, None
        return out

    def _push(self, text: str, final: bool = False) -> str:
        shared = self._shared
        if shared.secrets:
            buf = self._secret_tail + text if self._secret_tail else text
            cut = len(buf) if final else _secret_cut(buf, shared.secrets)
            if len(buf) - cut > shared.secret_limit:
                cut = len(buf)
            self._secret_tail = buf[cut:]
            text = mask_secrets(buf[:cut], shared.secrets) if cut else ""
        if self._swallow is not None and text:
            run = self._swallow.match(text).end()
            if run:
                self._after_word = bool(_is_word(text[run - 1]))
                text = text[run:]
            if text:  # the value has ended
                self._swallow = None
        if not text and not (final and self._tail):
            return ""
        # The "_" stands for a word character just written, so ``\b`` reads the pieces as one text;
        # no pattern starts with "_", so it never joins a match itself.
        lead = "_" if self._after_word else ""
        buf = lead + self._tail + text
        start, seen = len(lead), self._seen
        # Which patterns' words occur: worked out once, for the cut and for the masking.
        may = _may_match(buf[start:])
        cut = len(buf) if final else _pattern_cut(buf, start, seen, may)
        if len(buf) - cut > HOLD_LIMIT:
            held = _shorten(buf, cut)
            if held is not None and len(held) - cut <= HOLD_LIMIT:
                self._tail = held[start:]
                return ""
            return self._give_up(buf, start, seen)
        if cut < start + seen or cut == start:
            self._tail = buf[start:]
            return ""
        self._tail, self._seen = buf[cut:], 0
        self._after_word = bool(_is_word(buf[cut - 1]))
        return _masked(buf[:cut], start, seen, may)

    def _give_up(self, buf: str, start: int, seen: int) -> str:
        """Write all of ``buf``, masked. A value still open goes on being masked: the characters
        that extend it are dropped as they come. A header still open (a keyword, then a long run
        of spaces) is kept as context, the run shortened: a pattern's "\\s*" reads one space as
        it reads a thousand."""
        out = _masked(buf, start, seen)
        self._swallow = _swallow_after(buf, start)
        self._tail, self._seen = "", 0
        self._after_word = bool(_is_word(buf[-1]))
        if self._swallow is None:
            header = _header(buf, start + seen, _spans(buf, start, _may_match(buf[start:])))
            if header is not None:
                context = _SPACE_RUN.sub(_first_char, buf[header:])
                if len(context) <= HOLD_LIMIT // 2:  # it starts at a \b: no word character before it
                    self._tail, self._seen, self._after_word = context, len(context), False
        return out


def _header(buf: str, start: int, spans: list[tuple[int, int, int]]) -> int | None:
    """Where the first header still open at the end of ``buf`` begins that masking the whole
    text would find: not one inside a match of the same or an earlier pattern (that one takes
    the text first)."""
    found = OPEN_MATCH.search(buf, start)
    while found is not None:
        at, index = found.start(), _open_index(found)
        if not any(begin < at < end and other <= index for begin, end, other in spans):
            return at
        found = OPEN_MATCH.search(buf, at + 1)
    return None


def _first_char(run: re.Match[str]) -> str:
    return run.group()[0]


def _secret_cut(buf: str, secrets: tuple[str, ...]) -> int:
    """Where ``buf`` stops being final for secret values: the start of a suffix that begins one,
    moved back before any whole occurrence it would split."""
    n = cut = len(buf)
    for value in secrets:
        first = value[0]
        i = buf.find(first, max(0, n - len(value) + 1))
        while i != -1 and i < cut:
            if value.startswith(buf[i:]):
                cut = i
                break
            i = buf.find(first, i + 1)
    if cut == n:
        return n
    moved = True
    while moved:
        moved = False
        for value in secrets:
            i = buf.find(value, max(0, cut - len(value) + 1))
            if i != -1 and i < cut:
                cut, moved = i, True
    return cut


def _pattern_cut(buf: str, start: int, seen: int, may: list[bool]) -> int:
    """Where ``buf`` stops being final for key patterns: the earliest start of a match still
    open at its end, or before it, so that masking the two sides apart gives what masking the
    whole does (the patterns run one after another, so a match can start inside another).
    ``may``: ``_may_match(buf[start:])``."""
    pos = start
    if not (may[0] or may[1] or may[2]):
        # No header keyword whole in it: an open match is a keyword's first letters or a key,
        # both inside the run of key characters that ends the text. Search that run only.
        pos = len(buf)
        while pos > start and buf[pos - 1] in _KEY_CHARS:
            pos -= 1
    found = OPEN_MATCH.search(buf, pos)
    if found is None:
        return len(buf)
    cut = found.start()
    after = start + seen
    if cut <= after:
        return start
    if not any(may):  # no match anywhere before it: nothing to split
        return cut
    # Try the open match's start, then the starts of the matches before it.
    spans = _spans(buf, start, may)
    whole = _masked(buf, start, seen)
    candidates = {(begin, index) for begin, _, index in spans if after < begin < cut}
    for at, index in ((cut, _open_index(found)), *sorted(candidates, reverse=True)):
        if _splits(buf, start, seen, at, index, spans, whole):
            return at
    return start


def _open_index(found: re.Match[str]) -> int:
    """Which of ``_PATTERNS`` an ``OPEN_MATCH`` match is for."""
    return int(found.lastgroup[1:])  # type: ignore[index]


def _spans(buf: str, start: int, may: list[bool]) -> list[tuple[int, int, int]]:
    """(start, end, pattern index) of every match in ``buf``, each pattern read on its own."""
    return [(*m.span(), index) for index, ((pattern, _, _), ok) in enumerate(zip(_PATTERNS, may)) if ok
            for m in pattern.finditer(buf, start)]


def _splits(buf: str, start: int, seen: int, at: int, index: int, spans: list[tuple[int, int, int]],
            whole: str) -> bool:
    """Whether ``buf`` can be cut at ``at``, where a match of ``_PATTERNS[index]`` begins: not
    inside a match of the same or an earlier pattern (which would take the text first), and
    masking the two sides apart gives what masking the whole does (the patterns run one after
    another: a match may be gone once an earlier pattern masked it)."""
    if any(begin < at < end and other <= index for begin, end, other in spans):
        return False
    lead = "_" if _is_word(buf[at - 1]) else ""
    return _masked(buf[:at], start, seen) + mask_patterns(lead + buf[at:])[len(lead):] == whole


def _masked(buf: str, start: int, seen: int = 0, may: list[bool] | None = None) -> str:
    """``buf[start + seen:]`` masked; ``buf[start:start + seen]`` was written already and is
    there as context (a header whose value has not come yet). ``may``: as ``_may_match`` gives
    for ``buf`` or any text it is part of."""
    out = mask_patterns(buf, may)
    if not seen:
        return out[start:]
    # The context is in ``out`` as it is, or masked as it would be alone ("authorization:Basic"
    # is masked, "authorization:Basic " is not: it waits for a value).
    taken = buf[start:start + seen]
    if out.startswith(taken, start):
        return out[start + seen:]
    alone = mask_patterns(buf[:start + seen])
    return out[len(alone):] if out.startswith(alone) else MASK


def _value_start(index: int, match: re.Match[str]) -> int:
    """Where the masked value begins in a match of ``_PATTERNS[index]``."""
    if index <= 2:  # header and parameter forms: after the kept prefix
        return match.end(1)
    if index <= 4:  # sk-..., gsk_...: after the prefix and its separator
        return match.end(1) + 1
    return match.start() + 4  # AIza...


def _owner(buf: str, start: int) -> tuple[int, re.Match[str] | None] | None:
    """The first pattern with a match reaching the end of ``buf``, as ``mask_patterns`` runs
    them (one after another: the later ones see only its mask), and that match in ``buf`` itself
    when masking before it did not move it (else None)."""
    text = buf
    for index, ((pattern, replacement, _), may) in enumerate(zip(_PATTERNS, _may_match(buf[start:]))):
        if may:
            if any(m.end() == len(text) for m in pattern.finditer(text, start)):
                match = next((m for m in pattern.finditer(buf, start) if m.end() == len(buf)), None)
                return index, match if text == buf else None
            text = pattern.sub(replacement, text)
    return None


def _shorten(buf: str, cut: int) -> str | None:
    """``buf`` with the middle of the value open at its end dropped (None: no such value)."""
    owner = _owner(buf, cut)
    if owner is None or owner[1] is None:
        return None
    index, match = owner
    keep = _value_start(index, match) + KEEP_START
    if len(buf) - KEEP_END <= keep:
        return None
    return buf[:keep] + buf[-KEEP_END:]


def _swallow_after(buf: str, start: int) -> re.Pattern[str] | None:
    """The characters that extend the value open at the end of ``buf`` (None: no value is)."""
    owner = _owner(buf, start)
    return _value_run(owner[0]) if owner is not None else None


@lru_cache(maxsize=None)
def _value_run(index: int) -> re.Pattern[str]:
    return re.compile(VALUE_CHARS[index] + "*")


# --- events ---------------------------------------------------------------------------------------

#: Events that end (or begin) an agent's model call: the stream of that (agent, step) is complete.
#: Not ErrorRaised: one can come in the middle of a stream (a reply cut at its size limit).
_TURN_EVENTS = (AgentStarted, AgentFinished, ModelReplied, RetryScheduled, ToolCalled, ToolReturned)


class DeltaRedactor:
    """Redacts the TextDelta events of a run's event stream, each (agent, step) as one text.

    ``delta`` returns the text to record for a delta now, or None while all of it is held back.
    ``before`` returns what ``event`` ends: (delta, text) for each stream it completes, to record
    before ``event`` itself. A delta whose text was all carried into a later one is not recorded
    (its seq is skipped); held text is recorded under the last delta it came in.
    """

    def __init__(self, secrets: Iterable[str | None] = ()) -> None:
        self._shared = StreamRedaction(secrets)
        self._streams: dict[tuple[str, str], _Stream] = {}

    def delta(self, event: TextDelta) -> str | None:
        key = (event.agent, event.step)
        stream = self._streams.get(key)
        if stream is None:
            stream = self._streams[key] = _Stream(self._shared.stream())
        out = stream.redactor.push(event.text)
        if stream.pending:
            out = stream.pending + out
        if stream.redactor.holding:
            stream.pending, stream.last = out, event
            return None
        stream.pending, stream.last = "", None
        return out or None

    def before(self, event: Event) -> list[tuple[TextDelta, str]]:
        if not self._streams:
            return []
        kind = type(event)
        if kind in _TURN_EVENTS:
            stream = self._streams.pop((event.agent, event.step), None)  # type: ignore[attr-defined]
            return _flushed([stream]) if stream is not None else []
        if kind is StepStatusChanged:
            keys = [key for key in self._streams if key[1] == event.step]
            return _flushed([self._streams.pop(key) for key in keys])
        if kind is RunFinished or kind is RunStarted:
            return self.flush_all()
        return []

    def flush_all(self) -> list[tuple[TextDelta, str]]:
        streams, self._streams = list(self._streams.values()), {}
        return _flushed(streams)


class _Stream:
    __slots__ = ("redactor", "pending", "last")

    def __init__(self, redactor: StreamRedactor) -> None:
        self.redactor = redactor
        self.pending = ""  # redacted text not yet recorded
        self.last: TextDelta | None = None  # the latest delta whose text is not recorded yet


def _flushed(streams: list[_Stream]) -> list[tuple[TextDelta, str]]:
    out = []
    for stream in streams:
        text = stream.pending + stream.redactor.flush()
        if text and stream.last is not None:
            out.append((stream.last, text))
    return out


def redact_deltas(events: Iterable[Event], secrets: Iterable[str | None] = ()) -> list[Event]:
    """``events`` with each stream's TextDeltas redacted as one text (whole-text fields are left
    as they are): for exports of a live run's history, whose deltas were never journaled."""
    redactor = DeltaRedactor(secrets)
    out: list[Event] = []
    for event in events:
        if type(event) is TextDelta:
            text = redactor.delta(event)
            if text is not None:
                out.append(replace(event, text=text))
            continue
        out.extend(replace(delta, text=text) for delta, text in redactor.before(event))
        out.append(event)
    out.extend(replace(delta, text=text) for delta, text in redactor.flush_all())
    return out
