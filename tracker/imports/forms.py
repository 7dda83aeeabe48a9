"""Import forms: the upload, the column mapping (built from the file's columns), confirm and cancel."""

from flask_babel import lazy_gettext as _l
from flask_wtf.file import FileField
from flask_wtf.file import FileRequired
from wtforms import RadioField
from wtforms import SelectField
from wtforms import StringField
from wtforms.validators import InputRequired
from wtforms.validators import Optional

from tracker.imports.labels import KIND_LABELS
from tracker.imports.labels import TARGET_LABELS
from tracker.imports.mapping import COUNTRY
from tracker.imports.mapping import CYCLE
from tracker.imports.mapping import HARVEST
from tracker.imports.mapping import LANGUAGE
from tracker.imports.mapping import targets_for
from tracker.imports.models import ImportKind
from tracker.imports.services import MAX_MAPPING_NAME
from tracker.imports.sources import AUTO
from tracker.web.forms import Form
from tracker.web.forms import MaxLength
from tracker.web.forms import choices


class UploadForm(Form):
    kind = RadioField(_l("What does the file hold?"), validators=[InputRequired()],
                      choices=choices((kind.value, KIND_LABELS[kind]) for kind in ImportKind))
    file = FileField(_l("File"), validators=[FileRequired(_l("Choose the file to import."))],
                     description=_l("A KoboToolbox XLSX or CSV export, ODK Central's CSV or “CSV (.zip)” download, "
                                    "or your own spreadsheet with a header row. Nothing is saved until you confirm."))
    template = SelectField(_l("Saved mapping"), coerce=int, validators=[Optional()],
                           description=_l("Reuse the column mapping saved for an earlier export of the same form."))


class ActionForm(Form):
    """A bare POST (confirm, cancel, delete) protected by its CSRF token."""


class MappingForm(Form):
    record_table = SelectField(_l("Sheet with one record per row"), validators=[InputRequired()],
                               description=_l("For a form whose records are a repeat group, choose the repeat "
                                              "group's sheet; columns of the sheets above it can still be used."))
    source_column = SelectField(_l("Column that identifies each row"), validators=[Optional()],
                                description=_l("Rows imported before with the same id are skipped, so importing the "
                                               "same file twice adds nothing. Without an id column, rows are told "
                                               "apart by the values of their matched columns: a row imported before "
                                               "with the same values is skipped."))
    template_name = StringField(_l("Save this mapping as"), validators=[Optional(), MaxLength(MAX_MAPPING_NAME)],
                                description=_l("Optional: a name such as “Kobo MSC form v3”, to reuse the mapping "
                                               "for the next export of the same form."))


def field_name(key):
    return f"map_{key}"


def default_name(key):
    return f"default_{key}"


def mapping_form_class(kind, default_choices):
    """A :class:`MappingForm` with a column choice per target and a value for every row where that makes sense.

    ``default_choices`` gives the choices of the select-type defaults: ``{"harvest": [...], "cycle": [...],
    "language": [...], "country_code": [...]}``.
    """
    class KindMappingForm(MappingForm):
        pass

    for item in targets_for(kind):
        setattr(KindMappingForm, field_name(item.key), SelectField(TARGET_LABELS[item.key], validators=[Optional()]))
        if not item.defaultable:
            continue
        label = _l("%(field)s for every row without one", field=TARGET_LABELS[item.key])
        if item.kind in (HARVEST, CYCLE, LANGUAGE, COUNTRY):
            field = SelectField(label, validators=[Optional()],
                                choices=choices([("", _l("None")), *default_choices.get(item.key, [])]))
        else:
            field = StringField(label, validators=[Optional(), MaxLength(200)])
        setattr(KindMappingForm, default_name(item.key), field)
    return KindMappingForm


def column_choices(columns):
    """Choices for a column select: ``(ref, "header — sheet (e.g. sample)")`` after a "not in this file" entry."""
    return choices([("", _l("— not in this file —")), *columns])


def fill_mapping_form(form, kind, mapping, record_tables, source_columns, lineage_columns, child_columns):
    """Set the choices of a mapping form and, on GET, its values from ``mapping``."""
    form.record_table.choices = choices(record_tables)
    form.source_column.choices = choices([("", _l("None: tell rows apart by their values")), *source_columns])
    for item in targets_for(kind):
        field = getattr(form, field_name(item.key))
        field.choices = column_choices(child_columns if item.repeat else lineage_columns)
        field.flags.required = item.required
    if form.is_submitted():
        return form
    form.record_table.data = mapping.get("record_table")
    form.source_column.data = mapping.get("source_column") or ""
    for item in targets_for(kind):
        getattr(form, field_name(item.key)).data = (mapping.get("fields") or {}).get(item.key, "")
        if item.defaultable:
            getattr(form, default_name(item.key)).data = (mapping.get("defaults") or {}).get(item.key, "")
    return form


def mapping_from_form(form, kind):
    """The mapping the user chose, as stored with the upload and in saved mappings."""
    fields, defaults = {}, {}
    for item in targets_for(kind):
        value = getattr(form, field_name(item.key)).data
        if value:
            fields[item.key] = value
        if item.defaultable:
            default = (getattr(form, default_name(item.key)).data or "").strip()
            if default:
                defaults[item.key] = default
    return {"record_table": form.record_table.data, "source_column": form.source_column.data or "",
            "fields": fields, "defaults": defaults}


AUTO_CHOICE = (AUTO, _l("Automatic: the KoboToolbox or ODK submission id"))
