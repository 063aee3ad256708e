"""A key the model streams split across deltas never reaches the journal (or an export) unmasked.

The journal redacts each (agent, step) stream as one text: text that may be the start of a key or
of an env secret value is held back until the next delta shows what it is. These tests cut keys
at every position, over 2, 3 and many deltas, through a real Runner and JournalWriter, and check
that what is journaled joins up to the redacted reply, for replay and exports too.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
from pathlib import Path

import pytest

from teamtui.core import events as ev
from teamtui.core.journal import EventRedactor, JournalWriter, RunMeta, read_events
from teamtui.core.models.scripted import ScriptedModel
from teamtui.core.redact import _OPEN, _PATTERNS, MASK, OPEN_FIRST, OPEN_REGEXES, redact
from teamtui.core.redact_stream import HOLD_LIMIT, DeltaRedactor, StreamRedaction, redact_deltas
from teamtui.core.replay import ReplayHandle
from teamtui.core.runtime import Runner, RunOptions
from teamtui.core.transcript import fold
from teamtui.export import FORMATS

from teamkit import team

KEY = "sk-proj-Ab3dEf6hIj9kLm2nOp5qRs8tUv"  # a key shape the patterns know
ENV_SECRET = "zq7.Plain-Value/with+odd=chars"  # no known shape: masked only as an env value
#: What must never be on disk: the values, and any long run of either (half a key is a leak too).
FRAGMENTS = (KEY, KEY[3:], KEY[-12:], KEY[8:20], ENV_SECRET, ENV_SECRET[:12], ENV_SECRET[-12:])

ONE_AGENT = """
name: solo
agents:
  writer: {role: Writer}
flow:
  sequence:
    - agent: writer
