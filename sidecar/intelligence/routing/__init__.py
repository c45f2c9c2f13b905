"""Learned routing: which team (history group) handles tickets like this one, or none of them.

learned_router.py is the model and how it routes (RouterModel); training.py fits it (train_router), with
gate.py for the abstention gate; evaluation.py measures it on history-format rows (evaluate_routing,
format_routing_table).
"""
