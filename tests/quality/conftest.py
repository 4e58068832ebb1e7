from tests.intake.conftest import subjects

__all__ = ["subjects"]
