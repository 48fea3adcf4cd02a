"""An import's progress says which total is an estimate: the rows a file probably holds, worked out from how much of
it was read, move as more is read (16,000 of 43,500, then of 47,700); only the total at the end is counted."""
import pickle
from datetime import timedelta

import pytest

from postmortem_desktop.domain.progress import EstimatedTotal, is_estimate
from postmortem_desktop.services import spreadsheet_import
from postmortem_desktop.services.incidents import CreateIncident
from postmortem_desktop.storage.workspace import create_workspace
from tests.core.test_import_pipeline import ALL, T0, write_csv, zendesk_row
from tests.shared_data import shared_file


def _steps(tmp_path, path, *, parallel: bool):
    workspace = create_workspace(tmp_path / "w.pmw")
    try:
        command = CreateIncident(title="Billing outage")
        command.do(workspace)
        steps = spreadsheet_import.import_path(workspace, command.incident_id, path, options=ALL, parallel=parallel)
        seen = []
        while True:
            try:
                seen.append(next(steps))
            except StopIteration as stop:
                return seen, stop.value
    finally:
        workspace.close()


@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "helper"])
def test_totals_read_from_part_of_the_file_are_estimates_and_the_last_is_the_count(tmp_path, parallel):
    rows = [zendesk_row(n, (T0 + timedelta(minutes=n % 50)).strftime("%Y-%m-%d %H:%M"),
                        body=f"Paid twice, then the page hung ({n}).") for n in range(1, 2_513)]
    steps, summary = _steps(tmp_path, write_csv(tmp_path / "tickets.csv", rows), parallel=parallel)
    totals = [total for _done, total in steps if total is not None]
    assert len(totals) >= 2 and all(is_estimate(total) for total in totals[:-1])
    assert totals[-1] == summary.rows_read == 2_512 and not is_estimate(totals[-1])


@pytest.mark.parametrize("lines_a_ticket", [1, 3, 0], ids=["one line a ticket", "bodies over three lines",
                                                         "a blank line after each ticket"])
@pytest.mark.parametrize("parallel", [False, True], ids=["in-process", "helper"])
def test_the_first_estimate_of_a_file_of_many_megabytes_is_near_its_rows(tmp_path, parallel, lines_a_ticket):
    """The file is read a megabyte at a time and parsed a thousand records at a time, ahead of the rows stored.
    Before, the estimate set the rows stored against all that was read: the first one of a 40,000-row import
    said "of about 13,100". Now it sets the records parsed against the lines they came from."""
    body = "\n".join(["Paid twice, then the page hung and I had to do the invoices by hand."] * max(lines_a_ticket, 1))
    rows = [zendesk_row(n, (T0 + timedelta(minutes=n % 50)).strftime("%Y-%m-%d %H:%M"), body=f"{body} ({n})")
            for n in range(1, 16_001)]
    if not lines_a_ticket:  # a blank record between tickets (a hand-edited export): counted as no row
        rows = [cells for row in rows for cells in (row, [])]
    path = write_csv(tmp_path / "tickets.csv", rows)
    assert path.stat().st_size > 3 * (1 << 20)  # several of the reader's pieces
    steps, summary = _steps(tmp_path, path, parallel=parallel)
    estimates = [total for _done, total in steps if is_estimate(total)]
    assert summary.rows_read == 16_000 and estimates
    assert all(abs(total - 16_000) <= 0.05 * 16_000 for total in estimates), estimates


def test_a_real_ticket_dump_ends_on_its_counted_rows(tmp_path):
    steps, summary = _steps(tmp_path, shared_file("kaggle_customer_support_tickets_head200.csv"), parallel=False)
    totals = [total for _done, total in steps if total is not None]
    assert all(is_estimate(total) for total in totals[:-1])
    assert steps[-1] == (summary.rows_read, summary.rows_read) and not is_estimate(steps[-1][1])


def test_an_estimate_is_a_number_everywhere_and_stays_an_estimate_across_processes():
    about = EstimatedTotal(43_500)
    assert about == 43_500 and about + 1 == 43_501 and f"{about:,}" == "43,500"
    assert is_estimate(pickle.loads(pickle.dumps(about))) and not is_estimate(43_500)
