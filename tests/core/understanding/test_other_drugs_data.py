"""The non-opioid drug list and the opioid lexicon do not overlap: a drug on the non-opioid
list is answered as a co-medication (interactions), an opioid as a washout question."""

import yaml

from ldn_core.settings import REPO_ROOT


def test_no_opioid_is_listed_as_a_non_opioid_drug():
    listed = yaml.safe_load((REPO_ROOT / "knowledge/lexicon/other_drugs.yaml").read_text())
    opioids = yaml.safe_load((REPO_ROOT / "knowledge/rules/opioids.yaml").read_text())
    opioid_names = set()
    for entry in opioids["opioids"]:
        for key in ("name", "aliases", "long_acting_aliases", "short_acting_aliases"):
            value = entry.get(key) or []
            opioid_names |= {str(n).lower() for n in ([value] if isinstance(value, str) else value)}
    overlap = {str(d).lower() for d in listed["drugs"]} & opioid_names
    assert not overlap, f"opioids on the non-opioid list: {sorted(overlap)}"
