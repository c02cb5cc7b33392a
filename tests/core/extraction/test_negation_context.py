def test_negation_of_an_earlier_list_item_does_not_flip_normal_liver_tests():
    import datetime as dt

    from ldn_core.extraction import extract_facts

    facts = extract_facts("no opioids and LFTs are normal", dt.date(2026, 11, 27))
    assert facts.opioid_free is True
    assert facts.liver_status == "normal"
