"""`flask bank ...`: import, export, template, feasibility and assembly."""

from __future__ import annotations

import secrets
from pathlib import Path

import click
from flask.cli import AppGroup

from examsys.cli.common import cli_operation
from examsys.modules.banks import assembly, blueprints, exports, imports, util
from examsys.modules.banks.formats import FORMATS, parse_file
from examsys.modules.banks.models import ItemStatus
from examsys.modules.catalog.util import find_job

bank_cli = AppGroup("bank", help="题库 / Question banks.")


def _job(occupation: str, job: str, level: int):
    found = find_job(occupation, job)
    if found is None:
        raise click.BadParameter(f"no job {job!r} of occupation {occupation!r}", param_hint="--occupation/--job")
    if level not in found.level_numbers:
        raise click.BadParameter(f"{found.label} is not certified at level {level}", param_hint="--level")
    return found


def _job_options(func):
    func = click.option("--level", type=click.IntRange(1, 5), required=True, help="Skill level 1-5.")(func)
    func = click.option("--job", "job_name", default="", help="Job/track name (工种); empty for none.")(func)
    return click.option("--occupation", required=True, help="Occupation code (4-01-02-02) or name.")(func)


@bank_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@_job_options
@click.option("--format", "fmt", type=click.Choice(sorted(FORMATS)), default=None, help="Default: detected.")
@click.option("--status", type=click.Choice([s.value for s in ItemStatus]), default="active", show_default=True)
@cli_operation
def import_(file: Path, occupation, job_name, level, fmt, status):
    """Import FILE into the bank of an occupation/job/level (all or nothing)."""
    job = _job(occupation, job_name, level)
    parsed = parse_file(file.name, file.read_bytes(), fmt)
    report = imports.import_bank(parsed, job, level, status=ItemStatus(status), filename=file.name)
    click.echo(
        f"{job.label} level {level}: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.elements} elements, {report.tasks} tasks"
    )
    for warning in report.warnings:
        click.echo(f"  warning: {warning}")


@bank_cli.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@_job_options
@click.option("--format", "fmt", type=click.Choice(["xlsx", "qti"]), default="xlsx", show_default=True)
@cli_operation
def export(out: Path, occupation, job_name, level, fmt):
    """Export a bank to the xlsx template or a QTI 2.1 package."""
    job = _job(occupation, job_name, level)
    data = exports.export_bank(job, level, fmt)
    out.write_bytes(data)
    click.echo(f"wrote {out} ({len(data)} bytes)")


@bank_cli.command("template")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
def template(out: Path):
    """Write the empty import template workbook."""
    out.write_bytes(exports.template())
    click.echo(f"wrote {out}")


@bank_cli.command("feasibility")
@click.argument("blueprint_id", type=int)
def feasibility(blueprint_id: int):
    """Say exactly where the bank falls short of a blueprint; exit 1 when it does."""
    problems = blueprints.feasibility(util.get_blueprint(blueprint_id))
    for problem in problems:
        click.echo(str(problem))
    if problems:
        raise SystemExit(1)
    click.echo("ok: the bank can fill this blueprint")


@bank_cli.command("assemble")
@click.argument("blueprint_id", type=int)
@click.option("--forms", default=2, show_default=True, type=click.IntRange(1, 52))
@click.option("--seed", default=None, type=int, help="Default: random (printed).")
@cli_operation
def assemble(blueprint_id: int, forms: int, seed: int | None):
    """Assemble and seal FORMS parallel papers from a blueprint."""
    seed = seed if seed is not None else secrets.randbelow(2**31)
    papers = assembly.assemble(util.get_blueprint(blueprint_id), forms, seed)
    for paper in papers:
        click.echo(f"paper {paper.id} form {paper.form}: {len(paper.items)} items, sha256 {paper.content_hash}")
    click.echo(f"seed {seed}")
