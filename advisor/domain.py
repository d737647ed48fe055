"""The structured layer of the domain: lists, alliance types and cases, read from ``knowledge/_domain``.

The bundled knowledge base carries, beside its prose, YAML data that names every enumerated list
(the four partner factors, the five failure modes and their countermeasures, the seven exit signs,
the lifecycle stages ...), every alliance type with one set of attributes, and every case study,
each entry citing the ``##`` sections it comes from (schema: ``knowledge/_domain/README.md``). It is
what lets an answer name every item of a list, compare two types in a table or build a checklist
exactly, without a language model. Documents a user ingests have no such layer and keep the
passage path.
"""

from __future__ import annotations

import logging
import re
import threading
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from advisor.text import content_words
from advisor.yamlfile import read_yaml

log = logging.getLogger(__name__)

DOMAIN_DIR = "_domain"
# Words nearly every question about this domain uses, and everyday verbs: they name no list on
# their own ("when an alliance is formed" does not ask for the list of alliance forms).
GENERIC_WORDS = frozenset(
    "strategic allianc partner compani company firm busines "
    "need want form make run work use get keep tak go".split()
)


@dataclass(frozen=True)
class Cite:
    doc: str  # file name inside the knowledge folder, e.g. "why-alliances-fail.md"
    section: str  # the exact ``##`` heading

    @property
    def source(self) -> str:
        """The chunk metadata ``source`` of the bundled knowledge base."""
        return f"knowledge/{self.doc}"


ABOUT_SUBSECTION = 2  # how well a passage is about an entry: its subsection heading names it
ABOUT_MENTION = 1  # ...or its text names it


def passage_about(labels: Sequence[str], section: str, text: str) -> int:
    """How well a passage of a cited section is about the entry with these labels (its name and
    aliases): ABOUT_SUBSECTION when its subsection ("Seven signs ... > 2. Persistent governance
    dysfunction") is named after it, ABOUT_MENTION when its text names it, else 0."""
    sub = section.split(" > ", 1)[1] if " > " in section else ""
    heading = set(content_words(sub))
    body = text.lower()
    for label in labels:
        words = set(content_words(label))
        if words and heading and words <= heading:
            return ABOUT_SUBSECTION
    if any(re.search(rf"\b{re.escape(label.lower())}\b", body) for label in labels if label.strip()):
        return ABOUT_MENTION
    return 0


class Citer(Protocol):
    """Cites -> " [2]" (or "" when no passage backs them). ``about`` names the entry the line is about
    (an item's name and aliases): of a section's passages, the one about that entry is cited."""

    def __call__(self, cites: Sequence[Cite], about: Sequence[str] = ()) -> str: ...


@dataclass(frozen=True)
class Item:
    id: str
    name: str
    summary: str
    list_id: str
    aliases: tuple[str, ...] = ()
    advice: str = ""
    cites: tuple[Cite, ...] = ()
    signals: tuple[str, ...] = ()  # how people describe running into it (situations.yaml)
    told: tuple[str, ...] = ()  # ...and how they tell of it in a message, in many voices (situations.yaml)

    def words(self) -> set[str]:
        return set(content_words(" ".join(self.labels)))

    @property
    def labels(self) -> tuple[str, ...]:
        """What the knowledge base may call it: its name and aliases."""
        return (self.name, *self.aliases)

    @property
    def described(self) -> bool:
        """Whether a described situation can be recognised as this item (it has signals or tellings)."""
        return bool(self.signals or self.told)

    def texts(self) -> list[str]:
        """What a described situation is compared with: its signals, its tellings and its summary."""
        return [*self.signals, *self.told, f"{self.name}: {self.summary}"]


@dataclass(frozen=True)
class DomainList:
    id: str
    title: str
    kind: str
    intro: str
    items: tuple[Item, ...]
    names: tuple[str, ...] = ()
    cites: tuple[Cite, ...] = ()


@dataclass(frozen=True)
class AllianceType:
    id: str
    name: str
    definition: str
    attributes: dict[str, str]
    aliases: tuple[str, ...] = ()
    contrast: bool = False
    cites: tuple[Cite, ...] = ()
    schemes: tuple[str, ...] = ()  # the classifications it belongs to ("types-by-ownership", ...)

    def patterns(self) -> list[str]:
        return [self.name, *self.aliases]


