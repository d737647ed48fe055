"""Optional extras: an edge command run without its extra says in one line what to install."""

from __future__ import annotations

import importlib.util

from advisor.errors import ConfigError


def require(command: str, extra: str, *modules: str) -> None:
    """Raise ConfigError naming the extra when any of ``modules`` is not importable."""
    missing = [name for name in modules if not _installed(name)]
    if missing:
        raise ConfigError(
            f"`advisor {command}` needs the {extra} extra ({', '.join(missing)} not installed): "
            f"pip install 'alliance-advisor[{extra}]'"
        )


def _installed(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):  # ValueError: sys.modules[name] is None, Python's "blocked"
        return False
