"""HTML to text."""

from __future__ import annotations

import re

_HTML_HINT = re.compile(
    r"<(?:!doctype\s+html|html|head|body|meta|title|div|p|br|span|table|article|section|script|style|a\s)[\s>/]",
    re.IGNORECASE,
)
_BLOCK_TAGS = (
    "address|article|aside|blockquote|br|dd|div|dl|dt|fieldset|figcaption|figure|h[1-6]|hr|li|"
    "main|ol|p|pre|section|table|tbody|td|th|thead|title|tr|ul"
)
_BLOCK = re.compile(rf"<(/?)({_BLOCK_TAGS})\b", re.IGNORECASE)
_WS = re.compile(r"\s+")
_DROP_TAGS = [
    "script",
    "style",
    "noscript",
    "nav",
    "header",
    "footer",
    "iframe",
    "svg",
    "template",
    "object",
    "embed",
    "canvas",
    "select",
    "button",
]


def looks_like_html(text: str) -> bool:
    """True when ``text`` reads as an HTML page or fragment rather than plain text."""
    head = text[:4096]
    return len(_HTML_HINT.findall(head)) >= 2 or head.lstrip()[:15].lower().startswith(("<!doctype html", "<html"))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page: scripts, styles, nav/header/footer dropped; one block a line."""
    from selectolax.lexbor import LexborHTMLParser

    # Source line breaks are only whitespace in HTML; block elements make the lines.
    html = _WS.sub(" ", html)
    html = _BLOCK.sub(lambda m: "\n<" + m.group(1) + m.group(2), html)
    tree = LexborHTMLParser(html)
    tree.strip_tags(_DROP_TAGS)
    title_node = tree.css_first("head > title")
    title = title_node.text(deep=True).strip() if title_node is not None else ""
    root = tree.body if tree.body is not None else tree.root
    body = root.text(deep=True, separator="") if root is not None else ""
    lines = [line.strip() for line in body.split("\n")]
    lines = [line for line in lines if line]
    if title and (not lines or title not in lines[0]):
        lines.insert(0, title)
    return "\n".join(lines)
