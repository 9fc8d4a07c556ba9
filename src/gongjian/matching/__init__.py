"""Matching: who should claim what (issue #6).

The engine (every module here except ``apps.py``, ``management/`` and ``tests/``) is pure Python:
no Django import, so it runs, is tested and is benchmarked on its own. Entry point:
``gongjian.matching.engine.match``. This package ``__init__`` imports nothing, so registering the app
costs no start-up time; the heavy libraries (jieba, scikit-learn, OR-Tools) load on first use.
"""
