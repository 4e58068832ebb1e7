"""regwatch — 监管风险智治平台."""

__version__ = "0.1.0"
