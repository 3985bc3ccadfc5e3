"""The five drafts schema-compat reads, and the draft of a schema that names none.

Kept apart from ``schema.py`` (which needs ``referencing``) so that the configuration, the
command line and the loader can name drafts without importing the engine.

A schema without ``$schema`` is read as 2020-12 unless the user chooses another default
(``--default-draft`` or ``default-draft`` in ``schema-compat.toml``): Confluent Schema
Registry, for one, reads such schemas as draft-07. The loader writes the chosen draft into
each document that names none (``loading.SchemaDocument``), so that every stage (the engine,
the metaschema check, the witness oracle, message validation) reads it the same way.
"""

from __future__ import annotations

import json
from typing import Any

DRAFT4, DRAFT6, DRAFT7, DRAFT2019, DRAFT2020 = 4, 6, 7, 2019, 2020
#: How reports name each draft.
DRAFT_NAMES = {DRAFT4: "draft-04", DRAFT6: "draft-06", DRAFT7: "draft-07",
               DRAFT2019: "2019-09", DRAFT2020: "2020-12"}
#: The metaschema URI of each draft, as its own metaschema spells its ``$id``.
METASCHEMA_URIS = {
    DRAFT4: "http://json-schema.org/draft-04/schema#",
    DRAFT6: "http://json-schema.org/draft-06/schema#",
    DRAFT7: "http://json-schema.org/draft-07/schema#",
    DRAFT2019: "https://json-schema.org/draft/2019-09/schema",
    DRAFT2020: "https://json-schema.org/draft/2020-12/schema",
}
#: The draft of a schema without ``$schema`` when nothing else is chosen.
DEFAULT_DRAFT = DRAFT2020

# What --default-draft and `default-draft` accept: the short names of the issue that asked for
# it and of Confluent's documentation (4, 6, 7, 2019-09, 2020-12), and the names reports use
# (draft-04 ...). Nothing looser: "8", "2020" or "latest" would be guesses.
_SPELLINGS = {"4": DRAFT4, "6": DRAFT6, "7": DRAFT7, "2019-09": DRAFT2019, "2020-12": DRAFT2020,
              "draft-04": DRAFT4, "draft-06": DRAFT6, "draft-07": DRAFT7}
DRAFT_CHOICES = "4, 6, 7, 2019-09 or 2020-12"


def parse_draft(value: Any, where: str) -> int:
    """The draft ``value`` names (a string, or an integer from TOML), or a ValueError whose
    message is one line naming ``where`` and what is accepted."""
    text = str(value) if isinstance(value, int) and not isinstance(value, bool) else value
    if isinstance(text, str) and text.strip().lower() in _SPELLINGS:
        return _SPELLINGS[text.strip().lower()]
    shown = json.dumps(value) if isinstance(value, str) else repr(value)
    raise ValueError(f"{where} must be one of {DRAFT_CHOICES} (draft-04, draft-06 and draft-07 "
                     f"are accepted too), got {shown}")


def with_default_draft(document: Any, draft: int) -> Any:
    """``document``, or when it is an object without ``$schema`` and ``draft`` is not the
    built-in default, a copy naming ``draft`` in ``$schema`` (how the default reaches every
    reader of the document)."""
    if draft == DEFAULT_DRAFT or not isinstance(document, dict) or "$schema" in document:
        return document
    return {"$schema": METASCHEMA_URIS[draft], **document}


def detect_draft(document: Any, default: int = DEFAULT_DRAFT) -> int:
    """The draft a document declares in ``$schema`` (``default`` when it declares none)."""
    if isinstance(document, dict) and isinstance(document.get("$schema"), str):
        uri = document["$schema"]
        for marker, draft in (("draft-04", DRAFT4), ("draft-06", DRAFT6), ("draft-07", DRAFT7),
                              ("2019-09", DRAFT2019), ("2020-12", DRAFT2020)):
            if marker in uri:
                return draft
    return default