"""


@pytest.fixture(autouse=True)
def env_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", ENV_SECRET)


def leaks_under(folder: Path) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", errors="replace")
            found += [f"{path.name}: {fragment}" for fragment in FRAGMENTS if fragment in data]
    return found


async def journaled_run(run_dir: Path, reply: str, chunks: int) -> list[ev.Event]:
    """One real run whose only agent streams ``reply`` in ``chunks`` equal pieces, journaled."""
    writer = JournalWriter.open(run_dir, RunMeta(run_id=run_dir.name, team="solo", team_text=ONE_AGENT,
                                                 team_path=None, input="write"))
    try:
        model = ScriptedModel(default=reply, chunks=chunks)
        result = await asyncio.wait_for(
            Runner(team(ONE_AGENT), RunOptions(models={"*": model}, sinks=[writer])).run("write"), 10)
    finally:
        writer.close()
    assert result.status == "done", result.error
    deltas = [e.text for e in result.events if isinstance(e, ev.TextDelta)]
    assert len(deltas) == min(chunks, len(reply)) and "".join(deltas) == reply  # the live stream is whole
    return read_events(run_dir)


def journaled_text(events: list[ev.Event]) -> str:
    return "".join(e.text for e in events if isinstance(e, ev.TextDelta))


def cut_at(secret: str, offset: int, width: int) -> str:
    """A reply of 2 * ``width`` characters whose middle falls ``offset`` characters into ``secret``:
    streamed in 2 equal chunks, the cut splits the secret there."""
    before = "Your key is " + "." * (width - offset - len("Your key is ") - 1) + " "
    reply = before + secret + " - keep it safe."
    return reply + "." * (2 * width - len(reply))


# --- through a real run and the journal ----------------------------------------------------------


@pytest.mark.parametrize("secret", [KEY, ENV_SECRET], ids=["sk-key", "env-secret"])
async def test_a_secret_cut_in_two_at_every_position_is_masked_in_the_journal(tmp_path: Path, secret: str) -> None:
    width = 64
    for offset in range(1, len(secret)):
        reply = cut_at(secret, offset, width)
        assert reply[width - offset:width - offset + len(secret)] == secret  # the cut splits it
        run_dir = tmp_path / f"cut{offset}"
        events = await journaled_run(run_dir, reply, chunks=2)
        assert leaks_under(run_dir) == [], offset
        masked = redact(reply)
        assert MASK in masked and journaled_text(events) == masked, offset
        finished = [e for e in events if isinstance(e, ev.AgentFinished)]
        assert finished[0].text == masked  # the deltas join up to the turn's (redacted) text


@pytest.mark.parametrize("chunks", [3, 4, 7, 1000], ids=lambda n: f"{n}-pieces")
async def test_secrets_split_over_many_deltas_are_masked_in_the_journal(tmp_path: Path, chunks: int) -> None:
    reply = (f"Use Authorization: Bearer {KEY} against the api; the fallback key is {ENV_SECRET},\n"
             f"and api_key={KEY[:-3]} is the old one. A task-scoped sk-proj is fine to mention.")
    events = await journaled_run(tmp_path / "run", reply, chunks)
    assert leaks_under(tmp_path / "run") == []
    assert journaled_text(events) == redact(reply)
    assert "A task-scoped sk-proj is fine to mention." in journaled_text(events)  # ordinary words stay


async def test_replay_and_every_export_of_such_a_run_show_the_masked_text(tmp_path: Path) -> None:
    reply = f"Here it is: {KEY} and {ENV_SECRET}. Done."
    events = await journaled_run(tmp_path / "run", reply, chunks=len(reply))  # one character a delta
    masked = redact(reply)
    assert masked == f"Here it is: sk-{MASK} and {MASK}. Done."

    turn = fold(events).steps["1"].attempts[-1][0]
    assert turn.text == masked

    replay = ReplayHandle(events, speed=0)
    played = (await asyncio.wait_for(replay.wait(), 10)).events
    assert journaled_text(played) == masked

    for name, (render, suffix) in FORMATS.items():
        (tmp_path / f"transcript{suffix}").write_text(render(events), encoding="utf-8")
    assert leaks_under(tmp_path) == []
    assert masked in (tmp_path / "transcript.md").read_text(encoding="utf-8")


async def test_a_delta_whose_text_moved_on_is_skipped_and_order_is_kept(tmp_path: Path) -> None:
    reply = "one sk-" + KEY[3:] + " two"
    events = await journaled_run(tmp_path / "run", reply, chunks=len(reply))
    deltas = [e for e in events if isinstance(e, ev.TextDelta)]
    assert len(deltas) < len(reply)  # the key's characters were held, then journaled together
    assert [e.seq for e in deltas] == sorted(e.seq for e in deltas)
    assert deltas[-1].seq < next(e.seq for e in events if isinstance(e, ev.ModelReplied))
    assert journaled_text(events) == f"one sk-{MASK} two"


def test_a_journaled_delta_has_the_shape_to_dict_gives(tmp_path: Path) -> None:
    """The journal builds a delta's line by hand (the hot path): same keys, same order, same values."""
    delta = ev.TextDelta(run_id="r1", seq=7, ts=1234.5, agent="pm", step="1.a", text="plain words")
    with JournalWriter(tmp_path / "run") as writer:
        writer(delta)
        writer(ev.RunFinished(run_id="r1", seq=8, status="done"))
    line = (tmp_path / "run" / "events.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert list(json.loads(line).items()) == list(delta.to_dict().items())


# --- the event-level redactor: what ends a stream -----------------------------------------------


def test_held_text_is_written_before_the_event_that_ends_its_stream() -> None:
    redactor = DeltaRedactor([ENV_SECRET])

    def delta(seq: int, text: str, agent: str = "a", step: str = "1") -> ev.TextDelta:
        return ev.TextDelta(run_id="r", seq=seq, agent=agent, step=step, text=text)

    # While a stream holds text back, its deltas wait: the text is journaled with the last one.
    assert redactor.delta(delta(1, "key sk-pr")) is None
    assert redactor.delta(delta(2, "oj-abc", agent="b")) == "oj-abc"  # another stream: its own text
    assert redactor.delta(delta(3, "oj-abc")) is None  # still a key in the making
    # A retry ends the failed call's stream: its held text is written, masked as it stands.
    retry = ev.RetryScheduled(run_id="r", seq=4, agent="a", step="1", attempt=2, error="x", delay_s=0)
    assert [(d.seq, text) for d, text in redactor.before(retry)] == [(3, f"key sk-{MASK}")]
    assert redactor.delta(delta(4, "plain words.")) == "plain words."  # a fresh stream
    # The end of a step flushes every agent's stream in it; other steps keep theirs.
    assert redactor.delta(delta(5, ENV_SECRET[:5], step="2")) is None
    assert redactor.delta(delta(6, ENV_SECRET[:4], step="1")) is None
    done = ev.StepStatusChanged(run_id="r", seq=7, step="1", status="done")
    assert [(d.seq, text) for d, text in redactor.before(done)] == [(6, ENV_SECRET[:4])]
    assert redactor.delta(delta(8, ENV_SECRET[5:] + "!", step="2")) == f"{MASK}!"
    # An error in the middle of a stream (a reply cut at its size limit) does not end it.
    cut = ev.ErrorRaised(run_id="r", seq=9, agent="a", step="3", message="cut")
    assert redactor.delta(delta(9, "sk-", step="3")) is None
    assert redactor.before(cut) == []
    assert redactor.delta(delta(10, KEY[3:], step="3")) is None
    end = ev.RunFinished(run_id="r", seq=11, status="done")
    assert [(d.seq, text) for d, text in redactor.before(end)] == [(10, f"sk-{MASK}")]


def test_redact_deltas_masks_a_live_history_for_export() -> None:
    pieces = ["my key: sk-pr", "oj-Ab3d", "Ef6hIj9kLm", " ok"]
    events = [ev.AgentStarted(run_id="r", seq=1, agent="a", step="1")]
    events += [ev.TextDelta(run_id="r", seq=2 + i, agent="a", step="1", text=p) for i, p in enumerate(pieces)]
    events.append(ev.AgentFinished(run_id="r", seq=9, agent="a", step="1", text="".join(pieces)))
    out = redact_deltas(events)
    assert journaled_text(out) == f"my key: sk-{MASK} ok"
    assert [type(e).__name__ for e in out][-1] == "AgentFinished"  # whole-text events are left as they are


# --- the text-level redactor: exactness and bounds -----------------------------------------------

PIECES = [
    "api", "API", "key", "_", "-", "token", "access", "auth", "Bearer ", "bearer\t", "Basic ", "authorization",
    "AUTHORIZATION", "password", "x-goog-", "x-", ":", "=", " ", "  ", '"', "'", ",", ";", "}", "]", "\n", "&",
    "sk", "pk", "rk", "gsk", "xai", "hf", "AIza", "abcdef123456", "ABCDEFGHIJ0123456789xyz", "***", "é", "日本",
    "\u017f", "\u212a", "\u0130", "\u0131",  # letters that re.IGNORECASE reads as s, k, i, i
    KEY, ENV_SECRET, ENV_SECRET[:9], ENV_SECRET[9:], "a", "s", "x", "task", "the ",
]
LONG = ["sk-" + "Ab9_-" * 150, "Bearer " + "q" * 700, "password=" + "z" * 600, "x" * 1500, "AIza" + "0" * 800,
        " " * 600, "hf_" + "9" * 900, "authorization: " + "v" * 700]


def streamed(shared: StreamRedaction, parts: list[str]) -> str:
    stream = shared.stream()
    return "".join(stream.push(p) for p in parts) + stream.flush()


def test_every_cut_of_text_full_of_keys_joins_up_to_redact() -> None:
    rng = random.Random(3)
    shared = StreamRedaction([ENV_SECRET])
    for _ in range(300):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 10)))
        want = redact(text, [ENV_SECRET], env=False)
        for i in range(len(text) + 1):
            assert streamed(shared, [text[:i], text[i:]]) == want, (text, i)
        j = rng.randint(0, len(text))
        assert streamed(shared, [text[:min(i, j)], text[min(i, j):max(i, j)], text[max(i, j):]]) == want
        assert streamed(shared, list(text)) == want, text


