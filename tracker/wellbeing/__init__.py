"""Reader wellbeing: how much distressing material each person has read, shown to that person only.

Stories carry a distressing-content level set at the safeguarding review (:mod:`tracker.wellbeing.rules`
proposes it). Each reader sees their own week against their own usual weeks, counted from the audit trail's
reads of stories (:func:`tracker.wellbeing.services.exposure_for`), and past a threshold they choose, a gentle
note with the fund's support contacts. Nobody else sees one person's figures: no route takes a user id, and
the access overview shows only the aggregate across at least ``MIN_READERS`` readers.
"""
