"""Bank forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import DecimalField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from examsys.modules.banks.models import ItemStatus
from examsys.modules.banks.qtypes import type_choices


class ImportForm(FlaskForm):
    job_id = SelectField(_l("职业（工种）"), coerce=int, choices=[])
    level = SelectField(_l("等级"), coerce=int, choices=[(n, f"{n}级") for n in (5, 4, 3, 2, 1)])
    fmt = SelectField(_l("格式"), choices=[])
    status = SelectField(
        _l("导入后状态"), choices=lambda: [(s.value, s.title) for s in ItemStatus if s.value != "retired"]
    )
    file = FileField(_l("文件"), validators=[FileRequired()])


class BlueprintForm(FlaskForm):
    job_id = SelectField(_l("职业（工种）"), coerce=int, choices=[])
    level = SelectField(_l("等级"), coerce=int, choices=[(n, f"{n}级") for n in (5, 4, 3, 2, 1)])
    name = StringField(_l("方案名称"), validators=[DataRequired(), Length(max=120)])
    duration_minutes = IntegerField(_l("考试时长（分钟）"), default=90, validators=[NumberRange(min=10, max=600)])
    pass_mark = DecimalField(_l("及格分"), default=60, places=2)
    difficulty_target = DecimalField(_l("目标平均难度（1–5）"), default=3, places=2)
    difficulty_tolerance = DecimalField(_l("难度允许偏差"), default=0.5, places=2)
    max_overlap = DecimalField(_l("两套试卷相同试题比例上限"), default=0.3, places=2)
    single_count = IntegerField(_l("单选题题量"), default=60, validators=[Optional()])
    single_points = DecimalField(_l("单选题每题分值"), default=1, places=2, validators=[Optional()])
    multiple_count = IntegerField(_l("多选题题量"), default=20, validators=[Optional()])
    multiple_points = DecimalField(_l("多选题每题分值"), default=1, places=2, validators=[Optional()])
    true_false_count = IntegerField(_l("判断题题量"), default=20, validators=[Optional()])
    true_false_points = DecimalField(_l("判断题每题分值"), default=1, places=2, validators=[Optional()])


class AssembleForm(FlaskForm):
    forms = IntegerField(_l("套数"), default=2, validators=[NumberRange(min=1, max=52)])
    seed = IntegerField(_l("随机种子（可空）"), validators=[Optional()])


class ItemForm(FlaskForm):
    stem = TextAreaField(_l("题干"), validators=[DataRequired()])
    options = TextAreaField(_l("选项（每行一个，如 A. 内容）"))
    key = StringField(_l("答案（如 A、ABD、正确）"), validators=[DataRequired()])
    explanation = TextAreaField(_l("解析"))
    difficulty = IntegerField(_l("难度（1–5）"), default=3, validators=[NumberRange(min=1, max=5)])
    element_id = SelectField(_l("鉴定要素"), coerce=int, choices=[])
    qtype = SelectField(_l("题型"), choices=type_choices)


class StatusForm(FlaskForm):
    status = SelectField(_l("状态"), choices=lambda: [(s.value, s.title) for s in ItemStatus])
