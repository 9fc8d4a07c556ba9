"""Documents as PDF (agreements, certificates, meeting packs): a Django template rendered to HTML,
then to PDF by WeasyPrint with the Noto CJK fonts (Debian's ``fonts-noto-cjk``, which the set-up
installs), so Chinese text comes out in a real CJK face, never as empty boxes.

Templates extend ``pdf/base.html``. The HTML never loads anything from the network: WeasyPrint is
given a URL fetcher that refuses every URL, so a document cannot be made to fetch a remote address.
"""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string

#: The fonts a PDF asks for, in order; the first that fontconfig knows is used.
FONT_STACK = '"Noto Serif CJK SC", "Noto Sans CJK SC", "Noto Serif CJK TC", "Noto Sans CJK TC", serif'


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are missing on this machine."""


def _no_fetch(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    raise ValueError(f"documents load nothing from outside: {url[:80]}")


def render_pdf(template_name: str, context: dict[str, Any]) -> bytes:
    """Render ``template_name`` with ``context`` to PDF bytes."""
    try:
        from weasyprint import HTML
    except OSError as exc:  # pragma: no cover - depends on the machine's libraries
        raise PdfUnavailable(str(exc)) from exc
    html = render_to_string(template_name, {"font_stack": FONT_STACK, **context})
    return bytes(HTML(string=html, url_fetcher=_no_fetch).write_pdf())


def pdf_text(data: bytes) -> str:
    """The text of a PDF (for tests and checks), extracted by pypdf."""
    import io

    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