@dataclass(frozen=True)
class Case:
    id: str
    name: str
    companies: tuple[str, ...]
    what: str
    outcome: str = ""
    lesson: str = ""
    years: str = ""
    cites: tuple[Cite, ...] = ()
    illustrates: tuple[str, ...] = ()  # ids of the list items the case is an example of


@dataclass(frozen=True)
class Checklist:
    """A moment people ask a checklist for, its lines being items of the lists (checklists.yaml)."""

    id: str
    title: str
    intro: str
    items: tuple[str, ...]  # item ids, in the order shown
    names: tuple[str, ...] = ()

    def texts(self) -> list[str]:
        """What a request is compared with: the title and every name."""
        return [self.title, *self.names]


@dataclass
class Domain:
    lists: list[DomainList] = field(default_factory=list)
    types: list[AllianceType] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    # list id (or item id) -> the list whose steps follow when one of its items (or it) is recognised
    then: dict[str, str] = field(default_factory=dict)
    checklists: list[Checklist] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.items = {item.id: item for lst in self.lists for item in lst.items}
        self.by_list = {lst.id: lst for lst in self.lists}
        self._type_patterns = [
            (re.compile(rf"\b{_pattern(p)}\b", re.I), t) for t in self.types for p in t.patterns()
        ]

    # -- lookups ----------------------------------------------------------------------------------

    def types_in(self, text: str) -> list[AllianceType]:
        """Alliance types named in the text, in the order they appear (each once)."""
        found: list[tuple[int, int, AllianceType]] = []
        for pattern, kind in self._type_patterns:
            for match in pattern.finditer(text):
                found.append((match.start(), -(match.end() - match.start()), kind))
        found.sort(key=lambda f: (f[0], f[1]))
        out: list[AllianceType] = []
        covered: list[tuple[int, int]] = []
        for start, neg_len, kind in found:
            end = start - neg_len
            if any(s <= start < e for s, e in covered) or kind in out:
                continue
            covered.append((start, end))
            out.append(kind)
        return out

    def lists_citing(self, source: str, section: str) -> list[DomainList]:
        """Lists whose own citation names this chunk's top-level section."""
        top = section.split(" > ")[0].strip()
        return [lst for lst in self.lists if any(c.source == source and c.section == top for c in lst.cites)]

    def list_named(self, text: str) -> DomainList | None:
        """The list the text names by one of its names or its title, if any.

        Every word of the name must be in the text, and one of them must say more than the
        domain itself ("alliance", "strategic", "partner" are in nearly every question, so "when
        is an alliance strategic" names nothing). Of several names, the one with most words wins.
        """
        words = name_words(text)
        best, best_score = None, (0, 0)
        for lst in self.lists:
            for name in (lst.title, *lst.names):
                named = name_words(name)
                if len(named) < 2 or not named - GENERIC_WORDS or not named <= words:
                    continue
                score = (len(named - GENERIC_WORDS), len(lst.items))
                if score > best_score:
                    best, best_score = lst, score
        return best

    def meaning_texts(self) -> list[str]:
        """Every text the answer path compares by meaning with a question (situations, checklists,
        list titles): embedded at ingest, so that a cold first answer embeds none of them."""
        items = [t for item in self.items.values() if item.described for t in item.texts()]
        titles = [lst.title for lst in self.lists if lst.items]
        return items + [t for checklist in self.checklists for t in checklist.texts()] + titles

    def case_of(self, item: Item) -> Case | None:
        """The case study that is an example of this list item, if one is."""
        return next((c for c in self.cases if item.id in c.illustrates), None)

    def case_in(self, text: str) -> Case | None:
        """The case whose (first two) companies the text names, accents aside ("Nestle" is Nestlé)."""
        low = _plain(text)
        hits = [c for c in self.cases if c.companies and all(_plain(name) in low for name in c.companies[:2])]
        return hits[0] if hits else None


def top_sections(sections: Sequence[tuple[str, str]], n: int) -> set[tuple[str, str]]:
    """The (source, top-level section) pairs of the first n retrieved (source, section) pairs: what a
    domain entry's citations are checked against."""
    return {(source, section.split(" > ")[0].strip()) for source, section in sections[:n]}


