"""Learned routing: which team (history group) handles tickets like this one, or none of them.

learned_router.py trains and applies the model (train_router, RouterModel); evaluation.py measures it on
history-format rows (evaluate_routing, format_routing_table).
"""
