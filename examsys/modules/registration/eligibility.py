"""The eligibility engine: declarative rules per batch, each with a recorded Chinese verdict.

A batch stores its rules as ``[{"rule": key, "params": {...}}]``. Every rule is a class
behind :data:`RULES` with typed parameters and defaults, so the batch page can render the
configuration form and the engine can validate it. Evaluating a rule never raises: it
returns whether it passed and an explanation naming the facts it used.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from examsys.core.errors import DomainError, Problem
from examsys.modules.catalog.models import LEVEL_NAMES
from examsys.modules.people.models import CertificateKind, HeldCertificate, Person
from examsys.modules.registration.models import Batch


@dataclass(frozen=True)
class Param:
    name: str
    title: str
    kind: type  # int, date or str
    default: Any = None


@dataclass(frozen=True)
class Verdict:
    rule: str
    passed: bool
    explanation: str

    def as_dict(self) -> dict:
        return {"rule": self.rule, "passed": self.passed, "explanation": self.explanation}


@dataclass(frozen=True)
class Facts:
    person: Person
    batch: Batch
    training_hours: int
    on: date  # the reference date: the exam date, else the end of registration


def months_between(earlier: date, later: date) -> int:
    """Whole months from ``earlier`` to ``later`` (a month counts once its day is reached)."""
    months = (later.year - earlier.year) * 12 + later.month - earlier.month
    return months - (later.day < earlier.day)


class Rule(ABC):
    key: ClassVar[str]
    title: ClassVar[str]
    params: ClassVar[tuple[Param, ...]] = ()

    @abstractmethod
    def evaluate(self, facts: Facts, params: dict[str, Any]) -> tuple[bool, str]:
        """Whether ``facts`` pass, and a Chinese explanation naming the facts used."""


def _level(n: int) -> str:
    name, title, _english = LEVEL_NAMES[n]
    return f"{name}/{title}"


def _skill_certs(person: Person) -> list[HeldCertificate]:
    return [c for c in person.certificates if c.kind is CertificateKind.SKILL]


class MajorRelated(Rule):
    key, title = "major_related", _l("所学专业与申报职业相关")

    def evaluate(self, facts, params):
        related = {m.id for m in facts.batch.job.majors}
        major = facts.person.major
        if major is None:
            return False, _("未登记所学专业")
        if major.id in related:
            return True, _("专业「%(m)s」与%(job)s相关", m=major.name, job=facts.batch.job.label)
        names = "、".join(sorted({m.name for m in facts.batch.job.majors})) or "—"
        return False, _(
            "专业「%(m)s」不在%(job)s的相关专业（%(names)s）之中", m=major.name, job=facts.batch.job.label, names=names
        )


class LevelPrerequisite(Rule):
    key, title = "level_prerequisite", _l("持有低一级证书满规定月数")
    params = (
        Param("months", _l("持证满（月）"), int, 12),
        Param("related_occupations", _l("认可的相关职业（名称，用、分隔）"), str, ""),
    )

    def evaluate(self, facts, params):
        required = facts.batch.level + 1  # 三级 needs 四级: a larger number is a lower level
        months = int(params.get("months", 12))
        names = {facts.batch.job.occupation.name}
        names |= {
            n.strip() for n in str(params.get("related_occupations", "")).replace(",", "、").split("、") if n.strip()
        }
        for cert in _skill_certs(facts.person):
            if cert.name in names and cert.level is not None and cert.level <= required:
                held = months_between(cert.issue_date, facts.on)
                if held >= months:
                    return True, _(
                        "持有%(name)s%(level)s证书（%(number)s），已满 %(held)d 个月",
                        name=cert.name,
                        level=_level(cert.level),
                        number=cert.number,
                        held=held,
                    )
                return False, _(
                    "%(name)s%(level)s证书于 %(d)s 取得，至 %(on)s 仅 %(held)d 个月，需满 %(m)d 个月",
                    name=cert.name,
                    level=_level(cert.level),
                    d=cert.issue_date.isoformat(),
                    on=facts.on.isoformat(),
                    held=held,
                    m=months,
                )
        return False, _(
            "申报%(want)s需持有%(names)s%(need)s或以上证书满 %(m)d 个月，未找到",
            want=_level(facts.batch.level),
            names="或".join(sorted(names)),
            need=_level(required),
            m=months,
        )


class GraduatingInTerm(Rule):
    key, title = "graduating_in_term", _l("在规定期间内毕业")
    params = (Param("from", _l("毕业时间起"), date, None), Param("to", _l("毕业时间止"), date, None))

    def evaluate(self, facts, params):
        start, end = params.get("from"), params.get("to")
        graduation = facts.person.expected_graduation
        if graduation is None:
            return False, _("未登记预计毕业时间")
        if (start and graduation < start) or (end and graduation > end):
            return False, _(
                "预计 %(g)s 毕业，不在 %(a)s 至 %(b)s 之间",
                g=graduation.isoformat(),
                a=start.isoformat() if start else "—",
                b=end.isoformat() if end else "—",
            )
        return True, _("预计 %(g)s 毕业", g=graduation.isoformat())


class NoRecentCertificate(Rule):
    key, title = "no_recent_certificate", _l("近期未取得该职业证书")
    params = (Param("months", _l("近（月）"), int, 12),)

    def evaluate(self, facts, params):
        months = int(params.get("months", 12))
        occupation = facts.batch.job.occupation.name
        for cert in _skill_certs(facts.person):
            if cert.name == occupation and months_between(cert.issue_date, facts.on) < months:
                return False, _(
                    "%(d)s 已取得%(o)s证书（%(n)s），%(m)d 个月内不能再次申报",
                    d=cert.issue_date.isoformat(),
                    o=occupation,
                    n=cert.number,
                    m=months,
                )
        return True, _("近 %(m)d 个月未取得%(o)s证书", m=months, o=occupation)


class MinimumAge(Rule):
    key, title = "minimum_age", _l("年龄不低于规定岁数")
    params = (Param("years", _l("最低年龄（周岁）"), int, 16),)

    def evaluate(self, facts, params):
        years = int(params.get("years", 16))
        born = facts.person.birth_date
        if born is None:
            return False, _("未登记出生日期")
        age = months_between(born, facts.on) // 12
        if age >= years:
            return True, _("%(on)s 时 %(age)d 周岁", on=facts.on.isoformat(), age=age)
        return False, _("%(on)s 时仅 %(age)d 周岁，需满 %(y)d 周岁", on=facts.on.isoformat(), age=age, y=years)


class TrainingHours(Rule):
    key, title = "training_hours", _l("完成规定培训学时")
    params = (Param("hours", _l("最少学时"), int, 80),)

    def evaluate(self, facts, params):
        hours = int(params.get("hours", 80))
        if facts.training_hours >= hours:
            return True, _("已完成 %(h)d 学时", h=facts.training_hours)
        return False, _("仅完成 %(h)d 学时，需 %(need)d 学时", h=facts.training_hours, need=hours)


RULES: dict[str, Rule] = {
    rule.key: rule
    for rule in (
        MajorRelated(),
        LevelPrerequisite(),
        GraduatingInTerm(),
        NoRecentCertificate(),
        MinimumAge(),
        TrainingHours(),
    )
}


def clean_rules(configured: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Validate a batch's rule configuration: known rules, typed parameters (dates as ISO)."""
    problems, cleaned = [], []
    for entry in configured:
        rule = RULES.get(entry.get("rule", ""))
        if rule is None:
            problems.append(Problem(_("未知的资格规则 %(r)s", r=entry.get("rule")), field="rules"))
            continue
        params = {}
        for param in rule.params:
            raw = entry.get("params", {}).get(param.name, param.default)
            try:
                params[param.name] = _coerce(param, raw)
            except ValueError:
                problems.append(
                    Problem(
                        _("%(rule)s：%(p)s 的值「%(v)s」无效", rule=rule.title, p=param.title, v=raw), field="rules"
                    )
                )
        cleaned.append({"rule": rule.key, "params": params})
    if problems:
        raise DomainError(_("资格规则设置有误"), problems)
    return cleaned


def _coerce(param: Param, raw: Any) -> Any:
    if raw in (None, ""):
        return None if param.kind is date else param.default
    if param.kind is int:
        value = int(raw)
        if value < 0:
            raise ValueError(raw)
        return value
    if param.kind is date:
        return raw if isinstance(raw, str) and date.fromisoformat(raw) else raw.isoformat()
    return str(raw)


def _params(rule: Rule, stored: dict[str, Any]) -> dict[str, Any]:
    params = {}
    for param in rule.params:
        value = stored.get(param.name, param.default)
        params[param.name] = date.fromisoformat(value) if param.kind is date and value else value
    return params


def evaluate(batch: Batch, person: Person, training_hours: int = 0) -> list[Verdict]:
    """Every configured rule's verdict for ``person`` applying to ``batch``."""
    on = batch.exam_date or batch.closes_at.date()
    facts = Facts(person, batch, training_hours, on)
    verdicts = []
    for entry in batch.rules or []:
        rule = RULES[entry["rule"]]
        passed, explanation = rule.evaluate(facts, _params(rule, entry.get("params", {})))
        verdicts.append(Verdict(rule.key, passed, f"{rule.title}：{explanation}"))
    return verdicts
