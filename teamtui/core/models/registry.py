"""Choosing and building each agent's model.

Most specific wins: ``--model``, the agent's ``model``, the team's ``model``, ``$TEAMTUI_MODEL``,
the config file, else the offline demo. Model modules are imported only when chosen, so a run on
the demo never loads litellm, and a litellm model starts importing it in the background at once.
"""

from __future__ import annotations

import os

from ..team import Team
from .base import ChatModel

DEMO = "demo"


def choose(team: Team, agent: str, cli_model: str | None, config_model: str | None) -> str:
    return (
        cli_model
        or team.agents[agent].model
        or team.model
        or os.environ.get("TEAMTUI_MODEL")
        or config_model
        or DEMO
    ).strip()


def build(spec: str, api_base: str | None, demo_speed: float) -> ChatModel:
    if spec == DEMO:
        from .demo import DemoModel

        return DemoModel(speed=demo_speed)
    if spec == "local" or spec.startswith("local:"):
        from .local_model import LocalModel

        return LocalModel(spec.partition(":")[2] or None)
    from .litellm_model import LiteLLMModel, preload_litellm

    preload_litellm()
    return LiteLLMModel(spec, api_base=api_base)


def resolve_models(
    team: Team,
    cli_model: str | None,
    config_model: str | None,
    api_base: str | None,
    injected: dict[str, ChatModel] | None,
    demo_speed: float = 1.0,
) -> dict[str, ChatModel]:
    """One model object per agent; agents that name the same model share one instance."""
    chosen: dict[str, ChatModel] = {}
    built: dict[str, ChatModel] = {}
    for agent in team.agents:
        if injected and (agent in injected or "*" in injected):
            chosen[agent] = injected.get(agent) or injected["*"]
            continue
        spec = choose(team, agent, cli_model, config_model)
        if spec not in built:
            built[spec] = build(spec, api_base, demo_speed)
        chosen[agent] = built[spec]
    return chosen
