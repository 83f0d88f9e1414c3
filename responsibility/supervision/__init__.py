"""Supervision (监督检查): plans, reproducible spot-check draws, results, findings, rectification to 销号,
the ledger (整改台账) and its dashboard."""
