"""The CLI's start-up policy: no garbage collection while start-up builds long-lived objects."""

from __future__ import annotations

import subprocess
import sys
import textwrap


def _run(code: str) -> None:
    # A process of its own: the policy changes the interpreter's collector, not pytest's.
    done = subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_collection_is_deferred_until_settled_then_resumes_with_startup_frozen():
    _run("""
        import gc
        from teamtui.startup import defer_collection, settled
        defer_collection()
        assert not gc.isenabled()
        settled()
        assert gc.isenabled()
        assert gc.get_freeze_count() > 1000, gc.get_freeze_count()
    """)


def test_a_program_that_turned_collection_off_keeps_it_off():
    _run("""
        import gc
        from teamtui.startup import defer_collection, settled
        gc.disable()
        defer_collection()
        settled()
        assert not gc.isenabled()
    """)


def test_the_headless_run_collects_again_once_started(tmp_path):
    # The run itself allocates freely (streams, events): it must not run with the collector off.
    _run(f"""
        import gc, sys, os
        os.environ["TEAMTUI_HOME"] = {str(tmp_path)!r}
        import teamtui.launch as launch
        seen = []
        real = launch.settled
        launch.settled = lambda: (real(), seen.append(gc.isenabled()))
        sys.argv = ["teamtui", "run", "software-house", "Build a URL shortener", "--headless", "--model", "demo",
                    "--speed", "0"]
        from teamtui.cli import main
        try:
            main()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        assert seen == [True], seen
        assert gc.isenabled()
    """)


def test_the_console_script_turns_collection_off_before_typer_is_imported():
    # The entry point as installed (pyproject.toml): typer's and pydantic's imports are start-up too.
    _run("""
        import gc, sys
        from importlib.metadata import entry_points
        (script,) = entry_points(group="console_scripts", name="teamtui")
        seen = []

        class Watch:
            def find_spec(self, name, path=None, target=None):
                if name == "typer":
                    seen.append(gc.isenabled())
                return None

        sys.meta_path.insert(0, Watch())
        sys.argv = ["teamtui", "--version"]
        try:
            script.load()()
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
        assert seen == [False], seen
    """)
