"""Catalogue forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length, Optional

from examsys.modules.accounts.forms import MultiCheckboxField
from examsys.modules.catalog.models import LEVEL_NAMES, StudyLevel


class CertificationBodyForm(FlaskForm):
    name = StringField(_l("学校（机构）名称"), validators=[DataRequired(), Length(max=120)])
    centre_name = StringField(_l("认定中心名称"), validators=[Length(max=120)])
    institution_code = StringField(_l("机构备案代码"), validators=[DataRequired(), Length(max=40)])
    province_code = StringField(_l("省份代码（2 位）"), validators=[DataRequired(), Length(min=2, max=2)])
    cert_letter = SelectField(_l("证书编号字母"), choices=[("Y", "Y"), ("S", "S")])
    address = StringField(_l("地址"), validators=[Length(max=200)])
    phone = StringField(_l("电话"), validators=[Length(max=40)])


class CollegeForm(FlaskForm):
    code = StringField(_l("代码"), validators=[DataRequired(), Length(max=20)])
    name = StringField(_l("名称"), validators=[DataRequired(), Length(max=100)])
    active = BooleanField(_l("启用"), default=True)


class MajorForm(FlaskForm):
    college_id = SelectField(_l("学院"), coerce=int, choices=[])
    code = StringField(_l("专业代码"), validators=[Length(max=20)])
    name = StringField(_l("专业名称"), validators=[DataRequired(), Length(max=100)])
    study_level = SelectField(_l("层次"), choices=lambda: [(s.value, s.title) for s in StudyLevel])
    active = BooleanField(_l("启用"), default=True)


class OccupationForm(FlaskForm):
    code = StringField(_l("职业编码"), validators=[Optional(), Length(max=20)])
    name = StringField(_l("职业名称"), validators=[DataRequired(), Length(max=100)])
    standard = StringField(_l("依据标准"), validators=[Length(max=100)], default="国标")
    owner_college_id = SelectField(_l("申报学院"), coerce=int, choices=[])
    active = BooleanField(_l("启用"), default=True)


def level_choices():
    return [(str(n), f"{names[0]}/{names[1]}") for n, names in LEVEL_NAMES.items()]


class JobForm(FlaskForm):
    name = StringField(_l("工种/职业方向（可空）"), validators=[Length(max=100)])
    levels = MultiCheckboxField(_l("可认定等级"), choices=level_choices)
    majors = SelectMultipleField(_l("相关专业"), coerce=int, choices=[])
    active = BooleanField(_l("启用"), default=True)
