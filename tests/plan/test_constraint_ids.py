"""The planner's constraint families and the checker's rules carry the same ids: one
named function per rule id on each side, and every explanation fact cites one of them."""

from __future__ import annotations

import re
from pathlib import Path

import mixedcrew.plan.constraints as constraints
from mixedcrew.plan.constraints import FAMILIES
from mixedcrew.plan.explain import PLANNING_RULES
from mixedcrew.rules import RULES


def test_one_family_per_rule_of_the_checker_and_the_planners_own_rules_apart() -> None:
    """Families = the checker's rules (in the same order) + the planner-only rules (CREW)."""
    ids = [rule for rule, _ in FAMILIES]
    assert len(ids) == len(set(ids))
    assert [r for r in ids if r not in PLANNING_RULES] == list(RULES)
    assert set(ids) - set(RULES) == PLANNING_RULES


def test_each_family_is_a_function_named_for_its_rule() -> None:
    """ORDER -> order_constraints, DOCKED_LIMIT -> docked_limit_constraints, ..."""
    for rule, fn in FAMILIES:
        assert fn.__name__ == f"{rule.lower()}_constraints", (rule, fn.__name__)


def test_every_guarded_fact_names_a_family() -> None:
    """The facts an explanation can cite (`ctx.when(RULE, ...)`) use the same ids."""
    source = Path(constraints.__file__).read_text(encoding="utf-8")
    cited = set(re.findall(r'\.when\("([A-Z_]+)"', source))
    assert cited, "no ctx.when(...) found: the scan is out of date"
    assert cited <= {rule for rule, _ in FAMILIES}
    assert set(RULES) <= cited  # every checker rule can be part of an explanation
