"""Turning the core's OpenAI-style messages into a prompt a small local model can take.

Chat templates shipped inside GGUF files (SmolLM2's included) know only system, user and
assistant turns with plain string content, so tool calls and tool results are rewritten as
text. The context window is fixed, so a prompt that would overflow is trimmed (oldest content
first, keeping each message's head and tail) instead of failing the run.
"""

from __future__ import annotations

from typing import Any, Callable

#: Tokens a chat template adds around each message (role markers, separators), with margin.
PER_MESSAGE_TOKENS = 8
#: A trimmed message keeps at least this many tokens so its role in the conversation stays clear.
MIN_KEEP_TOKENS = 48
#: Room left for the marker that says where text was cut.
MARK_TOKENS = 24
TRIM_MARK = "\n[... {n} characters trimmed to fit the local model's context ...]\n"


def content_text(content: Any) -> str:
    """Plain text of a message's content (a string, None, or a list of OpenAI content parts)."""
    if content is None:
        return ""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        parts = [p.get("text", "") if isinstance(p, dict) else str(p) for p in content]
        return "\n".join(p for p in parts if p)
    return str(content)


def plain_messages(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    """Messages with only system/user/assistant roles and string content."""
    out: list[dict[str, str]] = []
    for message in messages:
        role = message.get("role", "user")
        text = content_text(message.get("content"))
        if role == "assistant":
            calls = message.get("tool_calls") or []
            for call in calls:
                fn = call.get("function", {}) if isinstance(call, dict) else {}
                text += f"\n(called {fn.get('name', 'a tool')} with {fn.get('arguments') or '{}'})"
            out.append({"role": "assistant", "content": text.strip()})
        elif role == "tool":
            name = message.get("name") or "tool"
            out.append({"role": "user", "content": f"Result of {name}:\n{text}"})
        elif role == "system":
            out.append({"role": "system", "content": text})
        else:
            out.append({"role": "user", "content": text})
    return out


def count_tool_calls(messages: list[dict[str, Any]]) -> int:
    """How many tool calls the conversation already holds (assistant tool_calls entries)."""
    return sum(len(m.get("tool_calls") or []) for m in messages if m.get("role") == "assistant")


def middle_trim(text: str, keep_chars: int) -> str:
    """``text`` cut to about ``keep_chars`` characters: 40% head, 60% tail, a marker between."""
    if len(text) <= keep_chars:
        return text
    head = int(keep_chars * 0.4)
    tail = keep_chars - head
    return text[:head] + TRIM_MARK.format(n=len(text) - keep_chars) + text[len(text) - tail:]


def fit_messages(
    messages: list[dict[str, str]], count_tokens: Callable[[str], int], budget: int
) -> list[dict[str, str]]:
    """Messages that fit in ``budget`` tokens.

    Trims the oldest conversation content first, then the latest message, then the system
    prompt; drops middle messages only if trimming alone cannot make room.
    """
    msgs = [dict(m) for m in messages]
    sizes = [count_tokens(m["content"]) + PER_MESSAGE_TOKENS for m in msgs]
    excess = sum(sizes) - budget
    if excess <= 0:
        return msgs
    last = len(msgs) - 1
    middle = [i for i in range(last) if msgs[i]["role"] != "system"]
    systems = [i for i in range(last) if msgs[i]["role"] == "system"]
    for i in middle + [last] + systems:
        for _ in range(3):  # characters per token vary: trim by proportion, re-count, again if short
            tokens = sizes[i] - PER_MESSAGE_TOKENS
            keep = max(MIN_KEEP_TOKENS, tokens - excess - MARK_TOKENS)
            if excess <= 0 or keep >= tokens:
                break
            text = msgs[i]["content"]
            msgs[i]["content"] = middle_trim(text, max(1, len(text) * keep // max(tokens, 1)))
            new_size = count_tokens(msgs[i]["content"]) + PER_MESSAGE_TOKENS
            excess -= sizes[i] - new_size
            sizes[i] = new_size
    while excess > 0 and middle:
        i = middle.pop(0)
        excess -= sizes[i]
        sizes[i] = 0
    kept = [(m, s) for m, s in zip(msgs, sizes) if s]
    # Still over (a huge system prompt or a tiny window): halve the largest message until it fits.
    while excess > 0:
        j = max(range(len(kept)), key=lambda k: kept[k][1])
        message, size = kept[j]
        if len(message["content"]) <= 64:
            break
        message["content"] = middle_trim(message["content"], len(message["content"]) // 2)
        new_size = count_tokens(message["content"]) + PER_MESSAGE_TOKENS
        excess -= size - new_size
        kept[j] = (message, new_size)
    return [m for m, _ in kept]