def test_random_splits_join_up_to_redact() -> None:
    rng = random.Random(5)
    for secrets in ([], [ENV_SECRET, "abcdef123456"]):
        shared = StreamRedaction(secrets)
        for _ in range(4000):
            text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 20)))
            cuts = sorted(rng.sample(range(len(text) + 1), min(len(text) + 1, rng.randint(0, 6))))
            parts = [text[a:b] for a, b in zip([0, *cuts], [*cuts, len(text)])]
            assert streamed(shared, parts) == redact(text, secrets, env=False), (text, parts)


def test_held_text_stays_bounded_and_long_values_stay_masked() -> None:
    """Values longer than the hold limit, streamed in small pieces: nothing held grows past the
    limit, no key or secret shows, and only the count of masks may differ from ``redact``."""
    rng = random.Random(7)
    stars = re.compile(r"\*+")
    keys = (KEY[8:20], ENV_SECRET[-12:], "Ab9_-Ab9_-Ab9_-Ab9_", "999999999999", "0000000000000000000")
    for _ in range(1500):
        text = "".join(rng.choice(PIECES + LONG) for _ in range(rng.randint(1, 8)))
        want = redact(text, [ENV_SECRET], env=False)
        size = rng.choice([1, 2, 3, 7, 50, 200])
        stream = StreamRedaction([ENV_SECRET]).stream()
        got = []
        for i in range(0, len(text), size):
            got.append(stream.push(text[i:i + size]))
            assert len(stream._tail) + len(stream._secret_tail) <= HOLD_LIMIT + size + 8
        joined = "".join(got) + stream.flush()
        assert stars.sub("*", joined) == stars.sub("*", want), (text[:120], size)
        assert all(joined.count(k) <= want.count(k) for k in keys), (text[:120], size)


