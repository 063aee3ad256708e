"""The demo developer's code is real: its tests pass (Python always; JavaScript, Rust and Java when
their toolchains are installed). Code is taken from the model's reply, fence by fence."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from teamtui.core.models.demo_code import SNIPPETS, TEMPLATES, code_kind
from teamtui.core.models.demo_text import subject_of

from test_demo_model import Contribution, reply, request

SERVICES = ["a URL shortener", "a newsletter signup service", "a todo app"]


def _write(tmp: Path, ask: str, *, revised: bool) -> list[Path]:
    """Write each fenced block of the developer's reply to its file; returns the paths."""
    if revised:  # a review in round 1, then the developer's revision in round 2
        first = reply(request("qa", "QA Engineer", ask, round=1, max_rounds=3))[0]
        text = reply(request("developer", "Senior Developer", ask, round=2, max_rounds=3,
                             work=[Contribution("qa", "2.r1.2", first)]))[0]
    else:
        text = reply(request("developer", "Senior Developer", ask, round=1, max_rounds=3))[0]
    blocks = re.findall(r"```\w+\n(.*?)```", text, re.S)
    subject = subject_of(ask)
    kind, lang = code_kind(subject), subject.language
    files = TEMPLATES[lang] if kind == "service" else SNIPPETS[kind]["TypeScript" if lang == "JavaScript" else lang]
    stem, ext = {"sort": "mergeSort"}.get(kind, kind), "mjs" if lang == "JavaScript" else "ts"
    assert len(blocks) == len(files)
    paths = []
    for (name, _), code in zip(files, blocks):
        entity = re.search(r"public class (\w+)Service", code)
        name = (name.replace("{{base}}", f"{stem}.{ext}").replace("{{testbase}}", f"{stem}.test.{ext}")
                .replace("{{Entity}}", entity.group(1) if entity else ""))
        path = tmp / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(code)
        paths.append(path)
    return paths


def _run(args: list[str], cwd: Path) -> str:
    proc = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc.stdout + proc.stderr


# Runs every test_* function of the given modules: plain asserts need no pytest, and this starts fast.
RUNNER = ("import importlib, sys\nsys.path.insert(0, '.')\nn = 0\nfor name in sys.argv[1:]:\n"
          "    module = importlib.import_module(name)\n"
          "    for test in [getattr(module, t) for t in dir(module) if t.startswith('test_')]:\n"
          "        test()\n        n += 1\nprint(n, 'passed')\n")


@pytest.mark.parametrize("revised", [False, True])
@pytest.mark.parametrize("ask", SERVICES + ["a palindrome function", "a fibonacci function", "a sort function",
                                            "a word count function"])
def test_python_code_passes_its_own_tests(tmp_path: Path, ask: str, revised: bool) -> None:
    paths = _write(tmp_path, f"Write {ask} in Python", revised=revised)
    out = _run([sys.executable, "-c", RUNNER, *[p.stem for p in paths]], tmp_path)
    passed = int(re.search(r"(\d+) passed", out).group(1))
    assert passed >= (4 if revised and "function" not in ask else 2 if revised else 1)


def test_the_python_service_serves_http(tmp_path: Path) -> None:
    _write(tmp_path, "Build a URL shortener in Python", revised=True)
    script = (
        "import json, threading, urllib.request, urllib.error\n"
        "from http.server import ThreadingHTTPServer\n"
        "from app import Store, make_handler\n"
        "srv = ThreadingHTTPServer(('127.0.0.1', 0), make_handler(Store()))\n"
        "threading.Thread(target=srv.serve_forever, daemon=True).start()\n"
        "base = f'http://127.0.0.1:{srv.server_port}/links'\n"
        "def post(body):\n"
        "    req = urllib.request.Request(base, data=json.dumps(body).encode(), method='POST')\n"
        "    try:\n"
        "        with urllib.request.urlopen(req) as r: return r.status, json.loads(r.read())\n"
        "    except urllib.error.HTTPError as e: return e.code, None\n"
        "status, link = post({'url': 'https://example.com/a'})\n"
        "assert status == 201, status\n"
        "with urllib.request.urlopen(base + '/' + link['code']) as r: assert json.loads(r.read()) == link\n"
        "assert post({'url': 'not a url'})[0] == 400\n"
        "print('ok')\n"
    )
    assert "ok" in _run([sys.executable, "-c", script], tmp_path)


def test_the_migration_script_maps_sqlite_tables(tmp_path: Path) -> None:
    ask = "Compare SQLite and PostgreSQL for a small web app and write a migration script from one to the other"
    text = reply(request("coder", "Software Engineer", ask))[0]
    (tmp_path / "migrate.py").write_text(re.search(r"```python\n(.*?)```", text, re.S).group(1))
    (tmp_path / "psycopg.py").write_text("Connection = object\n")  # the real driver is not needed to plan tables
    script = (
        "import sqlite3, migrate\n"
        "db = sqlite3.connect(':memory:')\n"
        "db.execute('CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL, score REAL)')\n"
        "assert migrate.tables(db) == ['users']\n"
        "print(migrate.create_sql(db, 'users'))\n"
    )
    out = _run([sys.executable, "-c", script], tmp_path)
    assert 'CREATE TABLE IF NOT EXISTS "users" ("id" BIGINT PRIMARY KEY, "email" TEXT NOT NULL, ' \
           '"score" DOUBLE PRECISION)' in out


@pytest.mark.skipif(shutil.which("node") is None, reason="node is not installed")
@pytest.mark.parametrize("ask", ["a URL shortener", "a palindrome function", "a sort function"])
def test_javascript_code_passes_its_own_tests(tmp_path: Path, ask: str) -> None:
    paths = _write(tmp_path, f"Write {ask} in JavaScript", revised=True)
    (tmp_path / "package.json").write_text('{"type": "module"}\n')
    out = _run(["node", "--test", *[p.name for p in paths if ".test." in p.name]], tmp_path)
    assert re.search(r"# pass [1-9]", out) and "# fail 0" in out


@pytest.mark.skipif(shutil.which("rustc") is None, reason="rustc is not installed")
@pytest.mark.parametrize("revised", [False, True])
def test_rust_code_compiles_cleanly_and_passes(tmp_path: Path, revised: bool) -> None:
    (path,) = _write(tmp_path, "Build a URL shortener in Rust", revised=revised)
    out = _run(["rustc", "--edition", "2021", "--test", str(path), "-o", str(tmp_path / "t")], tmp_path)
    assert "warning" not in out
    assert "test result: ok" in _run([str(tmp_path / "t")], tmp_path)


@pytest.mark.skipif(shutil.which("javac") is None, reason="javac is not installed")
def test_java_code_compiles_without_warnings(tmp_path: Path) -> None:
    paths = _write(tmp_path, "Write a URL shortener in Java", revised=True)
    sources = [str(p) for p in paths if not p.name.endswith("Test.java")]  # JUnit is not on the class path
    out = _run(["javac", "-Xlint:all", "-d", str(tmp_path / "classes"), *sources], tmp_path)
    assert "warning" not in out
