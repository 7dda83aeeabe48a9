"""The edit-conflict (409) response: both versions side by side, the user's text kept."""

from flask import render_template


def display_value(field, value):
    """Show a value the way the form shows it: choice labels rather than codes."""
    labels = {str(choice.value): str(choice.label) for choice in field.iter_choices()} \
        if hasattr(field, "iter_choices") else {}
    if isinstance(value, list | tuple | set):
        return ", ".join(labels.get(str(item), str(item)) for item in value)
    if value is None or value == "":
        return "—"
    return labels.get(str(value), str(value))


def conflict_rows(form, stored_values):
    """Return ``(label, stored, yours)`` for every field where the two versions differ as the form shows them.

    Comparing what is shown lets a stored number match the text the form holds ("0.5"), and an empty
    optional value match an empty field.
    """
    rows = []
    for name, stored in stored_values.items():
        field = form[name]
        shown, yours = display_value(field, stored), display_value(field, field.data)
        if shown != yours:
            rows.append((field.label.text, shown, yours))
    return rows


def stored_record(record, form):
    """``form_page``'s ``stored=`` for a form whose fields are named after ``record``'s columns.

    Returns a function giving the values ``record`` holds now, under the names of the form's fields,
    and its version; None when there is no record yet (a form that creates one cannot conflict).
    """
    if record is None:
        return None
    columns = type(record).__table__.columns

    def stored():
        values = {field.name: getattr(record, field.name) for field in form
                  if field.name in columns and field.name != "version"}
        return values, record.version

    return stored


def render_conflict(template, form, stored_values, current_version, **context):
    """Re-render ``template`` with status 409 and a comparison of both versions.

    The form keeps the user's input and now carries the current version, so
    saving again is a deliberate choice to overwrite.
    """
    rows = conflict_rows(form, stored_values)
    form.version.data = current_version
    return render_template(template, form=form, conflict=rows, **context), 409