def test_a_key_longer_than_the_hold_limit_is_masked_whole() -> None:
    long_key = "sk-" + "A1b2C3d4" * 200
    stream = StreamRedaction().stream()
    out = "".join(stream.push(c) for c in f"key {long_key} end") + stream.flush()
    assert out == f"key sk-{MASK} end"


def test_open_match_regexes_start_only_where_their_pattern_can() -> None:
    """``OPEN_MATCH`` looks only at the letters in OPEN_FIRST, and each open-match regex must find
    every match still open: checked against the patterns on every prefix of random texts."""
    rng = random.Random(11)
    assert len(_OPEN) == len(_PATTERNS)
    for _ in range(2000):
        text = "".join(rng.choice(PIECES) for _ in range(rng.randint(1, 8)))
        for index, (pattern, _, _) in enumerate(_PATTERNS):
            for match in pattern.finditer(text):
                assert text[match.start()] in OPEN_FIRST
                for end in range(match.start() + 1, match.end() + 1):
                    found = re.compile(OPEN_REGEXES[index]).search(text[:end])
                    assert found is not None and found.start() <= match.start(), (text, index, end)


def test_ordinary_text_costs_little_to_stream() -> None:
    """Most pieces are memoized words: a stream of them holds nothing back and costs a dict hit."""
    shared = StreamRedaction([ENV_SECRET])
    stream = shared.stream()
    words = [" the", " quick", " brown", " fox", ".", "\n", " jumps", " over", " lazy", " dogs"] * 100
    assert "".join(stream.push(w) for w in words) == "".join(words)
    assert not stream.holding and len(shared.memo) <= 20


# --- known gaps outside the journal -------------------------------------------------------------


def split_key_history() -> list[ev.Event]:
    pieces = ["key: sk-pro", "j-Ab3dEf6hIj9kLm", " ok"]
    events: list[ev.Event] = [ev.AgentStarted(run_id="r", seq=1, agent="a", step="1")]
    events += [ev.TextDelta(run_id="r", seq=2 + i, agent="a", step="1", text=p) for i, p in enumerate(pieces)]
    events += [ev.AgentFinished(run_id="r", seq=9, agent="a", step="1", text="".join(pieces)),
               ev.RunFinished(run_id="r", seq=10, status="done")]
    return events


def test_markdown_and_html_exports_of_a_live_history_mask_a_split_key() -> None:
    for name in ("md", "html"):
        assert "Ab3dEf6hIj9kLm" not in FORMATS[name][0](split_key_history()), name


def test_json_export_of_a_live_history_masks_a_split_key() -> None:
    assert "Ab3dEf6hIj9kLm" not in FORMATS["json"][0](split_key_history())


def test_event_redactor_gives_what_the_journal_writes_for_other_writers() -> None:
    """What ``teamtui run --json`` prints instead of raw events."""
    redactor = EventRedactor([ENV_SECRET])
    data = [d for event in split_key_history() for d in redactor.feed(event)] + redactor.flush()
    text = json.dumps(data)
    assert "Ab3dEf6hIj9kLm" not in text
    assert "".join(d["text"] for d in data if d["kind"] == "text") == f"key: sk-{MASK} ok"
    assert [d["kind"] for d in data][-2:] == ["agent_finished", "run_finished"]


async def test_headless_json_output_masks_a_split_key() -> None:
    import io

    from teamtui.headless import print_json

    out = io.StringIO()
    await asyncio.wait_for(print_json(ReplayHandle(split_key_history(), speed=0), out), 10)
    assert "Ab3dEf6hIj9kLm" not in out.getvalue()
