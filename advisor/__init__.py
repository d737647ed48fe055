"""alliance-advisor: a cited, conversational advisor on strategic alliances and partnerships.

from advisor import Advisor
answer = Advisor.from_settings().ask("How should we choose a partner?")
print(answer.text, [s.title for s in answer.sources])
"""

from advisor.answer import Answer, Source
from advisor.config import Settings, load_settings
from advisor.core import Advisor
from advisor.errors import (
    AdvisorError,
    ConfigError,
    DocumentError,
    EngineError,
    IndexError_,
    IngestLockedError,
    InputError,
)

__all__ = [
    "Advisor",
    "AdvisorError",
    "Answer",
    "ConfigError",
    "DocumentError",
    "EngineError",
    "IndexError_",
    "IngestLockedError",
    "InputError",
    "Settings",
    "Source",
    "load_settings",
]
__version__ = "0.1.0"
