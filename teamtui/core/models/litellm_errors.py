"""Turn whatever litellm raises into one ModelError the runtime can act on.

The runtime retries (with backoff) only what is worth retrying: rate limits, timeouts,
connection failures, cut streams and server errors. Bad keys, bad requests and unknown models
fail at once, and so does what litellm refuses before sending anything (a model string with no
provider, a missing key), which it dresses up as an HTTP 400 or 500 or a connection error. Messages are one line, name the model and never carry a credential.
"""

from __future__ import annotations

import asyncio
import re
import time
from email.utils import parsedate_to_datetime
from types import ModuleType
from typing import Any, Iterable, Mapping

from ..redact import redact
from .base import ModelError

RETRYABLE_STATUS = frozenset({408, 409, 425, 429})
MAX_MESSAGE_LEN = 300

_KINDS = {
    400: "bad request",
    401: "authentication failed",
    403: "permission denied",
    404: "not found",
    408: "timed out",
    409: "conflict",
    413: "request too large",
    422: "request rejected",
    429: "rate limited",
}
# litellm's words when it cannot place a model string, and when it finds no key (each provider
# says it its own way: "Missing credentials", "Missing Anthropic API Key", "Missing Gemini API key").
_NO_PROVIDER = "LLM Provider NOT provided"
_MISSING_KEY = re.compile(r"\bMissing (?:credentials|[\w .-]{0,40}API Key)\b", re.IGNORECASE)
_KEY_NAME = re.compile(r"\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*_API_KEY\b")
# "litellm.RateLimitError: RateLimitError: OpenAIException - " and the like, before the provider's words.
_CLASS_PREFIX = re.compile(r"(?:litellm\.)?\b[A-Za-z]*(?:Error|Exception)\s*(?::|-)\s+")


def to_model_error(exc: BaseException, model: str, litellm: ModuleType, secrets: Iterable[str | None] = ()) -> ModelError:
    cut = isinstance(exc, litellm.exceptions.MidStreamFallbackError)
    cause: BaseException = exc
    if cut and exc.original_exception is not None:  # type: ignore[attr-defined]
        cause = exc.original_exception  # type: ignore[attr-defined]
    status: int | None = None
    local = _local_refusal(str(cause), model, getattr(cause, "llm_provider", None))
    if local is not None:  # litellm refused before sending: whatever status it gives is made up
        return ModelError(redact(f"{model}: {local}", secrets), retryable=False)
    if isinstance(cause, (litellm.Timeout, asyncio.TimeoutError, TimeoutError)):
        kind, retryable, detail = "timed out", True, ""
    elif isinstance(cause, (litellm.APIConnectionError, ConnectionError)):
        kind, retryable, detail = ("stream cut off" if cut else "connection failed"), True, str(cause)
    else:
        status = _status(cause)
        retryable = status is not None and (status in RETRYABLE_STATUS or status >= 500)
        if status == 429 and "insufficient_quota" in str(cause):
            retryable = False  # an empty account: waiting never helps
        kind = "stream cut off" if cut else _KINDS.get(status or 0, "server error" if (status or 0) >= 500 else "failed")
        detail = str(cause)
    message = f"{model}: {kind}"
    if status is not None:
        message += f" (HTTP {status})"
    detail = _clean(detail)
    if detail:
        message += f": {detail}"
    message = redact(" ".join(message.split()), secrets)
    if len(message) > MAX_MESSAGE_LEN:
        message = message[: MAX_MESSAGE_LEN - 1] + "…"
    return ModelError(message, retryable=retryable, status=status, retry_after_s=_retry_after(cause) if retryable else None)


def _local_refusal(text: str, model: str, provider: str | None) -> str | None:
    """What is wrong, in a few words, when litellm refused the call itself: a model string it
    cannot place, or no key for the provider. Retrying can fix neither."""
    if _NO_PROVIDER in text:
        prefix, slash, _ = model.partition("/")
        what = f"unknown provider {prefix!r}" if slash else "no provider given"
        return f"{what}; write the model as provider/model, e.g. openai/gpt-4o-mini"
    if _MISSING_KEY.search(text):
        provider = provider or model.partition("/")[0] or "this provider"
        env = _KEY_NAME.search(text)
        return f"no API key for {provider}" + (f": set {env.group(0)}" if env else "")
    return None


def _status(exc: BaseException) -> int | None:
    try:
        return int(getattr(exc, "status_code", None) or 0) or None
    except (TypeError, ValueError):
        return None


def _clean(detail: str) -> str:
    detail = detail.split(" Original exception:")[0]
    previous = None
    while previous != detail:  # strip stacked class-name prefixes
        previous, detail = detail, _CLASS_PREFIX.sub("", detail, count=1).strip()
    return detail


def _retry_after(exc: BaseException) -> float | None:
    """Seconds the provider asked us to wait (Retry-After / retry-after-ms), if it said."""
    for source in (getattr(exc, "litellm_response_headers", None), getattr(exc, "headers", None),
                   getattr(getattr(exc, "response", None), "headers", None)):
        if source:
            seconds = parse_retry_after(source)
            if seconds is not None:
                return seconds
    return None


def parse_retry_after(headers: Mapping[str, Any]) -> float | None:
    lowered = {str(k).lower(): str(v).strip() for k, v in headers.items()}
    for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
        try:
            return max(0.0, float(lowered[name]) * scale)
        except (KeyError, ValueError):
            continue
    try:  # Retry-After may also be an HTTP date
        return max(0.0, parsedate_to_datetime(lowered["retry-after"]).timestamp() - time.time())
    except (KeyError, TypeError, ValueError, IndexError):
        return None
