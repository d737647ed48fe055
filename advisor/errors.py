"""The advisor's exception tree. Edges (CLI, Slack) map these to one clear line for the user.

    AdvisorError
    ├── ConfigError        bad or missing settings
    ├── InputError         a question the advisor will not take (empty, too long)
    ├── DocumentError      a source file that cannot be ingested (names the file and the reason)
    ├── IndexError_        the index is missing, locked or broken
    │   └── IngestLockedError   another ingest holds the lock
    └── EngineError        a retrieval or model failure (unreachable LLM, timeout)

Every message is written for the person reading it: what went wrong and what to do next.
Messages never contain secrets.
"""

from __future__ import annotations

from collections.abc import Iterable


class AdvisorError(Exception):
    """Base class for every error the advisor raises on purpose."""


class ConfigError(AdvisorError):
    """A setting is missing or malformed."""


class InputError(AdvisorError):
    """A question cannot be answered as given (empty, too long, not text)."""


class DocumentError(AdvisorError):
    """A source document cannot be loaded; the message names the file and the reason."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason


class IndexError_(AdvisorError):
    """The vector index is missing, locked or inconsistent."""


class IngestLockedError(IndexError_):
    """Another ingest is running against the same collection."""


class EngineError(AdvisorError):
    """An answer engine failed (LLM unreachable, timed out, or returned nothing usable)."""


# -- messages written once, used by the core and the edges ---------------------------------------------


def unknown_choice(kind: str, name: str, choices: Iterable[str]) -> str:
    """E.g. "unknown engine 'x'; choose one of: extractive, llamacpp"."""
    return f"unknown {kind} {name!r}; choose one of: {', '.join(choices)}"


def no_index(collection: str) -> str:
    return (
        f"collection {collection!r} has no index yet; run `advisor ingest` (or ingest into it with "
        f"`advisor ingest PATH --collection {collection}`)"
    )


def needs_extra(component: str, extra: str) -> str:
    """E.g. "the openai engine needs: pip install 'alliance-advisor[openai]'"."""
    return f"{component} needs: pip install 'alliance-advisor[{extra}]'"
