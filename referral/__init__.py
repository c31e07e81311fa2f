"""referral: route a welfare concern through Yokohama's local support network.

>>> from referral import Directory
>>> d = Directory.load()
>>> d.agency("nishi.tobe_honcho.care_plaza").name.ja
'横浜市戸部本町地域ケアプラザ'
"""

from .directory import Directory
from .errors import (
    ArgumentError,
    ArgumentTypeError,
    DataError,
    DataFileError,
    NoteTooLongError,
    Problem,
    ReadOnlyError,
    ReferralError,
    UnknownAgencyError,
    UnknownAreaError,
    UnknownVocabularyError,
    ValidationError,
)
from .models import (
    Agency,
    AgencyMatch,
    Area,
    AreaMatch,
    Catchment,
    Citation,
    Document,
    Link,
    Source,
    Text,
)

__version__ = "0.1.0"

__all__ = [
    "Agency",
    "AgencyMatch",
    "Area",
    "AreaMatch",
    "ArgumentError",
    "ArgumentTypeError",
    "Catchment",
    "Citation",
    "DataError",
    "DataFileError",
    "Directory",
    "Document",
    "Link",
    "NoteTooLongError",
    "Problem",
    "ReadOnlyError",
    "ReferralError",
    "Source",
    "Text",
    "UnknownAgencyError",
    "UnknownAreaError",
    "UnknownVocabularyError",
    "ValidationError",
    "__version__",
]
