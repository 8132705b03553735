"""People forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import DataRequired, Email, Length, Optional

from examsys.core.ids import DocumentType
from examsys.modules.catalog.models import StudyLevel
from examsys.modules.people.models import Gender, PersonKind


class PersonForm(FlaskForm):
    kind = SelectField(_l("人员类别"), choices=lambda: [(k.value, k.title) for k in PersonKind])
    name = StringField(_l("姓名"), validators=[DataRequired(), Length(max=60)])
    doc_type = SelectField(_l("证件类型"), choices=lambda: [(d.value, d.title) for d in DocumentType])
    doc_number = StringField(_l("证件号码"), validators=[DataRequired(), Length(max=30)])
    gender = SelectField(_l("性别"), choices=lambda: [("", "—")] + [(g.value, g.title) for g in Gender])
    birth_date = DateField(_l("出生日期"), validators=[Optional()])
    ethnicity = StringField(_l("民族"), validators=[Length(max=20)])
    political_status = StringField(_l("政治面貌"), validators=[Length(max=20)])
    education = StringField(_l("文化程度"), validators=[Length(max=20)])
    phone = StringField(_l("联系电话"), validators=[Length(max=20)])
    email = StringField(_l("电子邮箱"), validators=[Optional(), Email(), Length(max=120)])
    college_id = SelectField(_l("学院"), coerce=int, choices=[])
    major_id = SelectField(_l("专业"), coerce=int, choices=[])
    student_no = StringField(_l("学号"), validators=[Length(max=30)])
    grade = StringField(_l("年级"), validators=[Length(max=10)])
    class_name = StringField(_l("班级"), validators=[Length(max=60)])
    study_level = SelectField(_l("层次"), choices=lambda: [("", "—")] + [(s.value, s.title) for s in StudyLevel])
    expected_graduation = DateField(_l("预计毕业时间"), validators=[Optional()])
    staff_no = StringField(_l("工号"), validators=[Length(max=30)])
    department = StringField(_l("部门"), validators=[Length(max=100)])
