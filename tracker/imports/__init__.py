"""Import outcomes and MSC stories from XLSX and CSV, including KoboToolbox and ODK Central exports.

The stages, each in its own module:

- :mod:`.files`: limits and magic bytes checked before parsing, then the tables of an XLSX, a CSV or a ZIP of CSVs;
- :mod:`.sources`: KoboToolbox / ODK Central conventions, repeat groups joined to their parent rows;
- :mod:`.mapping`: the target fields of each kind and the suggested column mapping;
- :mod:`.values`: dates, yes/no answers, choices and ages as people and survey tools write them;
- :mod:`.plan`: each record checked with the outcome and story areas' own rules, giving a dry run;
- :mod:`.services`: the all-or-nothing import in one transaction, mapping templates, the audit trail;
- :mod:`.staging`: uploaded files kept in the database between the web steps, so any host continues them.
"""
