"""Quiet churn: accounts whose activity after the incident fell well below their own baseline."""
from datetime import date, timedelta

from postmortem_desktop.analysis.quiet_accounts import ActivityRow, QuietRule, quiet_accounts

DAY = date(2026, 11, 18)


def daily(account, per_day, start, days):
    return [ActivityRow(account, start + timedelta(days=i), per_day) for i in range(days) if per_day]


def history(account, before, after, before_days=28, after_days=7):
    return (daily(account, before, DAY - timedelta(days=before_days), before_days)
            + daily(account, after, DAY + timedelta(days=1), after_days))


def test_an_account_that_halved_is_quiet_and_a_steady_one_is_not():
    rows = history("acme", 10, 4) + history("steady", 10, 9) + history("edge", 10, 5)
    result = quiet_accounts(rows, DAY)
    assert [q.account for q in result] == ["acme", "edge"]
    assert result[0].baseline_per_day == 10 and result[0].after_per_day == 4
    assert abs(result[0].drop - 0.6) < 1e-9


def test_an_account_that_went_silent_counts_missing_days_as_zero():
    rows = history("silent", 6, 0) + history("other", 3, 3)
    result = quiet_accounts(rows, DAY)
    assert [(q.account, q.after_per_day, q.drop) for q in result] == [("silent", 0.0, 1.0)]


def test_the_baseline_is_the_accounts_own_not_the_average():
    rows = history("big", 100, 70) + history("small", 2, 0)
    assert [q.account for q in quiet_accounts(rows, DAY)] == ["small"]


def test_barely_active_accounts_are_left_out():
    rows = daily("rare", 1, DAY - timedelta(days=28), 3) + history("x", 2, 2)
    assert quiet_accounts(rows, DAY) == []


def test_an_export_that_stops_before_the_incident_flags_nobody():
    rows = daily("acme", 10, DAY - timedelta(days=10), 10)
    assert quiet_accounts(rows, DAY) == []


def test_a_short_after_period_is_compared_per_day():
    # the export only reaches two days past the incident: averages use those two days, not seven
    rows = history("acme", 10, 10, after_days=2)
    assert quiet_accounts(rows, DAY) == []


def test_the_rule_is_stated_with_its_parameters():
    rule = QuietRule(baseline_days=14, after_days=5, drop_to=0.3)
    text = rule.describe()
    assert "5 days after" in text and "30%" in text and "14 days before" in text
    rows = history("acme", 10, 4, before_days=14, after_days=5)
    assert quiet_accounts(rows, DAY, rule) == []
    assert [q.account for q in quiet_accounts(rows, DAY, QuietRule(baseline_days=14, after_days=5))] == ["acme"]


# ---- the activity export feeding the follow-up view ------------------------------------------------
def test_activity_csv_is_read_with_flexible_headers_and_semicolons():
    from postmortem_desktop.services.followup import parse_activity_csv

    rows = parse_activity_csv("Account;Day;Logins\nacme;2026-11-01;4\nbeta;2026-11-02 08:00;2\n")
    assert rows == [ActivityRow("acme", date(2026, 11, 1), 4), ActivityRow("beta", date(2026, 11, 2), 2)]


def test_activity_csv_with_a_bad_row_is_refused_whole():
    import pytest

    from postmortem_desktop.services.followup import ActivityFileError, parse_activity_csv

    with pytest.raises(ActivityFileError, match="line 3"):
        parse_activity_csv("account,date,count\nacme,2026-11-01,4\nacme,yesterday,2\n")
    with pytest.raises(ActivityFileError, match="account, date and count"):
        parse_activity_csv("who,when\nacme,2026-11-01\n")


def test_imported_activity_lists_quiet_accounts_in_the_follow_up_view(demo_copy, tmp_path):
    from postmortem_desktop.services.followup import FollowUpService, ImportActivity, read_activity_csv
    from postmortem_desktop.services.incidents import IncidentService
    from postmortem_desktop.storage.workspace import open_workspace

    ws = open_workspace(demo_copy)
    try:
        billing = next(s for s in IncidentService(ws).list_incidents() if s.title.startswith("Billing"))
        day = IncidentService(ws).get(billing.id).technical_start.date()
        rows = [ActivityRow(a, day + timedelta(days=d), n)
                for a, before, after in (("Brightline Studio", 12, 1), ("Okafor Electrical", 5, 5))
                for d, n in [(-i, before) for i in range(1, 29)] + [(i, after) for i in range(1, 8)]]
        path = tmp_path / "activity.csv"
        path.write_text("account,date,count\n" + "".join(f"{r.account},{r.day},{r.count}\n" for r in rows))
        cmd = ImportActivity(billing.id, read_activity_csv(path), "activity.csv")
        cmd.do(ws)
        view = FollowUpService(ws).view(billing.id)
        assert view.activity_rows == len(rows)
        assert [q.account for q in view.quiet] == ["Brightline Studio"]
        assert "at most 50%" in view.rule_text
        cmd.undo(ws)
        assert FollowUpService(ws).view(billing.id).quiet == ()
    finally:
        ws.close()
