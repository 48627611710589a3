"""What the archive asks of the apps above it before it writes (``credit_portal.hooks``).

``credit_information_allowed(customer=, kind=)``: before other credit information is recorded; the answer
refuses by raising ``ApplicationError`` (ratings: a commendation only for an honest customer).
"""

from credit_portal.hooks import Hook

credit_information_allowed = Hook(
    "archives.credit_information_allowed",
    "Before other credit information (kind) is recorded for a customer; refuses by raising ApplicationError.",
)
