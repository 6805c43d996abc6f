"""Supporting links typed on one line: "Incident channel #inc-checkout, Ticket INC-123 https://jira/INC-123".

Links are separated by commas (or semicolons) followed by a space, which no
address holds; in each, the last word is the address and the words before
it are the label.  The setup form and the solo interview read them alike.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from store.model import Link

_SEPARATOR = re.compile(r"[,;](?:\s+|$)")


def read_links(text: str) -> list[dict]:
    """The links typed in ``text``, in the stored form ``{"label", "url"}``."""
    links = []
    for part in _SEPARATOR.split(text):
        *label, url = part.split() or [""]
        if url:
            links.append({"label": " ".join(label).rstrip(":").strip(), "url": url})
    return links


def show_links(links: Iterable[Link]) -> str:
    """Links as typed: "label address", separated by ", " (``read_links`` reads it back)."""
    return ", ".join(f"{link.label} {link.url}".strip() for link in links)
