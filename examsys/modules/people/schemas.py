"""API shapes of people."""

from marshmallow import Schema, fields

from examsys.core.ids import mask_number
from examsys.web.api import PageSchema, PaginationArgs


class DocumentSchema(Schema):
    doc_type = fields.Function(lambda d: d.doc_type.value)
    number = fields.String()
    is_primary = fields.Boolean()


class PersonSchema(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda p: p.kind.value)
    name = fields.String()
    gender = fields.Function(lambda p: p.gender.value)
    birth_date = fields.Date(allow_none=True)
    ethnicity = fields.String()
    political_status = fields.String()
    education = fields.String()
    phone = fields.String()
    college_id = fields.Integer(allow_none=True)
    major_id = fields.Integer(allow_none=True)
    student_no = fields.String(allow_none=True)
    grade = fields.String()
    class_name = fields.String()
    study_level = fields.Function(lambda p: p.study_level.value if p.study_level else None)
    expected_graduation = fields.Date(allow_none=True)
    has_photo = fields.Function(lambda p: bool(p.photo_path))
    documents = fields.List(fields.Nested(DocumentSchema))


class PersonSummarySchema(Schema):
    id = fields.Integer()
    kind = fields.Function(lambda p: p.kind.value)
    name = fields.String()
    gender = fields.Function(lambda p: p.gender.value)
    college_id = fields.Integer(allow_none=True)
    major_id = fields.Integer(allow_none=True)
    student_no = fields.String(allow_none=True)
    grade = fields.String()
    class_name = fields.String()
    id_number_masked = fields.Function(lambda p: mask_number(p.primary_document.number) if p.primary_document else None)


class PeopleQuerySchema(PaginationArgs):
    q = fields.String(load_default="")
    kind = fields.String(load_default=None)
    college = fields.Integer(load_default=None)
    major = fields.Integer(load_default=None)
    grade = fields.String(load_default="")
    class_name = fields.String(load_default="", data_key="class")
    study_level = fields.String(load_default=None)


class PeoplePageSchema(PageSchema):
    items = fields.List(fields.Nested(PersonSummarySchema))


class PersonCreateSchema(Schema):
    """Input for creating a person through the API (validated further by the operation)."""

    kind = fields.String(required=True)
    name = fields.String(required=True)
    doc_type = fields.String(load_default="resident_id")
    doc_number = fields.String(required=True)
    gender = fields.String(load_default=None)
    ethnicity = fields.String(load_default="")
    political_status = fields.String(load_default="")
    education = fields.String(load_default="")
    phone = fields.String(load_default="")
    college_id = fields.Integer(load_default=None)
    major_id = fields.Integer(load_default=None)
    student_no = fields.String(load_default=None)
    grade = fields.String(load_default="")
    class_name = fields.String(load_default="")
    study_level = fields.String(load_default=None)
    expected_graduation = fields.Date(load_default=None)
