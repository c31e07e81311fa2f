"""Every error: where it lives, the builtins a caller would catch it as, the exit status."""

from __future__ import annotations

import inspect

import pytest

import referral
from referral import errors
from referral.errors import EXIT_ERROR, EXIT_NO_MATCH, ReferralError

# error class -> (the builtin bases a caller catches it as, the command line's exit status)
ERRORS: dict[type[ReferralError], tuple[tuple[type[BaseException], ...], int]] = {
    errors.ReferralError: ((Exception,), EXIT_ERROR),
    errors.UsageError: ((Exception,), EXIT_ERROR),
    errors.ArgumentError: ((ValueError,), EXIT_ERROR),
    errors.ArgumentTypeError: ((TypeError,), EXIT_ERROR),
    errors.ReadOnlyError: ((AttributeError, TypeError), EXIT_ERROR),
    errors.DataError: ((ValueError,), EXIT_ERROR),
    errors.DataFileError: ((ValueError,), EXIT_ERROR),
    errors.ValidationError: ((ValueError,), EXIT_ERROR),
    errors.NoteTooLongError: ((ValueError,), EXIT_ERROR),
    errors.AreaTooBroadError: ((ValueError,), EXIT_ERROR),
    errors.UnknownVocabularyError: ((KeyError, LookupError), EXIT_ERROR),
    errors.UnknownAgencyError: ((KeyError, LookupError), EXIT_NO_MATCH),
    errors.UnknownAreaError: ((KeyError, LookupError), EXIT_NO_MATCH),
    errors.OutsideAreaError: ((KeyError, LookupError), EXIT_NO_MATCH),
    errors.NoConcernError: ((LookupError,), EXIT_NO_MATCH),
    errors.MissingExtraError: ((ImportError,), EXIT_ERROR),
    errors.SaveError: ((OSError,), EXIT_ERROR),
    errors.SaveConflictError: ((OSError,), EXIT_ERROR),
    errors.TransitionError: ((ValueError,), EXIT_ERROR),
    errors.UnknownReferralError: ((KeyError, LookupError), EXIT_NO_MATCH),
    errors.RecordsAccessError: ((OSError,), EXIT_ERROR),
    errors.RecordsSchemaError: ((ValueError,), EXIT_ERROR),
}


@pytest.mark.parametrize(
    ("cls", "bases", "code"),
    [(c, b, x) for c, (b, x) in ERRORS.items()],
    ids=lambda v: getattr(v, "__name__", str(v)),
)
def test_error_bases_and_exit_code(
    cls: type[ReferralError], bases: tuple[type[BaseException], ...], code: int
) -> None:
    assert issubclass(cls, ReferralError)
    for base in bases:
        assert issubclass(cls, base), (cls, base)
    assert cls.exit_code == code
    assert cls.__module__ == "referral.errors"  # errors live in one place
    assert getattr(referral, cls.__name__) is cls  # and are importable from the package
    assert cls.__name__ in referral.__all__


def test_every_error_is_in_the_table() -> None:
    defined = {
        obj
        for _, obj in inspect.getmembers(errors, inspect.isclass)
        if issubclass(obj, ReferralError) and obj.__module__ == "referral.errors"
    }
    assert defined == set(ERRORS)


def test_no_error_class_outside_errors_module() -> None:
    """Only private, module-internal signals may be defined elsewhere in the package."""
    import importlib  # noqa: PLC0415
    import pkgutil  # noqa: PLC0415

    stray = []
    for info in pkgutil.iter_modules(referral.__path__):
        if info.name in ("__main__", "errors"):
            continue
        module = importlib.import_module(f"referral.{info.name}")
        for name, obj in vars(module).items():
            if (
                inspect.isclass(obj)
                and issubclass(obj, BaseException)
                and obj.__module__ == module.__name__
                and not name.startswith("_")
                and name != "MissingFieldError"  # _schema's internal signal (see errors.py)
            ):
                stray.append(f"{module.__name__}.{name}")
    assert stray == []
