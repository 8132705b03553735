"""`flask rooms ...`: import and export the rooms workbook (labs with seats, venues with stations)."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from examsys.cli.common import cli_operation
from examsys.modules.scheduling import room_export, room_import

rooms_cli = AppGroup("rooms", help="考场 / Exam rooms, seats and stations.")


@rooms_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@cli_operation
def import_(file: Path):
    """Create or update the rooms in FILE (the rooms workbook; all or nothing)."""
    report = room_import.import_rooms(file.read_bytes(), filename=file.name)
    click.echo(
        f"{report.created} rooms created, {report.updated} updated: {report.seats} seats, "
        f"{report.stations} stations, {report.removed} removed"
    )


@rooms_cli.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@cli_operation
def export(out: Path):
    """Write every room to OUT in the import layout."""
    data = room_export.export_rooms()
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")


@rooms_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out: Path):
    """Write the empty rooms workbook."""
    out.write_bytes(room_export.template())
    click.echo(f"wrote {out}")
