"""referral: route a welfare concern through Yokohama's local support network.

>>> from referral import Directory
>>> d = Directory.load()
>>> d.agency("nishi.tobe_honcho.care_plaza").name.ja
'横浜市戸部本町地域ケアプラザ'

Everything a caller handles is importable from here: :class:`Directory`, the records it
holds, the results it returns and every error it raises.

>>> from referral import NoConcernError, ReferralError
>>> issubclass(NoConcernError, ReferralError), NoConcernError.exit_code
(True, 1)
"""

from .directory import Directory
from .errors import (
    AreaTooBroadError,
    ArgumentError,
    ArgumentTypeError,
    DataError,
    DataFileError,
    MissingExtraError,
    NoConcernError,
    NoteTooLongError,
    Omitted,
    OutsideAreaError,
    Problem,
    ReadOnlyError,
    RecordsAccessError,
    RecordsSchemaError,
    ReferralError,
    SaveConflictError,
    SaveError,
    TransitionError,
    UnknownAgencyError,
    UnknownAreaError,
    UnknownReferralError,
    UnknownVocabularyError,
    UsageError,
    ValidationError,
)
from .models import (
    Advisory,
    Agency,
    AgencyMatch,
    AgencyRef,
    Area,
    AreaMatch,
    Catchment,
    Citation,
    Concern,
    Document,
    Evidence,
    Link,
    Match,
    NoteReading,
    PathStep,
    PlanConcern,
    PostalCoverage,
    ReferralPlan,
    SafetyClue,
    Source,
    Suggestion,
    Text,
)

__version__ = "0.1.0"

__all__ = [
    "Advisory",
    "Agency",
    "AgencyMatch",
    "AgencyRef",
    "Area",
    "AreaMatch",
    "AreaTooBroadError",
    "ArgumentError",
    "ArgumentTypeError",
    "Catchment",
    "Citation",
    "Concern",
    "DataError",
    "DataFileError",
    "Directory",
    "Document",
    "Evidence",
    "Link",
    "Match",
    "MissingExtraError",
    "NoConcernError",
    "NoteReading",
    "NoteTooLongError",
    "Omitted",
    "OutsideAreaError",
    "PathStep",
    "PlanConcern",
    "PostalCoverage",
    "Problem",
    "ReadOnlyError",
    "RecordsAccessError",
    "RecordsSchemaError",
    "ReferralError",
    "ReferralPlan",
    "SafetyClue",
    "SaveConflictError",
    "SaveError",
    "Source",
    "Suggestion",
    "Text",
    "TransitionError",
    "UnknownAgencyError",
    "UnknownAreaError",
    "UnknownReferralError",
    "UnknownVocabularyError",
    "UsageError",
    "ValidationError",
    "__version__",
]
