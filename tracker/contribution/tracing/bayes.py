"""Contribution tracing: Bayesian updating of confidence in a claim's mechanism components.

Method: Befani & Stedman-Bryce (2017), *Evaluation* 23(1):42–60. Each mechanism
component (an entity doing an activity) starts from a prior (conventionally 0.5).
Each piece of evidence sought for it has

* sensitivity  Se = P(E | component true), and
* type I error α  = P(E | component false), both strictly between 0 and 1,

and is *found*, *not found* or still *pending*. Evidence is applied in the
order it was recorded:

* found:     posterior = p·Se / (p·Se + (1−p)·α)
* not found: posterior = p·(1−Se) / (p·(1−Se) + (1−p)·(1−α))
* pending:   no change.

The arithmetic runs on log-odds, where each item simply adds
log(Se/α) or log((1−Se)/(1−α)). That is the same formula, but the running total
never rounds to exactly 0 or 1, and the final figure does not depend on the
order of independent items. Reported probabilities are kept inside
[CONFIDENCE_FLOOR, CONFIDENCE_CEILING].

A component's confidence is its last posterior. **A claim's confidence is its
weakest component's** (a mechanism is only as strong as its weakest part).

Verbal scale (:data:`DEFAULT_BANDS`, the one table pages, reports and the API use): the bands and words of
the fund's methods annex, Annex B of every report (``templates/reports/_methods.html``, which prints this
table and calls the 0.5 prior "as likely as not"), following IIED 2017 (iied.org/17402iied) table 1 as the
design notes transcribe it (/work/shared/design/methods-and-data-model.md, §3 "Updating"): "more confident
than not" above 0.50 up to 0.70, "practical certainty" from 0.99. Bounds are compared on figures rounded to
:data:`BAND_DECIMALS` decimals (:func:`band_of`), and figures are printed with :func:`figure_decimals`
decimals, so that the words and the printed figure always agree.
"""

import enum
import math
from dataclasses import dataclass

from tracker.common.messages import N_

DEFAULT_PRIOR = 0.5
CONFIDENCE_FLOOR = 1e-9
CONFIDENCE_CEILING = 1 - 1e-9

# Thresholds for naming a test (Van Evera's four tests, as used in contribution tracing).
# Sensitivity of at least 0.8 means absence of the evidence would be hard to explain if the
# component were true: a hoop the claim must jump through. A type I error of at most 0.2
# means the evidence is unlikely to turn up if the component were false: a smoking gun.
HIGH_SENSITIVITY = 0.8
LOW_TYPE1_ERROR = 0.2


