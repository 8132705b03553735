"""PDF documents: Jinja templates laid out by WeasyPrint, with a url fetcher that serves only our own files.

Templates live under ``templates/pdf/<area>/`` and extend ``pdf/base.html``; they receive plain
dicts (never ORM objects). Images are referenced as ``data:`` URIs (see :func:`image_data_uri`)
or as ``media:relative/path`` / ``static:relative/path`` URLs; anything else — ``http(s):``,
``file:`` outside those two folders, ``ftp:`` — is refused, so a document can neither reach the
network (exam labs are offline) nor disclose a file from the server.

Fonts are the system's (fontconfig): the CSS names ``"Noto Sans CJK SC", "Noto Serif CJK SC",
"WenQuanYi Zen Hei"`` (Debian ``fonts-noto-cjk`` / ``fonts-wqy-zenhei``). Install Debian's
``libharfbuzz-subset0`` too, or font subsetting takes seconds per document.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import io
import mimetypes
import multiprocessing
import multiprocessing.forkserver
import os
import shutil
import subprocess
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

import pikepdf
import qrcode
from flask import current_app, render_template
from PIL import Image
from weasyprint import HTML, Document
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

__all__ = [
    "CJK_FONT_FAMILIES",
    "PdfRenderError",
    "SafeURLFetcher",
    "UnsafeURLError",
    "cjk_font_available",
    "image_data_uri",
    "merge_pdfs",
    "qr_png",
    "render_document",
    "render_html_parts",
    "render_pdf",
    "url_fetcher_for_app",
]

CJK_FONT_FAMILIES = ("Noto Sans CJK SC", "Noto Serif CJK SC", "WenQuanYi Zen Hei")

IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".webp"})
# static/ also holds what a document may style itself with; media/ holds only uploaded images.
STATIC_SUFFIXES = IMAGE_SUFFIXES | {".svg", ".css", ".woff", ".woff2", ".ttf", ".otf"}


class UnsafeURLError(ValueError):
    """A document asked for a resource outside data:, static: and media:."""


class PdfRenderError(RuntimeError):
    """A document could not be rendered (a resource was refused or could not be read)."""


class SafeURLFetcher(URLFetcher):
    """WeasyPrint url fetcher serving ``data:`` URIs and files under two folders, nothing else.

    ``static:css/x.css`` and ``media:photos/ab/abcd.jpg`` name files relative to the app's static
    folder and ``MEDIA_DIR``; ``file:`` URLs are accepted only when they point inside one of those
    folders. Paths are resolved (symlinks included) before the containment check, so ``..`` and
    links cannot escape. Every refusal raises :class:`UnsafeURLError` with the offending URL.
    """

    def __init__(self, *, static_dir: str | Path | None, media_dir: str | Path | None, fail_on_errors: bool = True):
        super().__init__(allowed_protocols=("data",), allow_redirects=False, fail_on_errors=fail_on_errors)
        self.roots: dict[str, Path] = {}
        if static_dir:
            self.roots["static"] = Path(static_dir).resolve()
        if media_dir:
            self.roots["media"] = Path(media_dir).resolve()

    def fetch(self, url: str, headers=None) -> URLFetcherResponse:
        scheme = url.split(":", 1)[0].lower() if ":" in url else ""
        if scheme == "data":
            return super().fetch(url, headers)
        if scheme == "qr":  # drawn here, in the worker that lays the page out, not up front
            return URLFetcherResponse(url, qr_png(unquote(url[3:])), {"Content-Type": "image/png"})
        if scheme in ("static", "media"):
            return self._serve(scheme, self._local_path(scheme, url), url)
        if scheme == "file":
            path = Path(url2pathname(urlsplit(url).path)).resolve()
            for root_name, root in self.roots.items():
                if path.is_relative_to(root):
                    return self._serve(root_name, path, url)
            raise UnsafeURLError(f"PDF 资源被拒绝（本地文件不在 static/ 或 MEDIA_DIR 下）：{url}")
        raise UnsafeURLError(f"PDF 资源被拒绝（只允许 data:、static:、media: 地址）：{url}")

    def _local_path(self, root_name: str, url: str) -> Path:
        root = self.roots.get(root_name)
        if root is None:
            raise UnsafeURLError(f"PDF 资源被拒绝（未配置 {root_name} 目录）：{url}")
        relative = unquote(url.split(":", 1)[1].split("?", 1)[0].split("#", 1)[0])
        path = (root / relative).resolve()
        if not path.is_relative_to(root) or path == root:
            raise UnsafeURLError(f"PDF 资源被拒绝（路径越出 {root_name} 目录）：{url}")
        return path

    def _serve(self, root_name: str, path: Path, url: str) -> URLFetcherResponse:
        allowed = STATIC_SUFFIXES if root_name == "static" else IMAGE_SUFFIXES
        if path.suffix.lower() not in allowed:
            raise UnsafeURLError(f"PDF 资源被拒绝（不允许的文件类型 {path.suffix or '无扩展名'}）：{url}")
        if not path.is_file():
            raise FileNotFoundError(f"PDF 资源不存在：{url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})


def url_fetcher_for_app(app=None, *, fail_on_errors: bool = True) -> SafeURLFetcher:
    """The safe fetcher for ``app`` (default: the current app): its static folder and MEDIA_DIR."""
    app = app or current_app
    return SafeURLFetcher(
        static_dir=app.static_folder, media_dir=app.config.get("MEDIA_DIR"), fail_on_errors=fail_on_errors
    )


def render_document(template: str, context: dict, *, base_url: str | None = None, strict: bool = True) -> Document:
    """Render ``template`` with ``context`` and lay it out; the WeasyPrint document (pages, then write_pdf).

    With ``strict`` (the default) a refused or unreadable resource stops rendering with
    :class:`PdfRenderError` (or :class:`UnsafeURLError` for a refused URL) instead of silently
    leaving a hole in the document. Needs an app context.
    """
    html = render_template(template, **context)
    fetcher = url_fetcher_for_app(fail_on_errors=strict)
    try:
        return HTML(string=html, base_url=base_url, url_fetcher=fetcher).render()
    except FatalURLFetchingError as exc:  # a BaseException in WeasyPrint: turn it into an ordinary error
        cause = exc.__cause__
        if isinstance(cause, UnsafeURLError):
            raise UnsafeURLError(str(cause)) from cause
        raise PdfRenderError(f"{exc}: {cause}") from cause


def render_pdf(template: str, context: dict, *, base_url: str | None = None, strict: bool = True) -> bytes:
    """Render the Jinja ``template`` (e.g. ``"pdf/registration/record_form.html"``) to PDF bytes."""
    return render_document(template, context, base_url=base_url, strict=strict).write_pdf()


def image_data_uri(data: bytes, mime: str = "image/jpeg") -> str:
    """A ``data:`` URI for image bytes, for ``<img src>`` in PDF templates (photos, QR codes as PNG)."""
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def merge_pdfs(parts: list[bytes]) -> bytes:
    """Concatenate PDFs in order (bulk documents are rendered in chunks of 50-100 pages, then merged).

    qpdf (pikepdf) copies the pages five times faster than pypdf, which counts with 600 pages.
    """
    merged = pikepdf.Pdf.new()
    for part in parts:
        merged.pages.extend(pikepdf.Pdf.open(io.BytesIO(part)).pages)
    out = io.BytesIO()
    merged.save(out)
    return out.getvalue()


def qr_png(text: str) -> bytes:
    """A QR code as a PNG of one pixel per module, with the standard 4-module quiet zone.

    Print it with ``image-rendering: pixelated`` at the size wanted: the page scales it without
    blurring. A fixed mask pattern skips qrcode's search over all eight (6x faster, and any
    mask scans); a PNG lays out far faster than hundreds of SVG rects.
    """
    code = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, box_size=1, border=4, mask_pattern=0)
    code.add_data(text)
    code.make(fit=True)
    matrix = code.get_matrix()
    image = Image.new("1", (len(matrix), len(matrix)), 1)
    image.putdata([0 if dark else 1 for row in matrix for dark in row])
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _lay_out(html: str, static_dir: str | None, media_dir: str | None, background: str | None = None) -> bytes:
    """One part of a bulk document, drawn over the ``background`` page if given (runs in a
    worker process: no app, no database)."""
    fetcher = SafeURLFetcher(static_dir=static_dir, media_dir=media_dir)
    try:
        pdf = HTML(string=html, url_fetcher=fetcher).write_pdf()
        if background is None:
            return pdf
        key = hashlib.sha256(background.encode("utf-8")).hexdigest()
        if key not in _FRAMES:  # each worker lays the frame out once, not once per part
            _FRAMES.clear()
            _FRAMES[key] = HTML(string=background, url_fetcher=fetcher).write_pdf()
    except FatalURLFetchingError as exc:
        raise PdfRenderError(f"{exc}: {exc.__cause__}") from None
    return _over(_FRAMES[key], pdf)


_FRAMES: dict[str, bytes] = {}


def _over(background: bytes, pdf: bytes) -> bytes:
    """Every page of ``pdf`` drawn over the first page of ``background``.

    The background page becomes one form XObject that each page draws first (qpdf's underlay):
    stored once in the file and a few bytes per page, where merging content streams page by
    page costs tens of milliseconds a page and repeats the frame on every page.
    """
    with pikepdf.Pdf.open(io.BytesIO(pdf)) as target, pikepdf.Pdf.open(io.BytesIO(background)) as frame_pdf:
        frame = target.copy_foreign(pikepdf.Page(frame_pdf.pages[0]).as_form_xobject())
        for page in target.pages:
            page.add_underlay(frame)
        out = io.BytesIO()
        target.save(out)
        return out.getvalue()


def render_html_parts(
    parts: list[str],
    *,
    workers: int = 2,
    background: str | None = None,
    cache_dir: Path | None = None,
    on_part: Callable[[int, bool], None] = lambda index, reused: None,
) -> bytes:
    """Lay out the HTML ``parts`` of one bulk document and merge them into one PDF, in order.

    WeasyPrint lays out one document of many pages far faster than many small documents,
    and it is single-threaded: parts of 50-100 pages go to ``workers`` processes. With
    ``cache_dir``, a part whose HTML is unchanged since the last run is taken from the cache
    instead of being laid out again. With ``background`` (the HTML of one page), every page is
    drawn over that page: a form's fixed frame is laid out once per part instead of per page.
    ``on_part(index, reused)`` is told as each part is ready.
    """
    app = current_app
    roots = (app.static_folder, app.config.get("MEDIA_DIR"))
    results: dict[int, bytes] = {}
    todo: list[int] = []
    keys = [html if background is None else background + html for html in parts]
    for index, html in enumerate(keys):
        cached = _cached(cache_dir, html)
        if cached is not None:
            results[index] = cached
            on_part(index, True)
        else:
            todo.append(index)
    if len(todo) <= 1 or workers <= 1:
        for index in todo:
            results[index] = _store(cache_dir, keys[index], _lay_out(parts[index], *roots, background))
            on_part(index, False)
    else:
        context = prepare_workers()
        with ProcessPoolExecutor(max_workers=min(workers, len(todo)), mp_context=context) as pool:
            futures = {pool.submit(_lay_out, parts[index], *roots, background): index for index in todo}
            for future in as_completed(futures):
                index = futures[future]
                results[index] = _store(cache_dir, keys[index], future.result())
                on_part(index, False)
    return merge_pdfs([results[index] for index in range(len(parts))])


def prepare_workers() -> multiprocessing.context.BaseContext:
    """Start the fork server that layout workers fork from, with WeasyPrint already imported.

    Forked from a clean server rather than from this (threaded) process, a worker inherits no
    lock some other thread held; and with the server started ahead (the scheduler does so when
    it starts), a batch does not wait seconds for the imports.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["examsys.core.pdf"])
    multiprocessing.forkserver.ensure_running()
    return context


def _cache_path(cache_dir: Path, html: str) -> Path:
    digest = hashlib.sha256(html.encode("utf-8")).hexdigest()
    return cache_dir / digest[:2] / f"{digest}.pdf"


def _cached(cache_dir: Path | None, html: str) -> bytes | None:
    if cache_dir is None:
        return None
    path = _cache_path(cache_dir, html)
    return path.read_bytes() if path.is_file() else None


def _store(cache_dir: Path | None, html: str, pdf: bytes) -> bytes:
    if cache_dir is not None:
        path = _cache_path(cache_dir, html)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pdf)
        os.replace(tmp, path)
    return pdf


@functools.cache
def cjk_font_available() -> bool:
    """Whether fontconfig knows one of the CJK families our PDF templates name."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    try:
        result = subprocess.run(
            [fc_list, ":lang=zh", "family"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return False
    installed = {name.strip() for line in result.stdout.splitlines() for name in line.split(",")}
    return any(family in installed for family in CJK_FONT_FAMILIES)
