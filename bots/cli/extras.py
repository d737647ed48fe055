"""Optional extras: an edge command run without its extra says in one line what to install."""

from __future__ import annotations

import importlib.util

from advisor.errors import ConfigError


def require(command: str, extra: str, *modules: str) -> None:
    """Raise ConfigError naming the extra when any of ``modules`` is not importable."""
    missing = [name for name in modules if importlib.util.find_spec(name) is None]
    if missing:
        raise ConfigError(
            f"`advisor {command}` needs the {extra} extra ({', '.join(missing)} not installed): "
            f"pip install 'alliance-advisor[{extra}]'"
        )
