"""How well the personal-data finder does on labelled sentences: precision and recall per language and kind.

Three labelled sets ship with the package, all synthetic (invented people, numbers and accounts), built
from sentence templates filled with invented names:
- ``pii_dev.jsonl`` (202 sentences) is the one the finder was tuned on; its last 22 (en/es/fr-101...) hold
  names no list knew when they were written, after verbs of contact and prepositions, and organisations
  and places in the same positions;
- ``pii_eval.jsonl`` (320 sentences) uses other names, other sentences and other number formats. It was
  measured once untouched; its errors then led to general fixes (a wider age pattern, words that are
  never names after a Khmer title, Thai names joined by "and"), so its figures are no longer fully
  held out;
- ``pii_holdout.jsonl`` (60 sentences, other names again, many outside any list) was written after
  those fixes and is only measured: the honest figure for names the lists do not know.
Each line holds ``language``, ``text`` and ``spans`` (``start``, ``end``, ``kind``, with kinds as in
:class:`tracker.privacy.pii.Kind`).

A labelled span is found when a finding of the same kind overlaps it; a finding is correct when it
overlaps a labelled span of its kind. "Redacted" counts a labelled span as covered by any finding, of
whatever kind: that is what keeps it from a donor.
"""

import json
from collections import defaultdict
from importlib import resources

from tracker.privacy.pii import find_personal_data

SETS = {"dev": "pii_dev.jsonl", "eval": "pii_eval.jsonl", "holdout": "pii_holdout.jsonl"}


def load(name):
    """The labelled sentences of set ``name`` ("dev", "eval" or "holdout")."""
    text = resources.files("tracker.privacy").joinpath("data", SETS[name]).read_text(encoding="utf-8")
    return [json.loads(line) for line in text.splitlines() if line.strip()]


def overlaps(a_start, a_end, b_start, b_end):
    return a_start < b_end and b_start < a_end


class Tally:
    def __init__(self):
        self.labelled = self.found = self.redacted = self.flagged = self.correct = 0

    def add(self, other):
        for name in vars(self):
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def figures(self):
        return {"labelled": self.labelled, "found": self.found, "redacted": self.redacted,
                "flagged": self.flagged, "correct": self.correct,
                "recall": ratio(self.found, self.labelled), "redacted_recall": ratio(self.redacted, self.labelled),
                "precision": ratio(self.correct, self.flagged)}


def ratio(part, whole):
    return round(part / whole, 3) if whole else None


def score_sentence(sentence, find=find_personal_data):
    """``{kind: Tally}`` for one labelled sentence, and the findings it missed and flagged wrongly."""
    findings = find(sentence["text"])
    tallies = defaultdict(Tally)
    errors = []
    for span in sentence["spans"]:
        tally = tallies[span["kind"]]
        tally.labelled += 1
        hits = [f for f in findings if overlaps(f.start, f.end, span["start"], span["end"])]
        tally.redacted += bool(hits)
        if any(str(f.kind) == span["kind"] for f in hits):
            tally.found += 1
        else:
            errors.append({"missed": span["kind"], "text": sentence["text"][span["start"]:span["end"]]})
    for finding in findings:
        tally = tallies[str(finding.kind)]
        tally.flagged += 1
        if any(span["kind"] == str(finding.kind) and overlaps(finding.start, finding.end, span["start"], span["end"])
               for span in sentence["spans"]):
            tally.correct += 1
        else:
            errors.append({"wrongly_flagged": str(finding.kind), "text": finding.text})
    return tallies, errors


def evaluate(name="eval", with_errors=False):
    """Precision and recall of the finder on set ``name``: overall, per language, per kind and both."""
    sentences = load(name)
    overall, by_language, by_kind = Tally(), defaultdict(Tally), defaultdict(Tally)
    by_language_kind = defaultdict(lambda: defaultdict(Tally))
    errors = []
    for sentence in sentences:
        tallies, sentence_errors = score_sentence(sentence)
        errors += [{"id": sentence["id"], **error} for error in sentence_errors]
        for kind, tally in tallies.items():
            for target in (overall, by_language[sentence["language"]], by_kind[kind],
                           by_language_kind[sentence["language"]][kind]):
                target.add(tally)
    result = {
        "set": name, "sentences": len(sentences), "overall": overall.figures(),
        "by_language": {language: {**tally.figures(),
                                   "by_kind": {kind: item.figures()
                                               for kind, item in sorted(by_language_kind[language].items())}}
                        for language, tally in sorted(by_language.items())},
        "by_kind": {kind: tally.figures() for kind, tally in sorted(by_kind.items())},
    }
    if with_errors:
        result["errors"] = errors
    return result