class Observation(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    PENDING = "pending"


class EvidenceTest(enum.StrEnum):
    HOOP = "hoop"
    SMOKING_GUN = "smoking_gun"
    DOUBLY_DECISIVE = "doubly_decisive"
    STRAW_IN_THE_WIND = "straw_in_the_wind"


class TracingInputError(ValueError):
    """A probability outside (0, 1), or an unknown observation."""

    def __init__(self, field, message):
        self.field = field
        super().__init__(message)


@dataclass(frozen=True)
class EvidenceItem:
    """One piece of evidence sought for a component, in the order it was recorded."""

    evidence_id: object
    sensitivity: float
    type1_error: float
    observed: Observation


@dataclass(frozen=True)
class Step:
    """One update, with its inputs, as stored and shown to users."""

    evidence_id: object
    observed: Observation
    sensitivity: float
    type1_error: float
    test_type: EvidenceTest
    prior: float
    posterior: float


@dataclass(frozen=True)
class ComponentResult:
    prior: float
    steps: tuple
    confidence: float


def check_probability(value, field):
    """Return ``value`` as a float strictly between 0 and 1, or raise TracingInputError naming ``field``."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise TracingInputError(field, N_("Enter a number between 0 and 1, e.g. 0.85.")) from None
    if not 0 < number < 1 or math.isnan(number):
        raise TracingInputError(field, N_("Must be strictly between 0 and 1 (neither 0 nor 1 can be known for "
                                          "certain)."))
    return number


def disconfirming(sensitivity, type1_error):
    """Whether finding the evidence would *lower* confidence in the component: it is likelier if the component
    does not hold (Se < α). Such an item is evidence against the component, whatever test it amounts to."""
    return sensitivity < type1_error


def classify(sensitivity, type1_error):
    """Name the test an item of evidence amounts to, from its Se and α (see the thresholds above).

    The test is named in the direction the evidence points. For disconfirming evidence (Se < α) the roles swap:
    the item tests that the component does *not* hold, with α as the sensitivity and Se as the type I error (Se
    0.05, α 0.10 found is a weak smoking gun against the component, not a smoking gun for it). Show it with
    :func:`disconfirming`, so that no one reads it as support.
    """
    if disconfirming(sensitivity, type1_error):
        sensitivity, type1_error = type1_error, sensitivity
    high_sensitivity = sensitivity >= HIGH_SENSITIVITY
    low_type1_error = type1_error <= LOW_TYPE1_ERROR
    if high_sensitivity and low_type1_error:
        return EvidenceTest.DOUBLY_DECISIVE
    if high_sensitivity:
        return EvidenceTest.HOOP
    if low_type1_error:
        return EvidenceTest.SMOKING_GUN
    return EvidenceTest.STRAW_IN_THE_WIND


def logit(probability):
    return math.log(probability) - math.log1p(-probability)


def probability_from_logit(value):
    if value >= 0:
        probability = 1 / (1 + math.exp(-value))
    else:
        exponential = math.exp(value)
        probability = exponential / (1 + exponential)
    return min(max(probability, CONFIDENCE_FLOOR), CONFIDENCE_CEILING)


def log_likelihood_ratio(item):
    """The item's weight on the log-odds scale: what observing (or not observing) it adds."""
    if item.observed == Observation.FOUND:
        return math.log(item.sensitivity) - math.log(item.type1_error)
    if item.observed == Observation.NOT_FOUND:
        return math.log1p(-item.sensitivity) - math.log1p(-item.type1_error)
    return 0.0


def towards_the_evidence(posterior, prior, weight):
    """``posterior``, never on the wrong side of ``prior``.

    The round trip through log-odds can land one rounding step below the prior for evidence that supports
    the component only a hair more than it contradicts it (Se just above α); evidence must never move the
    confidence against its own direction, and evidence that weighs nothing (pending, or Se = α) not at all.
    """
    if weight > 0:
        return max(posterior, prior)
    if weight < 0:
        return min(posterior, prior)
    return prior


def trace_component(items, prior=DEFAULT_PRIOR):
    """Apply ``items`` in order to ``prior``; return every step and the component's confidence."""
    prior = check_probability(prior, "prior")
    running = logit(prior)
    current = prior
    steps = []
    for item in items:
        sensitivity = check_probability(item.sensitivity, "sensitivity")
        type1_error = check_probability(item.type1_error, "type1_error")
        observed = Observation(item.observed)
        weight = log_likelihood_ratio(EvidenceItem(item.evidence_id, sensitivity, type1_error, observed))
        running += weight
        posterior = towards_the_evidence(probability_from_logit(running), current, weight)
        steps.append(Step(item.evidence_id, observed, sensitivity, type1_error,
                          classify(sensitivity, type1_error), current, posterior))
        current = posterior
    return ComponentResult(prior=prior, steps=tuple(steps), confidence=current)


def claim_confidence(component_confidences):
    """The weakest-link rule: a claim is as credible as its least credible component (None if none)."""
    confidences = list(component_confidences)
    return min(confidences) if confidences else None


@dataclass(frozen=True)
class Band:
    """A band of the verbal scale: from ``lower`` up to the next band's lower bound (exactly ``lower`` if ``exact``)."""

    lower: float
    label: str
    exact: bool = False


# Confidences are compared with band bounds after rounding to this many decimals, so that floating-point error
# never moves a figure across a bound: 15 found and 15 not found items with Se = 1 − α come back to
# 0.4999999999999976, which is the prior 0.5 and must be named as such.
BAND_DECIMALS = 9

# The point of no lean either way. The fund's methods annex (reports' Annex B, templates/reports/_methods.html)
# calls a prior of 0.5 "as likely as not"; it is a property of the method, not of a fund's wording, so every scale
# has it (see :func:`with_midpoint`).
AS_LIKELY_AS_NOT = Band(0.5, N_("as likely as not"), exact=True)

# The fund's verbal scale, as printed in its methods annex (Annex B of every report, from this table or the fund's
# own; shown on the tracing page and /fund/confidence-bands too). Source: IIED 2017 (iied.org/17402iied), table 1,
# via /work/shared/design/methods-and-data-model.md §3: "more confident than not" above 0.50 up to 0.70 and
# "practical certainty" from 0.99, with exactly 0.5 "as likely as not" (the annex's own words for the prior).
# The steps in between, and the mirror-image "does not hold" bands below 0.5, are this application's default.
# A band runs from its lower bound (inclusive) to the next one (exclusive); a fund may replace the scale,
# the exact midpoint excepted.
DEFAULT_BANDS = (
    Band(0.0, N_("practically certain it does not hold")),
    Band(0.01, N_("extremely confident it does not hold")),
    Band(0.05, N_("very confident it does not hold")),
    Band(0.15, N_("reasonably confident it does not hold")),
    Band(0.30, N_("less confident than not")),
    AS_LIKELY_AS_NOT,
    Band(0.50, N_("more confident than not")),
    Band(0.70, N_("reasonably confident")),
    Band(0.85, N_("very confident")),
    Band(0.95, N_("extremely confident")),
    Band(0.99, N_("practical certainty")),
)


def scale_order(band):
    """Sort key of a scale: by lower bound, an exact band before the range that starts at the same figure."""
    return band.lower, not band.exact


def with_midpoint(bands):
    """``bands`` in scale order, with :data:`AS_LIKELY_AS_NOT` at 0.5 unless the scale has an exact band there."""
    bands = tuple(bands)
    if not any(band.exact and band.lower == AS_LIKELY_AS_NOT.lower for band in bands):
        bands += (AS_LIKELY_AS_NOT,)
    return tuple(sorted(bands, key=scale_order))


def rounded(confidence):
    """``confidence`` as the band rules read it: rounded to :data:`BAND_DECIMALS` decimals."""
    return round(confidence, BAND_DECIMALS)


def band_of(confidence, bands=DEFAULT_BANDS):
    """The band ``confidence`` falls in (None for None): an exact band it equals, else the highest it reaches.

    Bounds are compared with the confidence rounded to :data:`BAND_DECIMALS` decimals, so a figure that float
    arithmetic leaves a hair off a bound is named as the bound.
    """
    if confidence is None:
        return None
    value = rounded(confidence)
    ordered = sorted(bands, key=scale_order)
    exact = [band for band in ordered if band.exact and rounded(band.lower) == value]
    if exact:
        return exact[0]
    reached = [band for band in ordered if not band.exact and value >= rounded(band.lower)]
    return reached[-1] if reached else None


def verbal_band(confidence, bands=DEFAULT_BANDS):
    """The words for ``confidence`` on the scale ``bands`` (see :func:`band_of`)."""
    band = band_of(confidence, bands)
    return band.label if band is not None else None


def band_rank(confidence, bands=DEFAULT_BANDS):
    """The position of ``confidence``'s band on the scale, lowest first (higher means more confident)."""
    return sorted(bands, key=scale_order).index(band_of(confidence, bands))


# Confidences are printed with this many decimals, and more where these would round across a band bound.
FIGURE_DECIMALS = 3


def figure_decimals(confidence, bands=DEFAULT_BANDS):
    """How many decimals print ``confidence`` so that the printed figure lies in the band named beside it.

    Three are enough but next to a bound: 0.8496 printed "0.850" would sit beside "reasonably confident" while
    the scale calls 0.85 "very confident", so it is printed "0.8496". Never more than :data:`BAND_DECIMALS`.
    """
    band = band_of(confidence, bands)
    for decimals in range(FIGURE_DECIMALS, BAND_DECIMALS):
        if band_of(round(confidence, decimals), bands) == band:
            return decimals
    return BAND_DECIMALS


@dataclass(frozen=True)
class ScaleRow:
    """One band of a scale as the scale tables print it: ``lower`` to ``upper`` (None: up to 1)."""

    band: Band
    lower: float
    upper: float | None
    lower_included: bool


def scale_rows(bands=DEFAULT_BANDS):
    """The scale as rows "from … to under …" (an exact band is one figure; a band after it starts above it)."""
    ordered = sorted(bands, key=scale_order)
    rows = []
    for index, band in enumerate(ordered):
        following = ordered[index + 1] if index + 1 < len(ordered) else None
        after_exact = index > 0 and ordered[index - 1].exact and ordered[index - 1].lower == band.lower
        upper = band.lower if band.exact else (following.lower if following else None)
        rows.append(ScaleRow(band, band.lower, upper, not after_exact))
    return tuple(rows)
