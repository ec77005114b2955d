"""What each headline figure means, what the model leaves out, and how to cite it.

One place for the words the HTML report (and any other output) shows beside the figures:
:data:`DEFINITIONS` (summary key -> definition, the text of the README's "Definitions"),
:data:`LIMITATIONS` (the model's general limitations, a summary of the README's "What the model
leaves out"), and :func:`citation` (how to cite, built from ``CITATION.cff``, which the wheel
carries; see :func:`simulator.resources.citation_file`).

Examples
--------
>>> DEFINITIONS["granted"]
'Eligible, and the court grants the motion (the scenario’s grant model).'
>>> sorted(DEFINITIONS) == sorted(DEFINED)
True
>>> cite = citation()
>>> cite["version"] == __import__("simulator").__version__, cite["text"].startswith("The ")
(True, True)
"""

from __future__ import annotations

from typing import Any

from simulator.resources import citation_file, read_yaml

#: Definitions of the headline figures, by summary key (the README's "Definitions").
DEFINITIONS: dict[str, str] = {
    "population": "People in the synthetic federal drug-offender prison population, in custody "
    "on the snapshot date.",
    "eligible": "The change lowers the person’s applicable guideline range; the sentence was "
    "imposed before the effective date; the person is in custody on it and still will be on "
    "the first day a release may happen; and a reduction is possible (the amended range, or a "
    "comparable reduction for substantial assistance, lies under the term). For "
    "substantial-assistance cases the ranges are compared before the mandatory minimum cuts "
    "them off (USSG §1B1.10(c)).",
    "granted": "Eligible, and the court grants the motion (the scenario’s grant model).",
    "mean_reduction_months": "Among granted people, the mean months cut from the term "
    "(USSG §1B1.10(b): the same relative position in the amended range, no lower than the "
    "amended minimum except a comparable cut for substantial assistance, a binding mandatory "
    "minimum still binds, never below time served). Life counts as 470 months, the "
    "Commission’s convention.",
    "mean_reduction_pct": "Among granted people, the months cut as a share of the months "
    "imposed (the Commission’s 25 months = 18.8% of 133 follows this identity).",
    "released_first_day": "People released on the earliest-release date because their reduced "
    "release date had already passed.",
    "released_first_year": "People released earlier than before, after the first day and "
    "within the following year.",
    "bed_years_saved": "Years of custody no longer served (with good-conduct time), counting "
    "the days the model’s people actually stay out, under the release rules as they later "
    "changed.",
    "bed_years_saved_undelayed": "Bed-years saved as if nobody had to wait for the "
    "earliest-release date.",
    "bed_years_saved_projected": "Bed-years saved as a projection made on the effective date "
    "counts them, which is how the Commission estimated them: release dates under the release "
    "rules in force that day, nobody dying or leaving early, nobody released before the "
    "effective date.",
    "cost_saved_usd": "Bed-years saved times the scenario’s cost per bed-year.",
}

#: The keys :data:`DEFINITIONS` defines, in the order the report lists them.
DEFINED = tuple(DEFINITIONS)

#: The model's general limitations (README, "What the model leaves out").
LIMITATIONS: tuple[str, ...] = (
    "The population is synthetic: people are drawn from yearly admission cohorts calibrated "
    "to published marginals (counts, drug mix, sentences, criminal history, stock totals); "
    "no real person’s record is used, and figures no published marginal pins are assumptions.",
    "Only drug-trafficking cases sentenced under §2D1.1 are modelled, with one drug and at "
    "most one firearm count per person; reforms that reach other offenses are counted for drug "
    "offenders only.",
    "Court and clemency decisions follow the scenario’s grant model; unless the scenario "
    "states a process, every motion is decided by the earliest-release date (the Commission’s "
    "convention), one reason first-day releases run high.",
    "Exits other than release (RDAP, First Step Act time credits, deaths, compassionate "
    "release) are modelled as assumed rates; none are drawn after the snapshot.",
    "Cases after FY2016 keep each drug’s quantities and the charging and relief of 2013–2015, "
    "so their sentences run somewhat shorter than published.",
    "Life is counted as 470 months for arithmetic, the Commission’s convention.",
    "Uncertainty intervals cover the synthetic population’s sampling and the assumptions given "
    "distributions, not the calibration of the generator.",
)


def citation() -> dict[str, Any]:
    """How to cite the simulator, from ``CITATION.cff``.

    Returns ``title``, ``authors`` (one string), ``version``, ``year``, ``license``, ``text``
    (one line to cite) and ``bibtex`` (a ``@software`` entry).
    """
    cff = read_yaml(citation_file())
    authors = " and ".join(
        a.get("name") or " ".join(p for p in (a.get("given-names"), a.get("family-names")) if p)
        for a in cff.get("authors", [])
    )
    version = str(cff.get("version", ""))
    year = str(cff.get("date-released", ""))[:4]
    title = str(cff["title"])
    licence = str(cff.get("license", ""))
    text = (
        f"{authors} ({year}). {title} (version {version}) [computer software]. Licence: {licence}."
    )
    key = "sentence_reduction_simulator_" + version.replace(".", "_")
    bibtex = (
        f"@software{{{key},\n  author = {{{{{authors}}}}},\n  title = {{{title}}},\n"
        f"  version = {{{version}}},\n  year = {{{year}}},\n  license = {{{licence}}}\n}}"
    )
    return {"title": title, "authors": authors, "version": version, "year": year,
            "license": licence, "text": text, "bibtex": bibtex}  # fmt: skip
