"""Making untrusted text safe to show: no terminal control sequences get through.

Text from a model, a server, a file or the catalog may carry ESC sequences (colours,
title changes, OSC 52 clipboard writes), C1 controls or bidi overrides that reorder what
the reader sees. All of them are removed; newline and tab are kept.
"""

from __future__ import annotations

import re

# C0 controls except \t and \n, DEL, C1 controls, and the bidi embedding/override/isolate
# characters. \r is dropped too: it moves the cursor back over what was printed.
_UNSAFE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    """``text`` with every terminal control character removed (newline and tab kept).

    ESC itself is removed, so what followed it (``]52;c;…``) is left as inert text.
    """
    return _UNSAFE.sub("", text)


def one_line(text: str, limit: int = 300) -> str:
    """Control-free, whitespace folded, cut to ``limit`` characters."""
    folded = " ".join(strip_controls(text).split())
    return folded if len(folded) <= limit else folded[: limit - 1] + "…"


def storable(text: str) -> str:
    """``text`` with UTF-16 surrogate pairs joined and lone surrogates replaced by U+FFFD, so it
    always encodes as UTF-8."""
    return text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
