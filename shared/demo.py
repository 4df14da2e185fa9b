"""Facts shared by the demo loaders of the three services (`egov demo`).

The partner agencies are illustrative: their organisation codes follow the national
directory's shape (with dots) but the demo makes no claim about real endpoints.
"""

from __future__ import annotations

ISSUER_CODE = "BNG"
ISSUER_NAME = "Bộ Ngoại giao"
# A partner that receives by webhook (served by the demo receiver that `make up` starts).
WEBHOOK_PARTNER_CODE = "000.00.00.G22"
WEBHOOK_PARTNER_NAME = "Bộ Nội vụ"
# A partner that reads its pull inbox.
INBOX_PARTNER_CODE = "000.00.00.H26"
INBOX_PARTNER_NAME = "Ủy ban nhân dân thành phố Hà Nội"
DEMO_RECEIVER_PORT = 8090
