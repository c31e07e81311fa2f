"""The referral records as FHIR R4 ``Task`` resources (private; see records.py).

One ``Task`` per referral, in a ``Bundle`` of type ``collection``: its status mapped by
:data:`FHIR_TASK_STATUS` (our own status kept as ``businessStatus``, a decline's coded reason
as ``statusReason``), ``intent`` ``order``, the main concern as ``code`` and every concern as
an ``input``, the body referred to as ``owner`` (its id and name), and the dates. The
household's token, the consent's scope and the plan's hash are left out: a ``Task`` here
names no person (no ``for``), only what was asked of which body and what came of it.

The codes are this project's own code systems, named by the URNs in :data:`SYSTEMS`
(concern ids are the public ids of ``referral``'s vocabulary).

Examples
--------
>>> FHIR_TASK_STATUS["served"], FHIR_TASK_STATUS["no_response"]
('completed', 'on-hold')
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any, Final

from ._records_codes import CLOSED_STATUSES
from ._records_models import ReferralRecord

__all__ = ["FHIR_TASK_STATUS", "SYSTEMS", "bundle", "task"]

FHIR_TASK_STATUS: Final = {
    "referred": "requested",
    "accepted": "accepted",
    "contacted": "in-progress",
    "served": "completed",
    "declined": "rejected",
    "withdrawn": "cancelled",
    "entered_in_error": "entered-in-error",
    "no_response": "on-hold",
}
"""Each status as a FHIR R4 ``Task.status``. ``contacted`` is ``in-progress`` (the body has
begun the work); ``no_response`` is ``on-hold`` rather than ``failed``, because silence is not
a refusal and the coordinator is expected to follow it up; ``withdrawn`` (the person or their
consent withdrew) is ``cancelled``."""

SYSTEMS: Final = {
    "referral": "urn:referral:referral",
    "status": "urn:referral:status",
    "reason": "urn:referral:decline-reason",
    "concern": "urn:referral:concern",
    "agency": "urn:referral:agency",
    "input": "urn:referral:input",
}
"""The code systems of the exported codes and identifiers."""


def _when(value: dt.datetime) -> str:
    """A FHIR ``dateTime`` (the records keep naive UTC)."""
    return value.replace(tzinfo=dt.UTC).isoformat()


def _concept(system: str, code: str) -> dict[str, Any]:
    return {"coding": [{"system": SYSTEMS[system], "code": code}]}


def task(record: ReferralRecord, agency_name: str | None = None) -> dict[str, Any]:
    """One referral as a FHIR R4 ``Task`` (a JSON object)."""
    owner: dict[str, Any] = {"identifier": {"system": SYSTEMS["agency"], "value": record.agency}}
    if agency_name:
        owner["display"] = agency_name
    period = {"start": _when(record.created_at)}
    if record.status in CLOSED_STATUSES:
        period["end"] = _when(record.updated_at)
    out: dict[str, Any] = {
        "resourceType": "Task",
        "id": record.id,
        "identifier": [{"system": SYSTEMS["referral"], "value": record.id}],
        "status": FHIR_TASK_STATUS[record.status],
        "businessStatus": _concept("status", record.status),
        "intent": "order",
        "code": _concept("concern", record.concerns[0]),
        "authoredOn": _when(record.created_at),
        "lastModified": _when(record.updated_at),
        "owner": owner,
        "executionPeriod": period,
        "input": [
            {"type": _concept("input", "concern"), "valueCodeableConcept": _concept("concern", c)}
            for c in record.concerns
        ],
    }
    if record.reason is not None:
        out["statusReason"] = _concept("reason", record.reason)
    return out


def bundle(records: Iterable[ReferralRecord], names: Mapping[str, str], *, at: dt.datetime) -> str:
    """The referrals as one FHIR R4 ``Bundle`` (type ``collection``), as JSON text."""
    entries = [{"resource": task(r, names.get(r.agency))} for r in records]
    document = {
        "resourceType": "Bundle",
        "type": "collection",
        "timestamp": _when(at),
        "entry": entries,
    }
    return json.dumps(document, ensure_ascii=False, indent=1, sort_keys=True) + "\n"
