"""The one base of every error a person may meet, and the one way to word any exception.

Every layer raises subclasses of :class:`SgtuiError` (SendGrid, customer data, workspace,
keyring, state database, the engine's stop reasons), so a screen or a command shows
``error.sentence`` and never a traceback. For exceptions that are not ours (a database
driver's surprise, a full disk), :func:`sentence_for` gives the sentence to show instead.
This module imports nothing of sgtui, so every layer can use it.
"""

from __future__ import annotations

CAUSE = "{cause}"
"""Where :func:`sentence_for` puts the short cause in the fallback sentence."""


class SgtuiError(Exception):
    """An error with one ``sentence`` for people: what happened and what to do next.

    The sentence is also the error's ``str()``. It never holds an API key; strings from
    users or from an API inside it are plain text, never markup.
    """

    def __init__(self, sentence: str) -> None:
        super().__init__(sentence)
        self.sentence = sentence

    def __str__(self) -> str:
        return self.sentence

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.sentence!r})"


def sentence_for(error: BaseException, otherwise: str) -> str:
    """The sentence a person reads for ``error``.

    An :class:`SgtuiError` speaks for itself. Any other exception gets ``otherwise``, with
    ``{cause}`` replaced by a short cause that holds no data: the operating system's words
    for an ``OSError`` ("No space left on device"), else the exception's type name.
    ``sentence_for(error, "The run history could not be read ({cause}).")``
    """
    if isinstance(error, SgtuiError) and error.sentence:
        return error.sentence
    return otherwise.replace(CAUSE, _cause(error))


def _cause(error: BaseException) -> str:
    """A few words naming what went wrong, safe to show: no paths, rows or keys."""
    if isinstance(error, OSError) and error.strerror:
        return error.strerror
    return type(error).__name__
