"""Registries of named providers (engines, embedders) and the plugins that fill them.

A plugin is an importable module with a hook per kind of provider it adds::

    def register_engines(register):      # register(name, factory); factory(settings) -> Engine
        register("echo", EchoEngine)

    def register_embedders(register):    # the same for embedders
        register("my-model", lambda settings: MyEmbedder())

Plugins load, in this order, the first time a registry is asked for a name: the built-in modules
(which register through the same hooks), modules installed under the ``alliance_advisor`` entry-point
group, then the modules named in ``ADVISOR_PLUGINS`` (comma-separated). A later registration of a
name replaces an earlier one. ``register_engine``/``register_embedder`` also work at import time.
"""

from __future__ import annotations

import functools
import importlib
import logging
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from advisor.config import Settings, load_settings
from advisor.errors import ConfigError, unknown_choice

log = logging.getLogger(__name__)

ENTRY_POINT_GROUP = "alliance_advisor"
BUILTIN_PLUGINS = ("advisor.embeddings", "advisor.engines.extractive", "advisor.engines.llm")

T = TypeVar("T")
Factory = Callable[[Settings], T]
Register = Callable[[str, Callable[[Settings], Any]], None]  # what a plugin hook receives


class Registry(Generic[T]):
    """Named factories of one kind of provider; ``hook`` is the plugin function that fills it."""

    def __init__(self, kind: str, hook: str) -> None:
        self.kind = kind
        self.hook = hook
        self._factories: dict[str, Factory[T]] = {}
        self._loaded: set[str] = set()

    def register(self, name: str, factory: Factory[T]) -> None:
        self._factories[name] = factory

    def names(self, settings: Settings | None = None) -> list[str]:
        self.load_plugins(settings)
        return sorted(self._factories)

    def create(self, name: str, settings: Settings) -> T:
        self.load_plugins(settings)
        factory = self._factories.get(name)
        if factory is None:
            raise ConfigError(unknown_choice(self.kind, name, sorted(self._factories)))
        return factory(settings)

    def load_plugins(self, settings: Settings | None = None) -> None:
        """Import every plugin module not yet seen and run its hook for this registry."""
        wanted = [*BUILTIN_PLUGINS, *_installed_plugins()]
        wanted += (settings or load_settings()).plugin_modules
        for module_name in wanted:
            if module_name in self._loaded:
                continue
            self._loaded.add(module_name)
            hook = getattr(import_plugin(module_name), self.hook, None)
            if hook is not None:
                hook(self.register)


def import_plugin(module_name: str):  # -> ModuleType
    try:
        return importlib.import_module(module_name)
    except Exception as exc:  # a plugin's own import error is the user's to fix: say which one
        raise ConfigError(
            f"plugin {module_name!r} cannot be imported ({exc.__class__.__name__}: {exc}); "
            "check ADVISOR_PLUGINS and the installed plugins"
        ) from None


@functools.cache
def _installed_plugins() -> tuple[str, ...]:
    from importlib.metadata import entry_points

    return tuple(ep.module for ep in entry_points(group=ENTRY_POINT_GROUP))
