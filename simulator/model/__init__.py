"""The model: the per-person kernel, the change types resolved into law, clemency, outcomes.

``population``
    :class:`Population` (a struct of arrays) and :data:`SCHEMA`, its one column description;
``sentencing``
    offense level, guideline range, statutory limits, the sentence imposed;
``reduction``
    the retroactivity kernel (eligibility, reduced terms, grants, release days);
``changes``
    a scenario's changes resolved into amended law and amended case facts;
``clemency``
    commutations as criteria, a review queue and a release lag;
``outcomes``
    :class:`Outcome`: headline figures, waves, breakdowns, per-person rows;
``apply``
    :func:`apply`, from a scenario and a population to an outcome.

Examples
--------
>>> import simulator as sim
>>> s = sim.load_scenario("scenarios/2014_guidelines.yaml")
>>> out = apply(sim.synthesize(s.population, seed=1, size=0.02), s)
>>> out.summary["granted"] <= out.summary["eligible"]
True
"""

from __future__ import annotations

from simulator.model.apply import apply
from simulator.model.outcomes import Outcome
from simulator.model.population import SCHEMA, Population

__all__ = ["SCHEMA", "Outcome", "Population", "apply"]
