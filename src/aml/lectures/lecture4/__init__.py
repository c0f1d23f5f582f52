"""Lecture 4: physics guidance. A physics-guided loss, a physics-structured network and
regularisation (physics.py); exercises in checks.py and solutions/."""
