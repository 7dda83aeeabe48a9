"""A small description of an uploaded file (tables, headers, row counts, a sample per column, joins).

Kept with the upload so that the mapping page does not parse the whole file
again on every visit; the dry run and the import always read the file itself.
Plain functions, no Flask.
"""

from tracker.imports.files import Table
from tracker.imports.sources import Dataset
from tracker.imports.values import as_text
from tracker.imports.values import is_empty
from tracker.imports.values import shown

SAMPLE_ROWS = 20


def samples(table):
    """The first non-empty value of each column among the first rows, shortened."""
    found = {}
    for _number, values in table.rows[:SAMPLE_ROWS]:
        for header, value in zip(table.headers, values, strict=True):
            if header not in found and not is_empty(value):
                found[header] = shown(" ".join(as_text(value).split()))
    return found


def dataset_summary(dataset):
    return {
        "origin": dataset.origin,
        "tables": [{"name": table.name, "headers": table.headers, "rows": len(table.rows),
                    "parent": dataset.parents.get(table.name), "samples": samples(table)}
                   for table in dataset.tables],
    }


def summary_dataset(summary):
    """A :class:`Dataset` with the tables' headers and joins but no rows: enough to suggest and check mappings."""
    tables = [Table(table["name"], table["headers"]) for table in summary["tables"]]
    parents = {table["name"]: table["parent"] for table in summary["tables"] if table["parent"]}
    return Dataset(summary["origin"], tables, parents, {table.name: [] for table in tables})
