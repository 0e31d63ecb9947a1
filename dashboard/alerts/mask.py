"""What an alert shows when addresses are anonymised: one function for the page, the report, the CLI and webhooks.

Alerts are detected on the full addresses (a scanner is one client, not its /24); only what is shown is masked.
The evidence's ``ip`` column is masked as the ``ip`` column of a frame is (a host name is replaced entirely);
every other cell, and the subject and message, have the addresses inside their text masked (a referrer or a
path can quote one).
"""

from __future__ import annotations

import dataclasses

import pandas as pd

from dashboard.alerts.alert import Alert
from dashboard.enrich.anonymise import mask_ip, mask_text

ADDRESS_COLUMN = "ip"


def shown_evidence(evidence: pd.DataFrame, anonymise: bool) -> pd.DataFrame:
    """The evidence rows as text, as every surface shows them (addresses masked when anonymising)."""
    text = evidence.astype(str)
    if not anonymise:
        return text
    return pd.DataFrame(
        {column: text[column].map(mask_ip if column == ADDRESS_COLUMN else mask_text) for column in text.columns},
        index=text.index,
    )


def shown_alert(alert: Alert, anonymise: bool) -> Alert:
    """The alert as shown: subject, message and evidence with their addresses masked when anonymising."""
    if not anonymise:
        return alert
    return dataclasses.replace(
        alert,
        subject=mask_text(alert.subject),
        message=mask_text(alert.message),
        evidence=shown_evidence(alert.evidence, True),
    )
