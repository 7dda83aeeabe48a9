"""The audit trail as CSV, safe to open in a spreadsheet. Plain functions, no Flask."""

import csv
import io

from tracker.common.formulas import neutralise

COLUMNS = ("id", "at_utc", "actor_id", "actor_email", "actor_role", "action", "object_type", "object_id",
           "project_id", "project", "ip", "reason", "details")


def entry_row(entry, project_slugs):
    return (entry.id, entry.at.isoformat(), entry.actor_id, entry.actor_email, entry.actor_role, entry.action,
            entry.object_type, entry.object_id, entry.project_id, project_slugs.get(entry.project_id),
            entry.ip, entry.reason, entry.details)


def csv_lines(entries, project_slugs):
    """Yield the CSV text line by line: a header, then one row per entry (an iterable, so it can stream)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")

    def take():
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(COLUMNS)
    yield take()
    for entry in entries:
        writer.writerow([neutralise(value) for value in entry_row(entry, project_slugs)])
        yield take()
