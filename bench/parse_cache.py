"""Keep moto's ASL parsing out of the measured (virtual) time.

moto's Step Functions interpreter parses the whole definition with ANTLR at the start of *every*
execution, in real time: 0.15-0.3 s for this module's state machine, i.e. 15-30 virtual seconds
at clock scale 100 before the first state runs, and less for the seed's smaller one. AWS does not
do that per execution, so it would be a benchmark artefact that penalises the larger definition.

:func:`cached_asl_parsing` memoises the parse *tree* per definition text; the preprocessor still
builds fresh evaluation components for every execution from it (the tree is only read), so no
state is shared between executions. :func:`warm` parses a definition ahead of the first execution.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator
from typing import Any

from moto.stepfunctions.parser.asl.parse import asl_parser
from moto.stepfunctions.parser.asl.parse.preprocessor import Preprocessor

_TREES: dict[str, Any] = {}
_LOCK = threading.Lock()


def _tree(definition: str) -> Any:
    with _LOCK:
        found = _TREES.get(definition)
    if found is not None:
        return found
    listener = asl_parser.SyntaxErrorListener()
    lexer = asl_parser.ASLLexer(asl_parser.InputStream(definition))
    parser = asl_parser.ASLParser(asl_parser.CommonTokenStream(lexer))
    parser.removeErrorListeners()
    parser.addErrorListener(listener)
    tree = parser.state_machine()
    if listener.errors:
        raise asl_parser.ASLParserException(errors=listener.errors)
    with _LOCK:
        _TREES[definition] = tree
    return tree


def _parse(definition: str) -> tuple[Any, Any]:
    tree = _tree(definition)
    return Preprocessor().visit(tree), tree


def warm(definition: str) -> None:
    """Parse ``definition`` now (e.g. at deploy time) so no execution pays for it."""
    _tree(definition)


@contextlib.contextmanager
def cached_asl_parsing() -> Iterator[None]:
    cls = asl_parser.AmazonStateLanguageParser
    original = cls.__dict__["parse"]
    cls.parse = staticmethod(_parse)  # type: ignore[method-assign]
    try:
        yield
    finally:
        cls.parse = original  # type: ignore[method-assign]
