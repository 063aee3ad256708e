"""The check made before a run starts: a model string with no provider, or no key for the
provider, is caught from the string and the environment alone (litellm is not imported)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.core.models import preflight
from teamtui.core.models.preflight import model_problem

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def no_keys(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in ("OPENAI_API_KEY", "OPENAI_ADMIN_KEY", "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN",
                 "GEMINI_API_KEY", "GOOGLE_API_KEY", "OPENAI_BASE_URL", "OPENAI_API_BASE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(preflight, "_dotenv_path", lambda: None)  # no .env from the machine running the tests


@pytest.mark.parametrize("spec", ["demo", "local", "local:/models/x.gguf", "ollama/llama3.1", "hosted_vllm/x"])
def test_models_that_need_no_key_pass(spec: str) -> None:
    assert model_problem(spec, None) is None


def test_a_model_string_with_no_provider_is_named() -> None:
    assert model_problem("nonsense", None) == (
        "model 'nonsense': no provider given; write it as provider/model, e.g. openai/gpt-4o-mini")
    assert model_problem("openai/", None) == "model 'openai/': no model name after the provider"


def test_a_missing_key_is_named_with_the_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    assert model_problem("openai/gpt-4o-mini", None) == "model 'openai/gpt-4o-mini': no API key for openai; set OPENAI_API_KEY"
    assert model_problem("anthropic/claude-3-5-haiku-latest", None) == (
        "model 'anthropic/claude-3-5-haiku-latest': no API key for anthropic; set ANTHROPIC_API_KEY")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test")
    monkeypatch.setenv("GOOGLE_API_KEY", "g-test")  # gemini takes either of its two names
    assert model_problem("openai/gpt-4o-mini", None) is None
    assert model_problem("gemini/gemini-1.5-flash", None) is None


def test_a_bare_name_litellm_knows_is_checked_under_its_provider() -> None:
    # litellm places "gpt-4o-mini" under openai by its price list; such names must not be refused.
    assert model_problem("gpt-4o-mini", None) == "model 'gpt-4o-mini': no API key for openai; set OPENAI_API_KEY"


def test_an_endpoint_of_ones_own_may_need_no_key(monkeypatch: pytest.MonkeyPatch) -> None:
    assert model_problem("openai/my-model", "http://127.0.0.1:8000/v1") is None
    assert model_problem("nonsense", "http://127.0.0.1:8000/v1") is None  # litellm may place it by the endpoint
    monkeypatch.setenv("OPENAI_BASE_URL", "http://127.0.0.1:8000/v1")
    assert model_problem("openai/my-model", None) is None


def test_a_key_in_the_env_file_litellm_loads_counts(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = tmp_path / ".env"
    env.write_text("# keys\nexport OPENAI_API_KEY='sk-from-file'\n")
    monkeypatch.setattr(preflight, "_dotenv_path", lambda: env)
    assert model_problem("openai/gpt-4o-mini", None) is None
    env.write_text("OPENAI_API_KEY=\n")
    assert model_problem("openai/gpt-4o-mini", None) is not None


def test_the_check_does_not_import_litellm() -> None:
    code = ("import sys; from teamtui.core.models.preflight import model_problem; "
            "[model_problem(m, None) for m in ('gpt-4o-mini', 'nonsense', 'openai/x', 'ollama/y')]; "
            "print('litellm' in sys.modules)")
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr
