"""``daedalus.proofreading``: the reference's ``webknossos.proofreading`` (its classes live in private modules).

The agglomerate graphs of proofreading annotations are ``daedalus.AgglomerateGraph`` objects.
"""

__all__: list[str] = []
