"""Team files: built-in teams, name resolution, and file:line errors for every kind of mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from teamtui.core.team import Events, Handoff, Loop, Parallel, Route, Sequence, Supervise
from teamtui.loader import (
    TeamFileError,
    TeamNotFoundError,
    builtin_dir,
    list_teams,
    load_team,
    team_from_text,
    validate_file,
)

BUILTINS = {
    "software-house": Sequence,
    "router": Route,
    "supervisor": Supervise,
    "triage": Handoff,
    "analysis": Parallel,
    "ci-events": Events,
}


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    home = tmp_path / "home"
    monkeypatch.setenv("TEAMTUI_HOME", str(home))
    return home


# --- built-in teams ---------------------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(BUILTINS))
def test_builtin_team_loads_by_name_and_by_path(name: str) -> None:
    by_name = load_team(name)
    by_path = load_team(builtin_dir() / f"{name}.yaml")
    assert by_name == by_path
    assert by_name.name == name
    assert isinstance(by_name.flow, BUILTINS[name])
    assert by_name.description and "\n" not in by_name.description
    assert by_name.example
    assert by_name.model is None and all(a.model is None for a in by_name.agents.values())
    assert all(len(a.instructions) > 80 for a in by_name.agents.values()), "every agent needs real instructions"


def test_builtin_teams_ship_from_the_top_level_folder() -> None:
    top = Path(__file__).resolve().parents[1] / "teams"
    assert {p.stem for p in top.glob("*.yaml")} == set(BUILTINS)
    assert builtin_dir().resolve() == top


def test_list_teams_finds_the_six_builtins_with_descriptions() -> None:
    infos = list_teams()
    assert [i.name for i in infos] == sorted(BUILTINS)
    for info in infos:
        assert info.builtin and info.error is None
        assert info.description == load_team(info.name).description
        assert info.path.is_file()


def test_software_house_loops_developer_and_qa_until_approved() -> None:
    team = load_team("software-house")
    pm, loop = team.flow.sequence
    assert pm.agent == "pm"
    assert isinstance(loop, Loop) and loop.loop.max_iterations == 3
    assert loop.loop.until is not None and loop.loop.until.contains == "APPROVED"
    assert [s.agent for s in loop.loop.sequence] == ["developer", "qa"]
    assert "APPROVED" in team.agents["qa"].instructions


def test_triage_has_a_conditional_escalation_and_billing_hands_back() -> None:
    spec = load_team("triage").flow.handoff
    conditional = [t for t in spec.transfers["triage"] if t.when is not None]
    assert [t.to for t in conditional] == ["escalation"]
    assert all(t.description and t.note for ts in spec.transfers.values() for t in ts)
    assert [t.to for t in spec.transfers["billing"]] == ["triage"]


def test_ci_events_chain_and_memory_tool() -> None:
    team = load_team("ci-events")
    spec = team.flow.events
    assert spec.start == "code.pushed"
    subs = {s.agent: s for s in spec.subscribers}
    assert subs["tester"].on == ("code.pushed",) and subs["tester"].publish == "tests.passed"
    assert "code.pushed" in subs["linter"].on
    assert subs["deployer"].on == ("tests.passed",) and subs["deployer"].publish == "deploy.done"
    assert any("memory" in a.tools for a in team.agents.values())


def test_supervisor_planner_asks_for_parallel_independent_tasks() -> None:
    team = load_team("supervisor")
    assert set(team.flow.supervise.workers) == {"researcher", "coder", "reviewer"}
    assert "parallel" in team.agents[team.flow.supervise.planner].instructions


# --- names, paths and the user's team folder --------------------------------------------------------

MINIMAL = "name: {name}\ndescription: {desc}\nagents:\n  solo: {{role: Solo}}\nflow: {{agent: solo}}\n"


def test_user_team_overrides_builtin_of_the_same_name(_isolated_home: Path) -> None:
    teams = _isolated_home / "teams"
    teams.mkdir(parents=True)
    (teams / "router.yaml").write_text(MINIMAL.format(name="router", desc="my router"))
    (teams / "mine.yaml").write_text(MINIMAL.format(name="mine", desc="my own team"))
    assert load_team("router").description == "my router"
    assert load_team("mine").description == "my own team"

    infos = {i.name: i for i in list_teams()}
    assert infos["router"].builtin is False and infos["router"].description == "my router"
    assert infos["mine"].builtin is False
    assert [i.name for i in list_teams()][-2:] == ["mine", "router"], "built-ins first, then user teams"
    assert len([i for i in list_teams() if i.name == "router"]) == 1


def test_broken_user_team_is_listed_with_its_error(_isolated_home: Path) -> None:
    teams = _isolated_home / "teams"
    teams.mkdir(parents=True)
    (teams / "broken.yaml").write_text("name: broken\nagents: [\n")
    infos = {i.name: i for i in list_teams()}
    assert infos["broken"].error is not None and "broken.yaml:" in infos["broken"].error
    assert infos["broken"].description == ""
    assert all(infos[name].error is None for name in BUILTINS)


def test_unknown_name_lists_available_teams() -> None:
    with pytest.raises(TeamNotFoundError) as info:
        load_team("sofware-house")
    message = str(info.value)
    assert info.value.line is None
    assert "did you mean 'software-house'" in message
    for name in BUILTINS:
        assert name in message


def test_missing_path_and_directory(tmp_path: Path) -> None:
    with pytest.raises(TeamNotFoundError, match="no such file"):
        load_team(str(tmp_path / "nope.yaml"))
    with pytest.raises(TeamFileError, match="directory"):
        validate_file(tmp_path)


def test_path_given_as_string_and_validate_file(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(MINIMAL.format(name="t", desc="d"))
    assert load_team(str(path)).name == "t"
    assert validate_file(path).agents["solo"].role == "Solo"


# --- errors: one line, right line number, helpful message ------------------------------------------

HEADER = "name: t\nagents:\n  pm: {role: PM}\n"

ERRORS = {
    "syntax": ("name: t\nagents:\n  pm: {role: PM\nflow: {agent: pm}\n", 4, "YAML syntax error"),
    "tab": ("name: t\nagents:\n\tpm: {role: PM}\n", 3, "tabs"),
    "empty": ("# nothing here\n", 1, "the file is empty"),
    "not_mapping": ("- pm\n- qa\n", 1, "expected a mapping of team settings"),
    "scalar": ("just words\n", 1, "expected a mapping of team settings"),
    "two_documents": (HEADER + "flow: {agent: pm}\n---\nname: u\n", 5, "single document"),
    "duplicate_agent": (HEADER + "  pm: {role: QA}\nflow: {agent: pm}\n", 4,
                        "agents: duplicate key 'pm' (first defined on line 3)"),
    "duplicate_top": (HEADER + "flow: {agent: pm}\nname: u\n", 5, "duplicate key 'name' (first defined on line 1)"),
    "recursive_alias": ("name: t\nagents: &a\n  pm: *a\nflow: {agent: pm}\n", 3, "recursive alias"),
    "alias_bomb": ("a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
                   "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
                   "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", 5, "aliases expand"),
    "undefined_alias": (HEADER + "flow: *nothing\n", 4, "undefined alias"),
    "missing_field": ("name: t\nagents:\n  pm:\n    instructions: hi\nflow: {agent: pm}\n", 3,
                      "agents.pm: missing required field 'role'"),
    "missing_top": ("name: t\nagents:\n  pm: {role: PM}\n", 1, "missing required field 'flow'"),
    "unknown_key": ("name: t\nagents:\n  pm:\n    role: PM\n    instuctions: hi\nflow: {agent: pm}\n", 5,
                    "agents.pm: unknown key 'instuctions' (did you mean 'instructions'?)"),
    "wrong_type": (HEADER + "flow:\n  sequence:\n    - agent: pm\n    - loop:\n        max_iterations: three\n"
                   "        sequence: [{agent: pm}]\n", 8,
                   "flow.sequence[1].loop.max_iterations: expected an integer, got 'three'"),
    "out_of_range": (HEADER + "flow:\n  loop:\n    max_iterations: 0\n    sequence: [{agent: pm}]\n", 6,
                     "flow.loop.max_iterations: must be at least 1, got 0"),
    "negative_budget": (HEADER + "flow: {agent: pm}\nbudget: {max_cost: -1}\n", 5,
                        "budget.max_cost: must be more than 0, got -1"),
    "bad_flow_kind": (HEADER + "flow:\n  sequence:\n    - agent: pm\n    - agnt: pm\n", 7,
                      "flow.sequence[1]: a flow step needs one of: agent"),
    "flow_as_text": (HEADER + "flow: pm\n", 4, "write 'agent: pm'"),
    "bad_tool": ("name: t\nagents:\n  pm:\n    role: PM\n    tools: [memory, web]\nflow: {agent: pm}\n", 5,
                 "agents.pm.tools[1]: expected one of 'memory', 'files' or 'publish', got 'web'"),
    "empty_condition": (HEADER + "flow:\n  loop:\n    max_iterations: 2\n    until: {}\n"
                        "    sequence: [{agent: pm}]\n", 7, "flow.loop.until: a condition needs at least one"),
    "bad_regex": (HEADER + "flow:\n  loop:\n    max_iterations: 2\n    until: {regex: '(unclosed'}\n"
                  "    sequence: [{agent: pm}]\n", 7, "invalid regex"),
    "number_as_text": (HEADER + "flow:\n  loop:\n    max_iterations: 2\n    until: {contains: 42}\n"
                       "    sequence: [{agent: pm}]\n", 7, "put it in quotes"),
    "parallel_list_form": (HEADER + "flow:\n  parallel:\n    - agent: pm\n    - {agent: pm, extra: 1}\n", 7,
                           "flow.parallel[1]: unknown key 'extra'"),
    "unknown_agent": (HEADER + "flow:\n  sequence:\n    - agent: pm\n    - agent: dev\n", 7,
                      "flow.sequence[1].agent: unknown agent 'dev' (agents: pm)"),
    "unknown_arbiter": (HEADER + "flow:\n  parallel:\n    branches: [{agent: pm}]\n    arbiter: judge\n", 7,
                        "flow.parallel.arbiter: unknown agent 'judge'"),
    "unknown_flow": (HEADER + "flow: {flow: main}\n", 4, "flow.flow: unknown flow 'main'"),
    "flow_cycle": (HEADER + "flow: {flow: a}\nflows:\n  a: {flow: b}\n  b:\n    sequence:\n      - flow: a\n", 9,
                   "cycle in flows: a -> b -> a"),
    "self_handoff": (HEADER + "flow:\n  handoff:\n    start: pm\n    transfers:\n      pm:\n        - to: pm\n", 9,
                     "cannot hand off to itself"),
    "bad_agent_name": ("name: t\nagents:\n  '1pm': {role: PM}\nflow: {agent: 1pm}\n", 2, "must start with a letter"),
}


@pytest.mark.parametrize("case", sorted(ERRORS))
def test_error_line_and_message(case: str, tmp_path: Path) -> None:
    text, line, fragment = ERRORS[case]
    path = tmp_path / f"{case}.yaml"
    path.write_text(text)
    with pytest.raises(TeamFileError) as info:
        load_team(path)
    err = info.value
    assert (err.line, fragment in err.message) == (line, True), str(err)
    assert str(err) == f"{path}:{line}: {err.message}"
    assert "\n" not in str(err)
    assert "pydantic" not in str(err) and "errors.pydantic.dev" not in str(err)
    assert "Traceback" not in str(err)


def test_error_message_is_one_line_without_control_characters() -> None:
    err = TeamFileError("a.yaml", 3, "bad value 'x\ny'\x1b[31m red")
    assert str(err) == "a.yaml:3: bad value 'x y'\\x1b[31m red"


def test_not_utf8_reports_the_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"name: t\ndescription: caf\xe9\n")
    with pytest.raises(TeamFileError) as info:
        load_team(path)
    assert info.value.line == 2 and "UTF-8" in info.value.message


def test_yaml_11_booleans_stay_text() -> None:
    # YAML 1.1 would read the `on:` key and `yes` as booleans and break the event bus.
    team = team_from_text(
        "name: t\nagents:\n  pm: {role: PM}\nflow:\n  events:\n    start: 'yes'\n"
        "    subscribers:\n      - {agent: pm, on: yes}\n"
    )
    assert team.flow.events.subscribers[0].on == ("yes",)


def test_anchors_and_merge_keys_work() -> None:
    team = team_from_text(
        "name: t\nagents:\n  pm: &base {role: PM, instructions: Be brief., retries: 4}\n"
        "  qa:\n    <<: *base\n    role: QA\nflow: {sequence: [{agent: pm}, {agent: qa}]}\n"
    )
    assert team.agents["qa"].role == "QA" and team.agents["qa"].retries == 4


def test_unknown_key_error_points_at_the_merged_mapping_line() -> None:
    with pytest.raises(TeamFileError) as info:
        team_from_text("name: t\nagents:\n  pm: {role: PM}\nflow: {agent: pm}\nbudget:\n  max_tokns: 5\n")
    assert info.value.line == 6
    assert "budget: unknown key 'max_tokns' (did you mean 'max_tokens'?)" in info.value.message


@pytest.mark.parametrize("preset", [None, "logfire"])
def test_building_the_schema_skips_the_pydantic_plugin_scan_and_restores_the_setting(preset):
    # A process of its own: the schema is built once per process, at the first team loaded.
    import subprocess
    import sys
    import textwrap

    code = textwrap.dedent(f"""
        import os
        if {preset!r} is not None:
            os.environ["PYDANTIC_DISABLE_PLUGINS"] = {preset!r}
        from pydantic.plugin import _loader
        from teamtui.loader import load_team
        load_team("software-house")
        assert _loader._plugins is None, "pydantic scanned for plugins"  # its cache of the scan
        assert os.environ.get("PYDANTIC_DISABLE_PLUGINS") == {preset!r}, os.environ.get("PYDANTIC_DISABLE_PLUGINS")
    """)
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
