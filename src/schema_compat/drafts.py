"""The five drafts schema-compat reads, and the draft of a schema that names none.

Kept apart from ``schema.py`` (which needs ``referencing``) so that the configuration, the
command line and the loader can name drafts without importing the engine.
"""

from __future__ import annotations

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


def detect_draft(document: Any, default: int = DEFAULT_DRAFT) -> int:
    """The draft a document declares in ``$schema`` (``default`` when it declares none)."""
    if isinstance(document, dict) and isinstance(document.get("$schema"), str):
        uri = document["$schema"]
        for marker, draft in (("draft-04", DRAFT4), ("draft-06", DRAFT6), ("draft-07", DRAFT7),
                              ("2019-09", DRAFT2019), ("2020-12", DRAFT2020)):
            if marker in uri:
                return draft
    return default
