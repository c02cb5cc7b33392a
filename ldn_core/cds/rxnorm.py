"""RxNorm ingredient codes the service recognises without reading the medication's text.

Only ingredient-level RxCUIs (term type IN) are listed: EHRs usually code orders at the
clinical-drug level (SCD/SBD), whose codes are far too many to list, so every medication is
also classified by its display text through the chat's opioid lexicon (``medications``).
A code here only ever names the ingredient; the lexicon still decides kind and form.
Verify additions against RxNav before relying on them.
"""

RXNORM_SYSTEM = "http://www.nlm.nih.gov/research/umls/rxnorm"

INGREDIENTS: dict[str, str] = {
    "7243": "naltrexone",
    "42347": "bupropion",
    "7804": "oxycodone",
    "10689": "tramadol",
    "1819": "buprenorphine",
    "6813": "methadone",
    "7052": "morphine",
    "5489": "hydrocodone",
    "4337": "fentanyl",
    "2670": "codeine",
    "3423": "hydromorphone",
    "7814": "oxymorphone",
    "787390": "tapentadol",
}
