"""Plugins: engines and embedders added through ADVISOR_PLUGINS or the ``alliance_advisor``
entry-point group, by the same hooks the built-ins use; a plugin that cannot load is a ConfigError."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

import advisor.registry
from advisor.config import load_settings
from advisor.embeddings import EMBEDDERS, embedder_names, get_embedder
from advisor.engines import ENGINES, engine_names, get_engine
from advisor.errors import ConfigError

PLUGIN = textwrap.dedent('''
    """A plugin adding one engine and one embedder."""
    from advisor.embeddings import HashingEmbedder
    from advisor.engines.extractive import ExtractiveEngine


    class EchoEngine(ExtractiveEngine):
        name = "echo"


    def register_engines(register):
        register("echo", lambda settings: EchoEngine())


    def register_embedders(register):
        register("tiny", lambda settings: HashingEmbedder(dim=32))
''')


@pytest.fixture(autouse=True)
def clean_registries(monkeypatch):
    """Plugins loaded by a test stay out of the other tests' registries."""
    for registry in (ENGINES, EMBEDDERS):
        monkeypatch.setattr(registry, "_factories", dict(registry._factories))
        monkeypatch.setattr(registry, "_loaded", set(registry._loaded))


@pytest.fixture
def plugin(tmp_path, monkeypatch):
    (tmp_path / "echo_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setenv("ADVISOR_PLUGINS", "tests.fakes, echo_plugin")
    return load_settings()


def test_builtins_and_the_test_plugin_register_through_the_hooks():
    assert {"extractive", "llamacpp", "openai", "anthropic", "ollama", "fake"} <= set(engine_names())
    assert embedder_names() == ["hashing", "minilm"]


def test_a_plugin_named_in_the_setting_adds_an_engine_and_an_embedder(plugin):
    assert "echo" in engine_names(plugin) and "tiny" in embedder_names(plugin)
    assert get_engine("echo", plugin).name == "echo"
    assert get_embedder(plugin.model_copy(update={"embedder": "tiny"})).dim == 32


def test_an_installed_entry_point_plugin_is_loaded(tmp_path, monkeypatch):
    (tmp_path / "echo_plugin.py").write_text(PLUGIN)
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(advisor.registry, "_installed_plugins", lambda: ("echo_plugin",))
    assert "echo" in engine_names()


def test_a_plugin_that_cannot_be_imported_is_a_config_error(monkeypatch):
    monkeypatch.setenv("ADVISOR_PLUGINS", "tests.fakes,no_such_plugin_module")
    with pytest.raises(
        ConfigError, match=r"plugin 'no_such_plugin_module' cannot be imported .*ADVISOR_PLUGINS"
    ):
        engine_names(load_settings())


def test_unknown_names_list_what_is_registered(settings):
    with pytest.raises(ConfigError, match=r"unknown embedder 'nope'; choose one of: hashing, minilm$"):
        get_embedder(settings.model_copy(update={"embedder": "nope"}))


def test_the_cli_sees_the_test_plugin_in_a_fresh_process(tmp_path):
    """conftest's ADVISOR_PLUGINS and PYTHONPATH reach a subprocess started in tmp_path."""
    code = "from advisor.engines import engine_names; print(' '.join(engine_names()))"
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert "fake" in done.stdout.split()
