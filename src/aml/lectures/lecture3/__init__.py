"""Lecture 3: architectures. Dense vs convolutional image classifiers (images.py), the
parameters each needs per accuracy tier (capacity.py), recurrent text models (text.py) and an
echo state network (reservoir.py); exercises in checks.py and solutions/."""
