"""API shapes of the catalogue."""

from marshmallow import Schema, fields


class LevelSchema(Schema):
    number = fields.Integer()
    name = fields.String()
    title = fields.String()
    english = fields.String()
    label = fields.String()


class CollegeSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()


class MajorSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    college_id = fields.Integer()
    study_level = fields.Function(lambda m: m.study_level.value)
    active = fields.Boolean()


class JobSchema(Schema):
    id = fields.Integer()
    name = fields.String()
    label = fields.String()
    levels = fields.Function(lambda j: j.level_numbers)
    major_ids = fields.Function(lambda j: sorted(m.id for m in j.majors))
    active = fields.Boolean()


class OccupationSchema(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    standard = fields.String()
    owner_college_id = fields.Integer(allow_none=True)
    active = fields.Boolean()
    jobs = fields.List(fields.Nested(JobSchema))


class OccupationQuerySchema(Schema):
    q = fields.String(load_default="")
    college = fields.Integer(load_default=None)
    level = fields.Integer(load_default=None)
