"""Team files: find them by name, load them, and explain what is wrong with them by file:line.

    team = load_team("software-house")        # a name: user teams, then built-ins
    team = load_team("teams/router.yaml")     # or a path
    for info in list_teams(): ...
"""

from teamtui.loader.catalog import TeamInfo, builtin_dir, list_teams, load_team, resolve, validate_file
from teamtui.loader.errors import TeamFileError, TeamNotFoundError
from teamtui.loader.parse import read_team_file, team_from_text

__all__ = [
    "TeamFileError",
    "TeamInfo",
    "TeamNotFoundError",
    "builtin_dir",
    "list_teams",
    "load_team",
    "read_team_file",
    "resolve",
    "team_from_text",
    "validate_file",
]
