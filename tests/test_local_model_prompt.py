"""The local model's pure helpers: message rewriting, context fitting, grammars, schemas.

These need no llama.cpp, so they run everywhere.
"""

from __future__ import annotations

import importlib.util

import pytest

from teamtui.core.models import local_model, local_structure as st
from teamtui.core.models.base import ModelError, ToolSpec
from teamtui.core.models.local_prompt import TRIM_MARK, count_tool_calls, fit_messages, middle_trim, plain_messages


def words(text: str) -> int:
    return len(text.split())


def test_plain_messages_rewrites_tool_traffic_as_text() -> None:
    messages = [
        {"role": "system", "content": "be brief"},
        {"role": "user", "content": [{"type": "text", "text": "hi"}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "1", "type": "function", "function": {"name": "memory_read", "arguments": '{"key": "a"}'}}]},
        {"role": "tool", "tool_call_id": "1", "content": "42"},
    ]
    out = plain_messages(messages)
    assert [m["role"] for m in out] == ["system", "user", "assistant", "user"]
    assert out[1]["content"] == "hi"
    assert "memory_read" in out[2]["content"] and '{"key": "a"}' in out[2]["content"]
    assert out[3]["content"].endswith("42")
    assert all(isinstance(m["content"], str) for m in out)
    assert count_tool_calls(messages) == 1


def test_middle_trim_keeps_head_and_tail() -> None:
    text = "HEAD " + "x" * 1000 + " TAIL"
    cut = middle_trim(text, 100)
    assert cut.startswith("HEAD") and cut.endswith("TAIL")
    assert "trimmed" in cut and len(cut) < 200
    assert middle_trim("short", 100) == "short"


def test_fit_leaves_small_prompts_alone() -> None:
    messages = [{"role": "system", "content": "a b c"}, {"role": "user", "content": "d e"}]
    assert fit_messages(messages, words, 100) == messages


def test_fit_trims_oldest_content_first() -> None:
    old = " ".join(f"old{i}" for i in range(2000))
    new = " ".join(f"new{i}" for i in range(100))
    messages = [
        {"role": "system", "content": "you review code"},
        {"role": "user", "content": old},
        {"role": "assistant", "content": "ok"},
        {"role": "user", "content": new},
    ]
    fitted = fit_messages(messages, words, 600)
    assert sum(words(m["content"]) + 8 for m in fitted) <= 600
    assert fitted[0]["content"] == "you review code"
    assert fitted[-1]["content"] == new  # the latest request is untouched
    assert "old0" in fitted[1]["content"] and "old1999" in fitted[1]["content"]
    assert TRIM_MARK.split("{n}")[0].strip() in fitted[1]["content"]


def test_fit_never_overflows_even_when_the_latest_message_is_huge() -> None:
    huge = " ".join(["w"] * 50_000)
    messages = [{"role": "system", "content": " ".join(["s"] * 3000)}, {"role": "user", "content": huge}]
    fitted = fit_messages(messages, words, 1000)
    assert sum(words(m["content"]) + 8 for m in fitted) <= 1000
    assert fitted[-1]["role"] == "user"


def test_tightened_schema_bounds_arrays_and_strings_and_requires_everything() -> None:
    schema = {"type": "object", "properties": {
        "tasks": {"type": "array", "items": {"type": "object", "properties": {
            "id": {"type": "string"}, "worker": {"type": "string", "enum": ["a", "b"]}}}},
        "limit": {"type": "integer"}}}
    tight = st.tightened_schema(schema)
    assert tight["required"] == ["tasks", "limit"] and tight["additionalProperties"] is False
    assert tight["properties"]["tasks"]["maxItems"] == st.MAX_ITEMS
    item = tight["properties"]["tasks"]["items"]
    assert item["properties"]["id"]["maxLength"] == st.MAX_STRING
    assert "maxLength" not in item["properties"]["worker"]  # enums are bounded already
    assert "maxItems" not in schema["properties"]["tasks"]  # the original is not changed


def test_choice_grammar_escapes_options() -> None:
    grammar = st.choice_grammar(["answer", 'say "hi"\\'])
    assert grammar == 'root ::= "answer" | "say \\"hi\\"\\\\"\n'


@pytest.mark.parametrize("instructions, word", [
    ("Review against the spec. Reply APPROVED or list defects.", "APPROVED"),
    ("If it is good, respond with 'LGTM'.", "LGTM"),
    ("Implement the spec with complete, runnable code.", None),
])
def test_verdict_word_comes_from_the_system_prompt(instructions: str, word: str | None) -> None:
    messages = [{"role": "system", "content": instructions}, {"role": "user", "content": "Reply DONE"}]
    assert st.verdict_word(messages) == word


def test_word_mask_replaces_words_split_across_chunks() -> None:
    mask = st.WordMask("APPROVED", st.WITHHELD)
    out = "".join(mask.feed(p) for p in ["not yet APP", "ROVED; the ", "approved list", " is short"]) + mask.flush()
    assert out == f"not yet {st.WITHHELD}; the {st.WITHHELD} list is short"


def test_without_llama_cpp_the_error_is_the_install_line(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "llama_cpp" else real(name, *a))
    with pytest.raises(local_model.LocalModelUnavailable) as info:
        local_model.LocalModel()
    error = info.value
    assert isinstance(error, ModelError) and error.retryable is False
    assert "\n" not in str(error) and 'pip install "teamtui[local]"' in str(error)


def test_a_missing_gguf_path_is_named(tmp_path) -> None:
    pytest.importorskip("llama_cpp")
    with pytest.raises(local_model.LocalModelUnavailable, match="no GGUF model file"):
        local_model.LocalModel(str(tmp_path / "nope.gguf"))


def test_tool_prompts_list_every_option() -> None:
    tools = [ToolSpec("transfer_to_billing", "Billing questions.")]
    prompt = st.tool_choice_prompt(tools)
    assert "transfer_to_billing" in prompt and st.ANSWER in prompt
    assert not st.has_arguments(ToolSpec("list_files", "List files."))
    assert st.has_arguments(ToolSpec("read_file", "Read.", {"type": "object", "properties": {"path": {"type": "string"}}}))


def test_verdict_word_found_in_the_built_in_qa_instructions() -> None:
    text = ("If, and only if, every acceptance criterion is met, reply with the single word APPROVED\n"
            "on its own first line. Otherwise do not write the word APPROVED anywhere.")
    assert st.verdict_word([{"role": "system", "content": text}]) == "APPROVED"
    assert st.verdict_word([{"role": "system", "content": "Reply with JSON only."}]) is None
