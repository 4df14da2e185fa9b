"""A PATCH of a draft may clear only what a draft may lack; a null elsewhere is a 422."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from services.documents.api.schemas import DocumentUpdate


@pytest.mark.parametrize(
    "field",
    [
        "doc_type",
        "subject",
        "recipients_internal",
        "recipients_external",
        "urgency",
        "confidentiality",
        "access",
        "language",
        "body",
    ],
)
def test_a_required_field_sent_as_null_is_refused(field: str) -> None:
    with pytest.raises(ValidationError, match=f"{field} cannot be null"):
        DocumentUpdate.model_validate({field: None})


@pytest.mark.parametrize("field", ["signer", "effective_date", "field"])
def test_an_optional_field_may_be_cleared(field: str) -> None:
    patch = DocumentUpdate.model_validate({field: None})
    assert patch.model_dump(exclude_unset=True) == {field: None}
