"""The customer-severity rubric: evidence of harm raises the technical level, and says why."""
from dataclasses import replace

import pytest

from postmortem_desktop.domain.severity import SeverityEvidence, suggest

BASE = SeverityEvidence(technical_severity="SEV3", technical_minutes=40, customer_minutes=50, accounts_affected=8)


def test_no_conversations_keeps_the_technical_level():
    result = suggest(SeverityEvidence(technical_severity="SEV3", technical_minutes=40))
    assert result.suggested == "SEV3"
    assert result.reasons == ("no customer conversations yet",)


def test_some_accounts_but_no_harm_keeps_the_level():
    assert suggest(BASE).suggested == "SEV3"


def test_a_single_sign_of_harm_does_not_change_the_level_and_says_so():
    result = suggest(replace(BASE, money_mentions=2))
    assert result.suggested == "SEV3"
    assert any("money" in r for r in result.reasons)
    assert any("alone does not change" in r for r in result.reasons)


def test_two_signs_raise_one_level_with_reasons_in_the_sentence():
    result = suggest(replace(BASE, customer_minutes=275, money_mentions=3))
    assert result.suggested == "SEV2"
    sentence = result.sentence()
    assert sentence.startswith("technical SEV3 → customer SEV2, because ")
    assert "4 h 35 min against 40 min" in sentence and "money" in sentence


def test_many_signs_raise_two_levels_but_never_more():
    heavy = replace(BASE, customer_minutes=600, accounts_affected=60, money_mentions=5, risky_workarounds=9,
                    trust_loss=4, data_fear=3, work_stopped=5, churn_risk=2)
    assert suggest(heavy).suggested == "SEV1"
    assert len(suggest(heavy).reasons) == 7
    assert suggest(replace(heavy, technical_severity="SEV5")).suggested == "SEV3"


def test_level_never_goes_above_sev1():
    heavy = replace(BASE, technical_severity="SEV2", customer_minutes=600, money_mentions=5, risky_workarounds=9,
                    trust_loss=9, work_stopped=5, accounts_affected=50)
    assert suggest(heavy).suggested == "SEV1"


@pytest.mark.parametrize("field, below, at", [
    ("accounts_affected", 19, 20), ("risky_workarounds", 2, 3), ("work_stopped", 2, 3),
])
def test_thresholds_are_where_the_rubric_says(field, below, at):
    partner = replace(BASE, money_mentions=1)  # one sign already present, so a second raises the level
    assert suggest(replace(partner, **{field: below})).suggested == "SEV3"
    assert suggest(replace(partner, **{field: at})).suggested == "SEV2"


def test_customers_felt_it_longer_needs_three_times_and_an_hour():
    partner = replace(BASE, money_mentions=1)
    assert suggest(replace(partner, technical_minutes=40, customer_minutes=119)).suggested == "SEV3"
    assert suggest(replace(partner, technical_minutes=40, customer_minutes=120)).suggested == "SEV2"
    assert suggest(replace(partner, technical_minutes=10, customer_minutes=45)).suggested == "SEV3"


def test_barely_noticed_incident_is_suggested_one_level_lower():
    result = suggest(SeverityEvidence(technical_severity="SEV2", technical_minutes=60, customer_minutes=10,
                                      accounts_affected=1))
    assert result.suggested == "SEV3"
    assert "only 1 account" in result.reasons[0]
