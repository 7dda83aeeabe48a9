"""Rules for selection decisions, as plain functions.

MSC panels write their reasons in full sentences and attach them to the
story (Davies & Dart, step 5): a selection without written reasons is refused.
"""

from tracker.common.messages import N_

MIN_REASON_WORDS = 6


def reasons_problems(selected, reasons):
    """``(field, message)`` when a selection lacks written reasons; empty when acceptable."""
    if not selected:
        return []
    words = (reasons or "").split()
    if not words:
        return [("reasons", N_("A selection needs the panel's written reasons: why this story is the most "
                               "significant."))]
    if len(words) < MIN_REASON_WORDS:
        return [("reasons", N_("Write the panel's reasons in full sentences: why this story, rather than the others, "
                            "is the most significant."))]
    return []
