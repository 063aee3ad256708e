"""What can be said about a model string before a run starts, from the string and the environment
alone: a name with no provider, or no key for the provider. litellm would say the same only once
imported (seconds) and called; this module never imports it, so the check costs start-up nothing.

It errs on the side of letting a run start: a provider it does not know, a custom endpoint
(which may need no key) or a bare name it cannot look up is left for litellm to judge.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
from functools import lru_cache
from pathlib import Path

#: The variables litellm reads each provider's key from (any one will do); the first is the one to suggest.
KEY_NAMES = {
    "openai": ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY"),
    "anthropic": ("ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN"),
    "gemini": ("GEMINI_API_KEY", "GOOGLE_API_KEY"),
    "groq": ("GROQ_API_KEY",),
    "mistral": ("MISTRAL_API_KEY",),
    "deepseek": ("DEEPSEEK_API_KEY",),
    "openrouter": ("OPENROUTER_API_KEY", "OR_API_KEY"),
    "xai": ("XAI_API_KEY",),
}
#: Where an openai model may be pointed at another server (LiteLLMModel reads these too).
BASE_URL_NAMES = ("OPENAI_BASE_URL", "OPENAI_API_BASE")
_NOT_LITELLM = ("demo", "local")
_PRICE_LIST = "model_prices_and_context_window_backup.json"  # litellm's bundled list, which it uses offline


def model_problem(spec: str, api_base: str | None) -> str | None:
    """One line saying why ``spec`` cannot work, or None when it may."""
    if spec in _NOT_LITELLM or spec.startswith("local:"):
        return None
    provider, slash, name = spec.partition("/")
    if slash and not name:
        return f"model {spec!r}: no model name after the provider"
    if not slash or not provider:
        provider = _listed_provider(spec)
        if provider is None or api_base:
            return None  # cannot look it up, or litellm may place it by the endpoint
        if not provider:
            return f"model {spec!r}: no provider given; write it as provider/model, e.g. openai/gpt-4o-mini"
    if api_base or (provider == "openai" and any(map(_is_set, BASE_URL_NAMES))):
        return None  # an endpoint of one's own may take no key
    names = KEY_NAMES.get(provider)
    if names and not any(map(_is_set, names)):
        return f"model {spec!r}: no API key for {provider}; set {names[0]}"
    return None


def _litellm_dir() -> Path | None:
    try:
        found = importlib.util.find_spec("litellm")  # finds the package without importing it
    except (ImportError, ValueError):
        return None
    locations = found.submodule_search_locations if found else None
    return Path(next(iter(locations))) if locations else None


def _listed_provider(name: str) -> str | None:
    """The provider litellm's price list gives a bare model name ("gpt-4o-mini" -> "openai"), ""
    when the list does not have it, None when the list cannot be read here."""
    text = _price_list()
    if text is None:
        return None
    at = text.find(json.dumps(name) + ": {")  # a few ms: no need to parse 3 MB of JSON
    if at < 0:
        return ""
    found = re.compile(r'"litellm_provider":\s*"([^"]*)"').search(text, at)
    return found.group(1) if found else None


@lru_cache(maxsize=1)
def _price_list() -> str | None:
    """litellm's bundled price list as text, read once: a team's bare model names share it (3 MB)."""
    folder = _litellm_dir()
    try:
        return (folder / _PRICE_LIST).read_text(encoding="utf-8") if folder else None
    except OSError:
        return None


def _is_set(name: str) -> bool:
    return bool(os.environ.get(name)) or name in _dotenv_names()


def _dotenv_path() -> Path | None:
    """The .env file litellm loads when imported: the first one found walking up from its own folder."""
    if os.environ.get("LITELLM_MODE", "DEV") != "DEV":
        return None
    folder = _litellm_dir()
    for parent in [folder, *folder.parents] if folder else []:
        if (parent / ".env").is_file():
            return parent / ".env"
    return None


def _dotenv_names() -> set[str]:
    """The variables that .env gives a value."""
    path = _dotenv_path()
    if path is None:
        return set()
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return set()
    names = set()
    for line in lines:
        key, eq, value = line.strip().removeprefix("export ").partition("=")
        if eq and value.strip().strip("'\""):
            names.add(key.strip())
    return names