def _plain(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode().lower()


# -- loading ---------------------------------------------------------------------------------------

_CACHE: dict[Path, tuple[float, Domain]] = {}
_LOCK = threading.Lock()


def load_domain(knowledge_dir: Path) -> Domain | None:
    """The domain layer under ``knowledge_dir/domain`` (cached until a file changes), or None."""
    folder = knowledge_dir / DOMAIN_DIR
    names = ("lists.yaml", "types.yaml", "cases.yaml", "situations.yaml", "checklists.yaml")
    files = [folder / name for name in names]
    if not files[0].is_file():
        return None
    stamp = max(f.stat().st_mtime for f in files if f.is_file())
    with _LOCK:
        cached = _CACHE.get(folder)
        if cached and cached[0] == stamp:
            return cached[1]
        try:
            situations = _read(files[3])
            signals = situations.get("signals") or {}
            told = situations.get("told") or {}
            domain = Domain(
                lists=[_list(e, signals, told) for e in _read(files[0]).get("lists", [])],
                types=[_type(e) for e in _read(files[1]).get("types", [])],
                cases=[_case(e) for e in _read(files[2]).get("cases", [])],
                then={str(k): str(v) for k, v in (situations.get("then") or {}).items()},
                checklists=[_checklist(e) for e in _read(files[4]).get("checklists", [])],
            )
        except (OSError, yaml.YAMLError, KeyError, TypeError) as exc:
            log.warning("domain data under %s ignored: %s", folder, exc)
            return None
        _CACHE[folder] = (stamp, domain)
        return domain


def _read(path: Path) -> dict:
    if not path.is_file():
        return {}
    return read_yaml(path) or {}


def _cites(entry: dict) -> tuple[Cite, ...]:
    return tuple(Cite(str(c["doc"]), str(c["section"])) for c in entry.get("cites") or [])


def _list(entry: dict, signals: dict, told: dict) -> DomainList:
    list_id = str(entry["id"])
    items = tuple(
        Item(
            id=str(i["id"]),
            name=str(i["name"]),
            summary=str(i.get("summary", "")),
            list_id=list_id,
            aliases=tuple(str(a) for a in i.get("aliases") or []),
            advice=str(i.get("advice") or ""),
            cites=_cites(i) or _cites(entry),
            signals=tuple(str(s) for s in signals.get(str(i["id"])) or []),
            told=tuple(str(s) for s in told.get(str(i["id"])) or []),
        )
        for i in entry.get("items") or []
    )
    return DomainList(
        id=list_id,
        title=str(entry.get("title", list_id)),
        kind=str(entry.get("kind", "other")),
        intro=str(entry.get("intro", "")),
        items=items,
        names=tuple(str(n) for n in entry.get("names") or []),
        cites=_cites(entry),
    )


def _checklist(entry: dict) -> Checklist:
    return Checklist(
        id=str(entry["id"]),
        title=str(entry["title"]),
        intro=str(entry.get("intro", "")),
        items=tuple(str(i) for i in entry.get("items") or []),
        names=tuple(str(n) for n in entry.get("names") or []),
    )


def _type(entry: dict) -> AllianceType:
    return AllianceType(
        id=str(entry["id"]),
        name=str(entry["name"]),
        definition=str(entry.get("definition", "")),
        attributes={str(k): str(v) for k, v in (entry.get("attributes") or {}).items()},
        aliases=tuple(str(a) for a in entry.get("aliases") or []),
        contrast=bool(entry.get("contrast", False)),
        cites=_cites(entry),
        schemes=tuple(str(x) for x in entry.get("schemes") or []),
    )


def _case(entry: dict) -> Case:
    return Case(
        id=str(entry["id"]),
        name=str(entry["name"]),
        companies=tuple(str(c) for c in entry.get("companies") or []),
        what=str(entry.get("what", "")),
        outcome=str(entry.get("outcome", "")),
        lesson=str(entry.get("lesson", "")),
        years=str(entry.get("years", "")),
        cites=_cites(entry),
        illustrates=tuple(str(i) for i in entry.get("illustrates") or []),
    )


def name_words(text: str) -> set[str]:
    """Content words for matching names, with a final "e" dropped: the shared stemmer turns
    "alliances" into "allianc" but keeps "alliance", and names must meet both."""
    return {w[:-1] if len(w) > 4 and w.endswith("e") else w for w in content_words(text) if len(w) > 1}


def _pattern(phrase: str) -> str:
    """A regex for a type name that also matches its plural and hyphen/space variants."""
    words = [re.escape(w) for w in re.split(r"[\s-]+", phrase.strip()) if w]
    if not words:
        return r"(?!x)x"
    words[-1] = words[-1] + r"(?:s|es)?"
    return r"[\s-]+".join(words)
