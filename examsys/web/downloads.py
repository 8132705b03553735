"""File responses for documents and spreadsheets: one place that names the download."""

from __future__ import annotations

from urllib.parse import quote

from flask import Response

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def named(response: Response, filename: str, *, inline: bool = False) -> Response:
    """Give ``response`` its (Chinese) file name, shown in the browser or saved; never cached."""
    disposition = "inline" if inline else "attachment"
    response.headers["Content-Disposition"] = f"{disposition}; filename*=UTF-8''{quote(filename)}"
    response.headers["Cache-Control"] = "private, no-store"
    return response


def file_response(data: bytes, filename: str, mimetype: str, *, inline: bool = False) -> Response:
    return named(Response(data, mimetype=mimetype), filename, inline=inline)


def pdf_response(data: bytes, filename: str, *, inline: bool = True) -> Response:
    return file_response(data, filename, "application/pdf", inline=inline)
